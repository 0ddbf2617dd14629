/**
 * Elasticsearch's `standard` analyzer, as `text` fields index their values: Unicode word
 * segmentation (UAX #29 word boundaries, the rules that matter for logs), then lower-casing.
 *
 * Kept: letters and digits join into words (`abc123`), `_` joins words (ExtendNumLet),
 * `.` and `'` join letters or digits on both sides (`foo.bar`, `3.5`, `don't`), `:` joins
 * letters (MidLetter), `,` and `;` join digits (`1,000`), ideographs are one token each.
 * Everything else (space, `-`, `/`, `@`, ...) separates tokens.
 */

const WORD = /[\p{L}\p{M}\p{Nd}\p{Pc}]/u;
const LETTER = /[\p{L}\p{M}]/u;
const DIGIT = /\p{Nd}/u;
const IDEOGRAPH = /[\p{Script=Han}\p{Script=Hiragana}]/u;
const MID_NUM_LET = new Set(['.', "'", '\u2018', '\u2019', '\u2024', '\uFE52', '\uFF07', '\uFF0E']);
const MID_LETTER = new Set([':', '\u00B7', '\u0387', '\u05F4', '\u2027', '\uFE13', '\uFE55', '\uFF1A']);
const MID_NUM = new Set([
  ',',
  ';',
  '\u037E',
  '\u0589',
  '\u060C',
  '\u060D',
  '\u066C',
  '\u07F8',
  '\u2044',
  '\uFE10',
  '\uFE14',
  '\uFE50',
  '\uFE54',
  '\uFF0C',
  '\uFF1B',
]);

/** The longest token the standard tokenizer emits; longer runs are split. */
const MAX_TOKEN_LENGTH = 255;

function joins(prev: string, mid: string, next: string): boolean {
  if (MID_NUM_LET.has(mid))
    return (LETTER.test(prev) && LETTER.test(next)) || (DIGIT.test(prev) && DIGIT.test(next));
  if (MID_LETTER.has(mid)) return LETTER.test(prev) && LETTER.test(next);
  if (MID_NUM.has(mid)) return DIGIT.test(prev) && DIGIT.test(next);
  return false;
}

function isWordChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  return WORD.test(ch);
}

// Documents are often matched by several clauses on the same text field: keep the last
// few analyses.
const recent = new Map<string, string[]>();
const RECENT_LIMIT = 64;

/** The tokens of `text` as a `text` field with the standard analyzer indexes them. */
export function analyzeStandard(text: string): string[] {
  const hit = recent.get(text);
  if (hit) return hit;
  const tokens = analyze(text);
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  recent.set(text, tokens);
  return tokens;
}

function analyze(text: string): string[] {
  const chars = Array.from(text);
  const tokens: string[] = [];
  let current = '';
  let currentLength = 0;
  const flush = (): void => {
    if (current !== '') tokens.push(current.toLowerCase());
    current = '';
    currentLength = 0;
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch.charCodeAt(0) >= 0x2e80 && IDEOGRAPH.test(ch)) {
      flush();
      tokens.push(ch);
      continue;
    }
    if (isWordChar(ch)) {
      if (currentLength >= MAX_TOKEN_LENGTH) flush();
      current += ch;
      currentLength++;
      continue;
    }
    if (
      current !== '' &&
      i + 1 < chars.length &&
      joins(chars[i - 1], ch, chars[i + 1]) &&
      !IDEOGRAPH.test(chars[i + 1])
    ) {
      current += ch;
      currentLength++;
      continue;
    }
    flush();
  }
  flush();
  return tokens;
}

/** True when `phrase` occurs as consecutive tokens in `tokens`. */
export function containsPhrase(tokens: string[], phrase: string[]): boolean {
  if (phrase.length === 0) return false;
  outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (tokens[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

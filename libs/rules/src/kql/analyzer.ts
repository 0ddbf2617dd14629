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

// A document is often matched by several clauses on the same text field: remember the
// last few analyses (a tiny ring compared by ===, cheaper than hashing long strings).
const RING = 4;
const ringText: Array<string | undefined> = new Array<string | undefined>(RING);
const ringTokens: string[][] = new Array<string[]>(RING);
let ringNext = 0;

/** The tokens of `text` as a `text` field with the standard analyzer indexes them. */
export function analyzeStandard(text: string): string[] {
  for (let i = 0; i < RING; i++) if (ringText[i] === text) return ringTokens[i];
  const tokens = analyze(text);
  ringText[ringNext] = text;
  ringTokens[ringNext] = tokens;
  ringNext = (ringNext + 1) % RING;
  return tokens;
}

const ASCII = /^[\x00-\x7f]*$/;

function analyze(text: string): string[] {
  return ASCII.test(text) ? analyzeAscii(text) : analyzeUnicode(text);
}

const enum Ascii {
  Other,
  Letter,
  Digit,
  Underscore,
}

function asciiClass(c: number): Ascii {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return Ascii.Letter;
  if (c >= 48 && c <= 57) return Ascii.Digit;
  return c === 95 ? Ascii.Underscore : Ascii.Other;
}

/** The same rules as analyzeUnicode, on char codes and slices (most log text is ASCII). */
function analyzeAscii(text: string): string[] {
  const tokens: string[] = [];
  const n = text.length;
  let start = -1;
  const flush = (end: number): void => {
    if (start >= 0) tokens.push(text.slice(start, end).toLowerCase());
    start = -1;
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const k = asciiClass(c);
    if (k !== Ascii.Other) {
      if (start < 0) start = i;
      else if (i - start >= MAX_TOKEN_LENGTH) {
        flush(i);
        start = i;
      }
      continue;
    }
    if (start >= 0 && i + 1 < n) {
      const prev = asciiClass(text.charCodeAt(i - 1));
      const next = asciiClass(text.charCodeAt(i + 1));
      const letters = prev === Ascii.Letter && next === Ascii.Letter;
      const digits = prev === Ascii.Digit && next === Ascii.Digit;
      // MidNumLet . and ' (letters or digits), MidLetter : (letters), MidNum , ; (digits).
      const join =
        c === 46 || c === 39 ? letters || digits : c === 58 ? letters : c === 44 || c === 59 ? digits : false;
      if (join && i - start < MAX_TOKEN_LENGTH) continue;
    }
    flush(i);
  }
  flush(n);
  return tokens;
}

function analyzeUnicode(text: string): string[] {
  // Code points, so surrogate pairs stay together.
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

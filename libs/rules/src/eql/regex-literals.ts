/**
 * Literal text every match of an anchored RE2 pattern must contain, found without running the
 * regex: a required prefix (the literal characters the pattern starts with) and the longest
 * required run of literal characters anywhere. Calling into RE2 costs about a microsecond per
 * string; most strings a rule's regex sees lack its literals, and a `startsWith` / `includes`
 * answers them for a few nanoseconds.
 *
 * Conservative by construction: anything this scanner does not fully understand (a top-level
 * `|`, flag groups `(?...)`, `\Q...\E`, letter escapes other than the character classes
 * \d \w \s and their negations, POSIX classes, odd braces) yields no literals, so the regex
 * decides alone. An optional atom (`x?`, `x*`, `x{0,n}`) and anything that is not a plain
 * character (classes, groups, `.`, anchors) ends a run.
 */
export interface RegexLiterals {
  /** Every match starts with this ('' when unknown). */
  prefix: string;
  /** Every match contains this ('' when unknown); the longest such run. */
  required: string;
  /** Every required run, in the order every match contains them (the prefix first). */
  runs: string[];
}

const NONE: RegexLiterals = { prefix: '', required: '', runs: [] };
const CLASS_ESCAPES = 'dDwWsSbB';

/** Index just past the character class starting at `i` (`[`), or -1 when unsure. */
function skipClass(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  for (; j < p.length; j++) {
    const c = p[j];
    if (c === '\\') j++;
    else if (c === '[' && p[j + 1] === ':') return -1;
    else if (c === ']') return j + 1;
  }
  return -1;
}

/** Index just past the group starting at `i` (`(`), or -1 when unsure. */
function skipGroup(p: string, i: number): number {
  let depth = 0;
  for (let j = i; j < p.length; j++) {
    const c = p[j];
    if (c === '\\') j++;
    else if (c === '[') {
      const end = skipClass(p, j);
      if (end < 0) return -1;
      j = end - 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return -1;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** A repetition `{n}`, `{n,}`, `{n,m}` at `i`: its minimum and end, else undefined. */
function repetition(p: string, i: number): { min: number; end: number } | undefined {
  let j = i + 1;
  const start = j;
  while (isDigit(p[j])) j++;
  if (j === start || j - start > 6) return undefined;
  const min = Number(p.slice(start, j));
  if (p[j] === ',') {
    j++;
    const from = j;
    while (isDigit(p[j])) j++;
    if (j - from > 6) return undefined;
  }
  return p[j] === '}' ? { min, end: j + 1 } : undefined;
}

export function regexLiterals(pattern: string): RegexLiterals {
  // Non-ASCII text (surrogates, U+FFFD that RE2 also reads lone surrogates as) is left to RE2.
  if (!isAscii(pattern) || pattern.includes('(?') || pattern.includes('\\Q')) return NONE;
  const runs: string[] = [];
  let run = '';
  let prefix: string | undefined;
  let leading = true;
  const endRun = (): void => {
    if (leading) prefix = run;
    leading = false;
    if (run) runs.push(run);
    run = '';
  };
  let i = 0;
  if (pattern[0] === '^') i = 1;
  while (i < pattern.length) {
    const c = pattern[i];
    let literal: string | undefined;
    let next: number;
    if (c === '|' || c === ')') return NONE;
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) return NONE;
      if (isDigit(d) || d.toLowerCase() !== d.toUpperCase()) {
        if (!CLASS_ESCAPES.includes(d)) return NONE;
      } else literal = d;
      next = i + 2;
    } else if (c === '[') {
      next = skipClass(pattern, i);
      if (next < 0) return NONE;
    } else if (c === '(') {
      next = skipGroup(pattern, i);
      if (next < 0) return NONE;
    } else if (c === '.' || c === '^' || c === '$') {
      next = i + 1;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      return NONE; // a quantifier with nothing before it (or a literal brace): unsure
    } else {
      literal = c;
      next = i + 1;
    }
    // The quantifier, if any, that applies to this atom.
    const q = pattern[next];
    let optional = false;
    let repeated = false;
    if (q === '*' || q === '?') {
      optional = true;
      next++;
    } else if (q === '+') {
      repeated = true;
      next++;
    } else if (q === '{') {
      const rep = repetition(pattern, next);
      if (!rep) return NONE;
      optional = rep.min === 0;
      repeated = true;
      next = rep.end;
    }
    if (pattern[next] === '?') next++; // lazy
    if (pattern[next] === '*' || pattern[next] === '+' || pattern[next] === '{') return NONE;
    if (literal === undefined || optional) endRun();
    else {
      run += literal;
      if (repeated) endRun();
    }
    i = next;
  }
  endRun();
  const required = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
  return { prefix: prefix ?? '', required, runs };
}

/** Whether a string has only ASCII characters (then ASCII lower-casing is RE2's case folding). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Whether `text` holds the runs in order, without overlap, the first at its start when `anchored`. */
function holdsInOrder(text: string, runs: readonly string[], anchored: boolean): boolean {
  let from = 0;
  for (let i = 0; i < runs.length; i++) {
    if (i === 0 && anchored) {
      if (!text.startsWith(runs[0])) return false;
      from = runs[0].length;
      continue;
    }
    const at = text.indexOf(runs[i], from);
    if (at < 0) return false;
    from = at + runs[i].length;
  }
  return true;
}

/**
 * A quick test that is false only when the regex cannot match: every match holds the
 * pattern's literal runs in order (the first at the start when the pattern starts with one).
 * Undefined when the pattern gives nothing to test. Case-insensitive patterns compare
 * lower-cased ASCII only (for other text RE2's Unicode case folding decides: `ſ` matches `s`).
 */
export function regexPrefilter(
  pattern: string,
  caseInsensitive: boolean,
): ((text: string) => boolean) | undefined {
  const { prefix, runs } = regexLiterals(pattern);
  if (runs.length === 0) return undefined;
  const anchored = prefix !== '';
  if (!caseInsensitive) return (t) => holdsInOrder(t, runs, anchored);
  if (!runs.every(isAscii)) return undefined;
  const lower = runs.map((r) => r.toLowerCase());
  return (t) => !isAscii(t) || holdsInOrder(t.toLowerCase(), lower, anchored);
}

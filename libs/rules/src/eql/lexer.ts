/**
 * EQL lexer, following Elasticsearch's EqlBase grammar: keywords are lower-case and
 * case-sensitive, `in~`/`like~`/`regex~` and `name~` (function) are single tokens, strings are
 * double-quoted (with escapes) or raw `"""..."""`; single-quoted and `?"..."` strings are
 * recognised only to be rejected with Elasticsearch's message.
 */
import { EqlSyntaxError } from './errors';

export type TokenKind =
  | 'ident' // identifiers and keywords
  | 'tident' // `name~`: a case-insensitive function, or in~ / like~ / regex~
  | 'qident' // `backtick quoted` identifier
  | 'string'
  | 'int'
  | 'decimal'
  | 'op'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** For strings: the unescaped value; for identifiers: the name (backticks removed, no `~`). */
  value: string;
  start: number;
  end: number;
}

/** Maps offsets to 1-based line and column. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (c: number): boolean => isLetter(c) || c === 95 /* _ */ || c === 64; /* @ */
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);

const TWO_CHAR_OPS = new Set(['==', '!=', '<=', '>=', '![']);
const ONE_CHAR_OPS = new Set([
  '=',
  '<',
  '>',
  ':',
  '+',
  '-',
  '*',
  '/',
  '%',
  '.',
  ',',
  '[',
  ']',
  '(',
  ')',
  '|',
  '?',
]);

/** Tokens one at a time, so a parser that stops early (too deep, bad input) never lexes the rest. */
export function* lex(text: string, lines: LineMap): Generator<Token, void, undefined> {
  const n = text.length;
  let i = 0;

  const fail = (at: number, reason: string): never => {
    const { line, column } = lines.position(at);
    throw new EqlSyntaxError(reason, line, column);
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    // comments
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      i = skipBlockComment(text, i, fail);
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      if (text.charCodeAt(i) === 126 /* ~ */) {
        i++;
        yield { kind: 'tident', text: text.slice(start, i), value: word, start, end: i };
      } else yield { kind: 'ident', text: word, value: word, start, end: i };
      continue;
    }
    if (c === 96 /* ` */) {
      let value = '';
      i++;
      for (;;) {
        if (i >= n)
          fail(start, `token recognition error at: '${text.slice(start, Math.min(n, start + 40))}'`);
        const ch = text[i];
        if (ch === '`') {
          if (text[i + 1] === '`') {
            value += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      yield { kind: 'qident', text: text.slice(start, i), value, start, end: i };
      continue;
    }
    if (c === 34 /* " */) {
      if (text.startsWith('"""', i)) {
        const close = text.indexOf('"""', i + 3);
        if (close < 0)
          fail(start, `token recognition error at: '${text.slice(start, Math.min(n, start + 40))}'`);
        let end = close + 3;
        // `"""a""""` is `a"`: up to two extra quotes belong to the string (the grammar's '"'? '"'?).
        let extra = 0;
        while (extra < 2 && text.charCodeAt(end) === 34) {
          end++;
          extra++;
        }
        const value = text.slice(i + 3, close) + '"'.repeat(extra);
        i = end;
        yield { kind: 'string', text: text.slice(start, i), value, start, end: i };
        continue;
      }
      const { value, end } = readEscapedString(text, i, fail);
      i = end;
      yield { kind: 'string', text: text.slice(start, i), value, start, end: i };
      continue;
    }
    if (c === 39 /* ' */) {
      fail(start, `Use double quotes ["] to define string literals, not single quotes [']`);
    }
    if (c === 63 /* ? */ && (text.charCodeAt(i + 1) === 34 || text.charCodeAt(i + 1) === 39)) {
      fail(start, `Use triple double quotes ["""] to define unescaped string literals, not [?]`);
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(text.charCodeAt(i + 1)))) {
      let decimal = false;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46) {
        decimal = true;
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 69 || e === 101) {
        let j = i + 1;
        const sign = text.charCodeAt(j);
        if (sign === 43 || sign === 45) j++;
        if (isDigit(text.charCodeAt(j))) {
          while (j < n && isDigit(text.charCodeAt(j))) j++;
          i = j;
          decimal = true;
        }
      }
      const t = text.slice(start, i);
      yield { kind: decimal ? 'decimal' : 'int', text: t, value: t, start, end: i };
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      i += 2;
      yield { kind: 'op', text: two, value: two, start, end: i };
      continue;
    }
    const one = text[i];
    if (ONE_CHAR_OPS.has(one)) {
      i++;
      yield { kind: 'op', text: one, value: one, start, end: i };
      continue;
    }
    fail(start, `token recognition error at: '${String.fromCodePoint(text.codePointAt(i) ?? c)}'`);
  }
  yield { kind: 'eof', text: '<EOF>', value: '', start: n, end: n };
}

export function tokenize(text: string, lines: LineMap): Token[] {
  return [...lex(text, lines)];
}

function skipBlockComment(text: string, from: number, fail: (at: number, reason: string) => never): number {
  // Nested comments, as the grammar's BRACKETED_COMMENT allows; iterative, so no recursion depth.
  let depth = 0;
  let i = from;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return fail(from, `token recognition error at: '/*'`);
}

function readEscapedString(
  text: string,
  from: number,
  fail: (at: number, reason: string) => never,
): { value: string; end: number } {
  let i = from + 1;
  let value = '';
  let chunkStart = i;
  for (;;) {
    if (i >= text.length) return fail(from, `token recognition error at: '${text.slice(from, from + 40)}'`);
    const c = text.charCodeAt(i);
    if (c === 34) {
      value += text.slice(chunkStart, i);
      return { value, end: i + 1 };
    }
    if (c === 10 || c === 13) return fail(from, `token recognition error at: '${text.slice(from, i)}'`);
    if (c !== 92 /* \ */) {
      i++;
      continue;
    }
    value += text.slice(chunkStart, i);
    const e = text[i + 1];
    switch (e) {
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 't':
        value += '\t';
        break;
      case 'b':
        value += '\b';
        break;
      case 'f':
        value += '\f';
        break;
      case '"':
        value += '"';
        break;
      case '\\':
        value += '\\';
        break;
      case "'":
        value += "'";
        break;
      case 'u': {
        if (text[i + 2] !== '{') return fail(i, `Unicode sequence should use [\\u{XXXX}] format`);
        const close = text.indexOf('}', i + 3);
        const hex = close < 0 ? '' : text.slice(i + 3, close);
        if (!/^[0-9a-fA-F]{2,8}$/.test(hex))
          return fail(
            i,
            `Unicode sequence should use [\\u{XXXX}] format, found [${text.slice(i, close < 0 ? i + 12 : close + 1)}]`,
          );
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) return fail(i, `Invalid unicode character code [${hex}]`);
        if (code >= 0xd800 && code <= 0xdfff)
          return fail(i, `Invalid unicode character code, [${hex}] is a surrogate code`);
        value += String.fromCodePoint(code);
        i = close + 1;
        chunkStart = i;
        continue;
      }
      default:
        return fail(from, `token recognition error at: '${text.slice(from, i + 2)}'`);
    }
    i += 2;
    chunkStart = i;
  }
}

/**
 * A KQL parser that follows Kibana's grammar (kbn-es-query `kuery/grammar/grammar.peggy`)
 * rule for rule, including how the generated PEG parser reports failures, so that syntax
 * errors read exactly like Kibana's: `Expected "(", NOT, field name, value but end of input
 * found.` followed by the query and a caret under the offending position.
 *
 * PEG semantics kept: ordered choice with backtracking, the furthest failure position wins,
 * and the expectations of named rules ("fieldName", "value", "OR", "AND", "NOT", "literal",
 * "whitespace") are reported by name while their inner failures stay silent. Kibana's
 * autocomplete cursor alternatives are left out: they never match outside autocomplete.
 */
import { WILDCARD, isLoneWildcard } from './ast';
import type { KqlLiteral, KqlNode, RangeOp, ValuePart } from './ast';

type Expectation =
  { type: 'literal'; text: string } | { type: 'other'; description: string } | { type: 'end' };

/** A query that Kibana's grammar rejects. `offset` is where the parse could not go on. */
export class KqlSyntaxError extends Error {
  override name = 'KqlSyntaxError';
  constructor(
    message: string,
    /** The first line of the message, without the query and the caret. */
    readonly shortMessage: string,
    readonly offset: number,
    readonly expected: string[],
    /** The character found at `offset`, or null at the end of the input. */
    readonly found: string | null,
  ) {
    super(message);
  }
}

const FAILED: unique symbol = Symbol('failed');
type Failed = typeof FAILED;

/** Translations Kibana's KQLSyntaxError applies to the grammar's rule names. */
const RULE_NAMES: Record<string, string> = {
  fieldName: 'field name',
  value: 'value',
  literal: 'literal',
  whitespace: 'whitespace',
};

/** Limits recursion on hostile input (Kibana has no limit, but a JS stack does). */
const MAX_DEPTH = 256;

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\u00A0';
}

const SPECIAL = new Set(['\\', '(', ')', ':', '<', '>', '"', '*', '{', '}']);

/** A partial value: a function of the field it will be matched against (Kibana's shape). */
type PartialQuery = (field: KqlLiteral | null) => KqlNode;

class Parser {
  private pos = 0;
  private maxFailPos = 0;
  private maxFailExpected: Expectation[] = [];
  private silent = 0;
  private depth = 0;
  private readonly spaceCache = new Map<number, boolean>();
  private readonly literalCache = new Map<number, { result: KqlLiteral | Failed; end: number }>();

  constructor(private readonly input: string) {}

  parse(): KqlNode {
    // start = Space* query:OrQuery? trailing:OptionalSpace
    this.spaces();
    const save = this.pos;
    let query: KqlNode | Failed = this.orQuery();
    if (query === FAILED) {
      this.pos = save;
      query = FAILED;
    }
    this.spaces();
    if (this.pos === this.input.length) return query === FAILED ? { type: 'match_all' } : query;
    this.fail({ type: 'end' });
    throw this.error();
  }

  // ---- failure bookkeeping (peggy's peg$fail) ----

  private fail(e: Expectation): void {
    if (this.silent > 0) return;
    if (this.pos < this.maxFailPos) return;
    if (this.pos > this.maxFailPos) {
      this.maxFailPos = this.pos;
      this.maxFailExpected = [];
    }
    this.maxFailExpected.push(e);
  }

  /** Runs a named rule: its inner failures are silent; a failure reports `name` at the start. */
  private named<T>(name: string, body: () => T | Failed): T | Failed {
    const start = this.pos;
    this.silent++;
    let r: T | Failed;
    try {
      r = body();
    } finally {
      this.silent--;
    }
    if (r === FAILED) {
      this.pos = start;
      this.fail({ type: 'other', description: name });
    }
    return r;
  }

  private literal(text: string): boolean {
    if (this.input.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    this.fail({ type: 'literal', text });
    return false;
  }

  /** Case-insensitive literal (`'or'i`); only ever used silently here. */
  private literalI(text: string): boolean {
    const got = this.input.substr(this.pos, text.length);
    if (got.toLowerCase() === text) {
      this.pos += text.length;
      return true;
    }
    this.fail({ type: 'literal', text });
    return false;
  }

  private error(): KqlSyntaxError {
    const translated = this.maxFailExpected.map((e) => {
      const key = e.type === 'other' ? e.description : e.type === 'literal' ? `"${e.text}"` : 'end of input';
      return RULE_NAMES[key] ?? key;
    });
    const expected = [...new Set(translated)].sort();
    const found = this.maxFailPos < this.input.length ? this.input.charAt(this.maxFailPos) : null;
    const short = `Expected ${expected.join(', ')} but ${found === null ? 'end of input' : `"${found}"`} found.`;
    const message = [short, this.input, '-'.repeat(this.maxFailPos) + '^'].join('\n');
    return new KqlSyntaxError(message, short, this.maxFailPos, expected, found);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      const short = `Query nested too deeply (more than ${MAX_DEPTH} levels).`;
      throw new KqlSyntaxError(
        [short, this.input, '-'.repeat(this.pos) + '^'].join('\n'),
        short,
        this.pos,
        [],
        this.pos < this.input.length ? this.input.charAt(this.pos) : null,
      );
    }
  }

  // ---- whitespace ----

  /**
   * Space "whitespace" = [\ \t\r\n\u00A0]
   *
   * Kibana's parser is generated with peggy's result cache, which changes what errors say:
   * a rule tried again at a position returns its cached result without reporting its
   * failure again. So when `Or`/`And` (silent, named) tried whitespace at a position first,
   * a later `Space*` there adds no "whitespace" expectation (`foo:ba:r` expects only
   * AND, OR, end of input). Space and Literal are the rules called both silently and not.
   */
  private space(): boolean {
    const cached = this.spaceCache.get(this.pos);
    if (cached !== undefined) {
      if (cached) this.pos++;
      return cached;
    }
    const ch = this.input.charAt(this.pos);
    const ok = ch !== '' && isSpace(ch);
    this.spaceCache.set(this.pos, ok);
    if (ok) {
      this.pos++;
      return true;
    }
    this.fail({ type: 'other', description: 'whitespace' });
    return false;
  }

  /** Space* (also OptionalSpace outside autocomplete). */
  private spaces(): void {
    while (this.space());
  }

  /** Space+ */
  private spaces1(): boolean {
    if (!this.space()) return false;
    this.spaces();
    return true;
  }

  // ---- keywords ----

  /** Or "OR" = Space+ 'or'i Space+ ; And "AND" likewise. */
  private binaryKeyword(name: 'OR' | 'AND', word: string): boolean {
    return (
      this.named(name, () => {
        const start = this.pos;
        if (this.spaces1() && this.literalI(word) && this.spaces1()) return true;
        this.pos = start;
        return FAILED;
      }) !== FAILED
    );
  }

  /** Not "NOT" = 'not'i Space+ */
  private not(): boolean {
    return (
      this.named('NOT', () => {
        const start = this.pos;
        if (this.literalI('not') && this.spaces1()) return true;
        this.pos = start;
        return FAILED;
      }) !== FAILED
    );
  }

  // ---- queries ----

  /** OrQuery = AndQuery (Or AndQuery)+ / AndQuery */
  private orQuery(): KqlNode | Failed {
    const head = this.andQuery();
    if (head === FAILED) return FAILED;
    const nodes = [head];
    for (;;) {
      const save = this.pos;
      if (!this.binaryKeyword('OR', 'or')) break;
      const next = this.andQuery();
      if (next === FAILED) {
        this.pos = save;
        break;
      }
      nodes.push(next);
    }
    return nodes.length === 1 ? head : { type: 'or', args: nodes };
  }

  /** AndQuery = NotQuery (And NotQuery)+ / NotQuery */
  private andQuery(): KqlNode | Failed {
    const head = this.notQuery();
    if (head === FAILED) return FAILED;
    const nodes = [head];
    for (;;) {
      const save = this.pos;
      if (!this.binaryKeyword('AND', 'and')) break;
      const next = this.notQuery();
      if (next === FAILED) {
        this.pos = save;
        break;
      }
      nodes.push(next);
    }
    return nodes.length === 1 ? head : { type: 'and', args: nodes };
  }

  /** NotQuery = Not SubQuery / SubQuery */
  private notQuery(): KqlNode | Failed {
    const start = this.pos;
    if (this.not()) {
      const q = this.subQuery();
      if (q !== FAILED) return { type: 'not', arg: q };
      this.pos = start;
    }
    return this.subQuery();
  }

  /** SubQuery = '(' Space* OrQuery OptionalSpace ')' / NestedQuery */
  private subQuery(): KqlNode | Failed {
    const start = this.pos;
    if (this.literal('(')) {
      this.enter();
      try {
        this.spaces();
        const q = this.orQuery();
        if (q !== FAILED) {
          this.spaces();
          if (this.literal(')')) return q;
        }
      } finally {
        this.depth--;
      }
      this.pos = start;
    }
    return this.nestedQuery();
  }

  /** NestedQuery = Field Space* ':' Space* '{' Space* OrQuery OptionalSpace '}' / Expression */
  private nestedQuery(): KqlNode | Failed {
    const start = this.pos;
    const field = this.field();
    if (field !== FAILED) {
      this.spaces();
      if (this.literal(':')) {
        this.spaces();
        if (this.literal('{')) {
          this.enter();
          try {
            this.spaces();
            const q = this.orQuery();
            if (q !== FAILED) {
              this.spaces();
              if (this.literal('}')) return { type: 'nested', path: field, query: q };
            }
          } finally {
            this.depth--;
          }
        }
      }
    }
    this.pos = start;
    return this.expression();
  }

  /** Expression = FieldRangeExpression / FieldValueExpression / ValueExpression */
  private expression(): KqlNode | Failed {
    const start = this.pos;
    const range = this.fieldRangeExpression();
    if (range !== FAILED) return range;
    this.pos = start;
    const fv = this.fieldValueExpression();
    if (fv !== FAILED) return fv;
    this.pos = start;
    const v = this.value();
    if (v === FAILED) return FAILED;
    return v(null);
  }

  /** FieldRangeExpression = Field Space* RangeOperator Space* Literal */
  private fieldRangeExpression(): KqlNode | Failed {
    const start = this.pos;
    const field = this.field();
    if (field !== FAILED) {
      this.spaces();
      const op = this.rangeOperator();
      if (op !== FAILED) {
        this.spaces();
        const value = this.literalRule();
        if (value !== FAILED) return { type: 'range', field, op, value };
      }
    }
    this.pos = start;
    return FAILED;
  }

  /** FieldValueExpression = Field Space* ':' Space* ListOfValues */
  private fieldValueExpression(): KqlNode | Failed {
    const start = this.pos;
    const field = this.field();
    if (field !== FAILED) {
      this.spaces();
      if (this.literal(':')) {
        this.spaces();
        const partial = this.listOfValues();
        if (partial !== FAILED) return partial(field);
      }
    }
    this.pos = start;
    return FAILED;
  }

  /** ListOfValues = '(' Space* OrListOfValues OptionalSpace ')' / Value */
  private listOfValues(): PartialQuery | Failed {
    const start = this.pos;
    if (this.literal('(')) {
      this.enter();
      try {
        this.spaces();
        const p = this.orListOfValues();
        if (p !== FAILED) {
          this.spaces();
          if (this.literal(')')) return p;
        }
      } finally {
        this.depth--;
      }
      this.pos = start;
    }
    return this.value();
  }

  /** OrListOfValues = AndListOfValues (Or AndListOfValues)+ / AndListOfValues */
  private orListOfValues(): PartialQuery | Failed {
    return this.listChain('OR', 'or', () => this.andListOfValues());
  }

  /** AndListOfValues = NotListOfValues (And NotListOfValues)+ / NotListOfValues */
  private andListOfValues(): PartialQuery | Failed {
    return this.listChain('AND', 'and', () => this.notListOfValues());
  }

  private listChain(
    name: 'OR' | 'AND',
    word: string,
    operand: () => PartialQuery | Failed,
  ): PartialQuery | Failed {
    const head = operand();
    if (head === FAILED) return FAILED;
    const parts = [head];
    for (;;) {
      const save = this.pos;
      if (!this.binaryKeyword(name, word)) break;
      const next = operand();
      if (next === FAILED) {
        this.pos = save;
        break;
      }
      parts.push(next);
    }
    if (parts.length === 1) return head;
    const type = name === 'OR' ? 'or' : 'and';
    return (field) => ({ type, args: parts.map((p) => p(field)) });
  }

  /** NotListOfValues = Not ListOfValues / ListOfValues */
  private notListOfValues(): PartialQuery | Failed {
    const start = this.pos;
    if (this.not()) {
      const p = this.listOfValues();
      if (p !== FAILED) return (field) => ({ type: 'not', arg: p(field) });
      this.pos = start;
    }
    return this.listOfValues();
  }

  /** Value "value" = QuotedString / UnquotedLiteral */
  private value(): PartialQuery | Failed {
    const lit = this.named('value', () => this.literalValue());
    if (lit === FAILED) return FAILED;
    return (field) => isNode(field, lit);
  }

  /** Field "fieldName" = Literal */
  private field(): KqlLiteral | Failed {
    return this.named('fieldName', () => this.literalRule());
  }

  /** Literal "literal" = QuotedString / UnquotedLiteral (cached per position, see space()). */
  private literalRule(): KqlLiteral | Failed {
    const start = this.pos;
    const cached = this.literalCache.get(start);
    if (cached) {
      this.pos = cached.end;
      return cached.result;
    }
    const result = this.named('literal', () => this.literalValue());
    this.literalCache.set(start, { result, end: this.pos });
    return result;
  }

  /** RangeOperator = '<=' / '>=' / '<' / '>' */
  private rangeOperator(): RangeOp | Failed {
    if (this.literal('<=')) return 'lte';
    if (this.literal('>=')) return 'gte';
    if (this.literal('<')) return 'lt';
    if (this.literal('>')) return 'gt';
    return FAILED;
  }

  // ---- literals (always parsed silently: they sit inside named rules) ----

  /** QuotedString / UnquotedLiteral */
  private literalValue(): KqlLiteral | Failed {
    const q = this.quotedString();
    if (q !== FAILED) return q;
    return this.unquotedLiteral();
  }

  /** QuotedString = '"' QuotedCharacter* '"' */
  private quotedString(): KqlLiteral | Failed {
    const start = this.pos;
    if (!this.literal('"')) return FAILED;
    let text = '';
    for (;;) {
      const ch = this.quotedCharacter();
      if (ch === FAILED) break;
      text += ch;
    }
    if (!this.literal('"')) {
      this.pos = start;
      return FAILED;
    }
    return { text, quoted: true };
  }

  /** QuotedCharacter = EscapedWhitespace / EscapedUnicodeSequence / '\\' [\\"] / [^"] */
  private quotedCharacter(): string | Failed {
    const ws = this.escapedWhitespace();
    if (ws !== FAILED) return ws;
    const uni = this.escapedUnicode();
    if (uni !== FAILED) return uni;
    const s = this.input;
    const p = this.pos;
    if (s[p] === '\\' && (s[p + 1] === '\\' || s[p + 1] === '"')) {
      this.pos += 2;
      return s[p + 1];
    }
    if (p < s.length && s[p] !== '"') {
      this.pos++;
      return s[p];
    }
    return FAILED;
  }

  /** UnquotedLiteral = UnquotedCharacter+ (trimmed; true/false/null typed; `*` makes a wildcard) */
  private unquotedLiteral(): KqlLiteral | Failed {
    const parts: ValuePart[] = [];
    for (;;) {
      const ch = this.unquotedCharacter();
      if (ch === FAILED) break;
      parts.push(ch);
    }
    if (parts.length === 0) return FAILED;
    // String.prototype.trim() on the joined sequence: drop whitespace characters at both ends.
    let a = 0;
    let b = parts.length;
    while (a < b && isTrimmable(parts[a])) a++;
    while (b > a && isTrimmable(parts[b - 1])) b--;
    const trimmed = parts.slice(a, b);
    const text = trimmed.map((p) => (p === WILDCARD ? '*' : p)).join('');
    const hasWildcard = trimmed.includes(WILDCARD);
    if (!hasWildcard && (text === 'true' || text === 'false' || text === 'null'))
      return { text, quoted: false, keyword: text };
    if (!hasWildcard) return { text, quoted: false };
    // Merge adjacent text pieces so matchers see runs of literal text between wildcards.
    const merged: ValuePart[] = [];
    for (const p of trimmed) {
      const last = merged[merged.length - 1];
      if (p !== WILDCARD && typeof last === 'string') merged[merged.length - 1] = last + p;
      else merged.push(p);
    }
    return { text, quoted: false, wildcard: merged };
  }

  /**
   * UnquotedCharacter = EscapedWhitespace / EscapedSpecialCharacter / EscapedUnicodeSequence
   *                   / EscapedKeyword / Wildcard / !SpecialCharacter !Keyword char:.
   */
  private unquotedCharacter(): ValuePart | Failed {
    const ws = this.escapedWhitespace();
    if (ws !== FAILED) return ws;
    const s = this.input;
    const p = this.pos;
    if (s[p] === '\\' && p + 1 < s.length && SPECIAL.has(s[p + 1])) {
      this.pos += 2;
      return s[p + 1];
    }
    const uni = this.escapedUnicode();
    if (uni !== FAILED) return uni;
    if (s[p] === '\\') {
      for (const kw of ['or', 'and', 'not']) {
        const got = s.substr(p + 1, kw.length);
        if (got.toLowerCase() === kw) {
          this.pos += 1 + kw.length;
          return got;
        }
      }
    }
    if (s[p] === '*') {
      this.pos++;
      return WILDCARD;
    }
    // Same order as the grammar: the Keyword lookahead runs even at the end of the input.
    if (SPECIAL.has(s[p]) || this.keywordAhead() || p >= s.length) return FAILED;
    this.pos++;
    return s[p];
  }

  /**
   * Keyword = Space 'or'i Space / Space 'and'i Space / 'not'i Space (a lookahead only).
   * It runs the Space rule like the generated parser does, so the result cache sees the
   * same (silent) attempts and later error messages agree with Kibana's.
   */
  private keywordAhead(): boolean {
    const start = this.pos;
    this.silent++;
    try {
      for (const kw of ['or', 'and']) {
        this.pos = start;
        if (this.space() && this.literalI(kw) && this.space()) return true;
      }
      this.pos = start;
      return this.literalI('not') && this.space();
    } finally {
      this.silent--;
      this.pos = start;
    }
  }

  /** EscapedWhitespace = '\\t' / '\\r' / '\\n' */
  private escapedWhitespace(): string | Failed {
    const s = this.input;
    const p = this.pos;
    if (s[p] !== '\\') return FAILED;
    const c = s[p + 1];
    const out = c === 't' ? '\t' : c === 'r' ? '\r' : c === 'n' ? '\n' : undefined;
    if (out === undefined) return FAILED;
    this.pos += 2;
    return out;
  }

  /** EscapedUnicodeSequence = '\\' 'u' HexDigit{4} */
  private escapedUnicode(): string | Failed {
    const s = this.input;
    const p = this.pos;
    if (s[p] !== '\\' || s[p + 1] !== 'u') return FAILED;
    const hex = s.substr(p + 2, 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) return FAILED;
    this.pos += 6;
    return String.fromCharCode(parseInt(hex, 16));
  }
}

function isTrimmable(p: ValuePart): boolean {
  return p !== WILDCARD && p.length === 1 && p.trim() === '';
}

/** Kibana's `is` node construction: `f:*` is exists, `*:*` is match-all. */
function isNode(given: KqlLiteral | null, value: KqlLiteral): KqlNode {
  // An unquoted field named `null` is Kibana's null literal, i.e. no field: free text.
  const field = given !== null && given.keyword === 'null' ? null : given;
  if (field !== null && isLoneWildcard(value)) {
    if (isLoneWildcard(field)) return { type: 'match_all' };
    return { type: 'exists', field };
  }
  return { type: 'is', field, value };
}

/** Parses a KQL query with Kibana's grammar. Throws `KqlSyntaxError`. */
export function parseKql(text: string): KqlNode {
  return new Parser(text).parse();
}

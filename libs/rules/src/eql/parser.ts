/**
 * Recursive-descent parser for Elasticsearch EQL (the EqlBase grammar): event queries,
 * sequences (by / with maxspan / runs / until / missing events), samples and the head/tail
 * pipes. Precedence, from loosest: `or`, `and`, `not`, comparison (not chainable), `+ -`,
 * `* / %`, unary `- +`, a primary with an optional predicate (`in`, `:`, `like`, `regex`).
 *
 * Hostile input: the text length is capped, recursion is bounded by MAX_NESTING (checked before
 * descending, so a million `(` cannot overflow the stack), and `and`/`or` chains are n-ary.
 */
import type {
  ArithmeticOp,
  ComparisonOp,
  EventFilterNode,
  ExprNode,
  LiteralNode,
  PipeNode,
  QueryNode,
  SampleQueryNode,
  SequenceQueryNode,
  Span,
  StageNode,
} from './ast';
import { EqlSyntaxError, EqlVerificationError } from './errors';
import { LineMap, lex, type Token } from './lexer';

/** Longest accepted query text, in UTF-16 code units (1 MiB of ASCII). */
export const MAX_QUERY_LENGTH = 1024 * 1024;
/** Deepest accepted expression nesting (parentheses, `not`, unary signs, calls, operator chains). */
export const MAX_NESTING = 200;
/** Largest `with runs=N`. */
export const MAX_RUNS = 100;

const KEYWORDS = new Set([
  'and',
  'any',
  'by',
  'false',
  'in',
  'join',
  'like',
  'maxspan',
  'not',
  'null',
  'of',
  'or',
  'regex',
  'sample',
  'sequence',
  'true',
  'until',
  'where',
  'with',
]);
const COMPARISON_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const SUPPORTED_PIPES = new Set(['head', 'tail']);
const KNOWN_UNSUPPORTED_PIPES = new Set(['count', 'filter', 'sort', 'unique', 'unique_count']);
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function checkLength(text: string): void {
  if (typeof text !== 'string') throw new EqlSyntaxError('the query must be a string', 1, 1);
  if (text.length > MAX_QUERY_LENGTH)
    throw new EqlSyntaxError(
      `EQL statement is too large: ${text.length} characters, the limit is ${MAX_QUERY_LENGTH}`,
      1,
      1,
    );
}

/** Parses a whole EQL statement (query and pipes); syntax only, see `parseEql` for verification. */
export function parseStatement(text: string): QueryNode {
  checkLength(text);
  const p = new Parser(text);
  const query = p.statement();
  return query;
}

/**
 * Parses a bare condition or `<category> where <condition>` (the form `sequent match` uses).
 * `category` is undefined for a bare condition, null for `any where`.
 */
export function parseConditionText(text: string): {
  category: string | null | undefined;
  condition: ExprNode;
  span: Span;
} {
  checkLength(text);
  const p = new Parser(text);
  return p.conditionOrFilter();
}

class Parser {
  private readonly lines: LineMap;
  /** Tokens come lazily: the parser looks at most two ahead. */
  private readonly tokens: Generator<Token, void, undefined>;
  private current: Token;
  private lookahead: Token | undefined;
  private lastEnd = 0;
  private readonly firstStart: number;
  private nesting = 0;

  constructor(private readonly text: string) {
    this.lines = new LineMap(text);
    this.tokens = lex(text, this.lines);
    this.current = this.pull();
    this.firstStart = this.current.start;
  }

  private pull(): Token {
    const r = this.tokens.next();
    // After <EOF> the lexer is done; keep answering <EOF>.
    return r.done
      ? { kind: 'eof', text: '<EOF>', value: '', start: this.text.length, end: this.text.length }
      : r.value;
  }

  // ---- entry points -------------------------------------------------------------------

  statement(): QueryNode {
    const first = this.peek();
    let query: QueryNode;
    if (this.isKw(first, 'sequence')) query = this.sequence();
    else if (this.isKw(first, 'sample')) query = this.sample();
    else if (this.isKw(first, 'join')) throw this.syntax(first, 'Queries using [join] are not supported');
    else {
      const filter = this.eventFilter();
      query = { kind: 'event', filter, pipes: [], span: filter.span };
    }
    while (this.isOp(this.peek(), '|')) query.pipes.push(this.pipe());
    const end = this.peek();
    if (end.kind !== 'eof') throw this.syntax(end, `extraneous input ${quote(end)} expecting {<EOF>, '|'}`);
    query.span = this.span(this.firstStart, this.prevEnd());
    return query;
  }

  conditionOrFilter(): { category: string | null | undefined; condition: ExprNode; span: Span } {
    const t0 = this.peek();
    const t1 = this.peek2();
    let category: string | null | undefined;
    if (this.isKw(t0, 'sequence') || this.isKw(t0, 'sample') || this.isKw(t0, 'join'))
      throw this.syntax(
        t0,
        `expected a condition or \`<category> where <condition>\`, not a [${t0.value}] query`,
      );
    if (t1 && this.isKw(t1, 'where') && (t0.kind === 'ident' || t0.kind === 'string')) {
      const filter = this.eventFilter();
      category = filter.category;
      this.expectEof();
      return { category, condition: filter.condition, span: filter.span };
    }
    const condition = this.expression();
    this.expectEof();
    return { category: undefined, condition, span: condition.span };
  }

  private expectEof(): void {
    const end = this.peek();
    if (end.kind !== 'eof') throw this.syntax(end, `extraneous input ${quote(end)} expecting <EOF>`);
  }

  // ---- queries --------------------------------------------------------------------------

  private eventFilter(): EventFilterNode {
    const t = this.peek();
    let category: string | null;
    if (this.isKw(t, 'any')) category = null;
    else if (t.kind === 'string') category = t.value;
    else if (t.kind === 'ident' && !KEYWORDS.has(t.value)) category = t.value;
    else throw this.mismatched(t, ["'any'", 'STRING', 'IDENTIFIER']);
    this.skip(1);
    this.expectKw('where');
    const condition = this.expression();
    const filter: EventFilterNode = { category, condition, span: this.span(t.start, this.prevEnd()) };
    checkDepth(condition, this.lines);
    return filter;
  }

  private sequence(): SequenceQueryNode {
    const start = this.next();
    let keys: ExprNode[] = [];
    let maxspan: SequenceQueryNode['maxspan'];
    if (this.isKw(this.peek(), 'by')) {
      keys = this.joinKeys();
      if (this.isKw(this.peek(), 'with')) maxspan = this.maxspan();
    } else if (this.isKw(this.peek(), 'with')) {
      maxspan = this.maxspan();
      if (this.isKw(this.peek(), 'by'))
        throw this.syntax(this.peek(), 'Please specify sequence [by] before [with] not after');
    }
    const stages: StageNode[] = [];
    while (this.isOp(this.peek(), '[') || this.isOp(this.peek(), '![')) stages.push(this.stage(true));
    if (stages.length === 0) throw this.mismatched(this.peek(), ["'['", "'!['"]);
    let until: StageNode | undefined;
    if (this.isKw(this.peek(), 'until')) {
      this.skip(1);
      if (!this.isOp(this.peek(), '[')) throw this.mismatched(this.peek(), ["'['"]);
      until = this.stage(true);
    }
    const span = this.span(start.start, this.prevEnd());
    // `[q] with runs=N` stands for N queries.
    const total = stages.reduce((n, s) => n + s.runs, 0);
    if (total < 2)
      throw this.verification(span, `A sequence requires a minimum of 2 queries, found [${total}]`);
    if (stages.every((s) => s.missing))
      throw this.verification(span, 'A sequence requires at least one positive event query; found none');
    checkKeyCounts(until ? [...stages, until] : stages, this.lines);
    return { kind: 'sequence', keys, maxspan, stages, until, pipes: [], span };
  }

  private sample(): SampleQueryNode {
    const start = this.next();
    let keys: ExprNode[] = [];
    if (this.isKw(this.peek(), 'by')) keys = this.joinKeys();
    const stages: StageNode[] = [];
    while (this.isOp(this.peek(), '[')) stages.push(this.stage(false));
    if (stages.length === 0) throw this.mismatched(this.peek(), ["'['"]);
    const span = this.span(start.start, this.prevEnd());
    if (stages.length < 2)
      throw this.verification(span, `A sample requires a minimum of 2 queries, found [${stages.length}]`);
    checkKeyCounts(stages, this.lines);
    return { kind: 'sample', keys, stages, pipes: [], span };
  }

  private stage(inSequence: boolean): StageNode {
    const open = this.next();
    const missing = open.text === '![';
    const filter = this.eventFilter();
    this.expectOp(']');
    let keys: ExprNode[] = [];
    if (this.isKw(this.peek(), 'by')) keys = this.joinKeys();
    let runs = 1;
    if (inSequence && this.isKw(this.peek(), 'with')) {
      this.skip(1);
      const key = this.peek();
      if (key.kind !== 'ident') throw this.mismatched(key, ['IDENTIFIER']);
      if (key.value !== 'runs')
        throw this.syntax(key, `Unrecognized option [${key.value}], expecting [runs]`);
      this.skip(1);
      this.expectOp('=');
      const v = this.peek();
      const value = this.constant();
      if (v.kind !== 'int' || typeof value.value !== 'number' || value.value < 1 || value.value > MAX_RUNS)
        throw this.verification(
          this.span(v.start, v.end),
          `A positive runs value between 1 and ${MAX_RUNS} is required; found [${v.text}]`,
        );
      runs = value.value;
    }
    return { filter, keys, runs, missing, span: this.span(open.start, this.prevEnd()) };
  }

  private joinKeys(): ExprNode[] {
    this.expectKw('by');
    const keys = [this.keyExpression()];
    while (this.isOp(this.peek(), ',')) {
      this.skip(1);
      keys.push(this.keyExpression());
    }
    return keys;
  }

  private keyExpression(): ExprNode {
    const e = this.expression();
    checkDepth(e, this.lines);
    return e;
  }

  private maxspan(): { ms: number; text: string } {
    this.expectKw('with');
    const kw = this.peek();
    if (!this.isKw(kw, 'maxspan')) throw this.mismatched(kw, ["'maxspan'"]);
    this.skip(1);
    this.expectOp('=');
    const num = this.peek();
    if (num.kind !== 'int' && num.kind !== 'decimal')
      throw this.mismatched(num, ['INTEGER_VALUE', 'DECIMAL_VALUE']);
    this.skip(1);
    const unitTok = this.peek();
    const unit = unitTok.kind === 'ident' && !KEYWORDS.has(unitTok.value) ? unitTok.value : undefined;
    if (unit !== undefined) this.skip(1);
    const text = this.text.slice(num.start, this.prevEnd());
    if (num.kind === 'decimal')
      throw this.syntax(
        num,
        `Decimal time interval [${num.text}] not supported; please use an positive integer`,
      );
    const value = Number(num.text);
    if (!(value > 0)) throw this.syntax(num, `A positive maxspan value is required; found [${num.text}]`);
    if (unit === undefined)
      throw this.syntax(num, `No time unit specified, did you mean [s] as in [${num.text}s]?`);
    const factor = TIME_UNITS[unit];
    if (factor === undefined)
      throw this.syntax(
        unitTok,
        `Unrecognized time unit [${unit}] in [${text}], please specify one of [ms, s, m, h, d]`,
      );
    return { ms: value * factor, text };
  }

  private pipe(): PipeNode {
    const bar = this.next();
    const nameTok = this.peek();
    if (nameTok.kind !== 'ident') throw this.mismatched(nameTok, ['IDENTIFIER']);
    this.skip(1);
    const name = nameTok.value;
    const args: ExprNode[] = [];
    if (!this.isOp(this.peek(), '|') && this.peek().kind !== 'eof') {
      args.push(this.expression());
      while (this.isOp(this.peek(), ',')) {
        this.skip(1);
        args.push(this.expression());
      }
    }
    const span = this.span(bar.start, this.prevEnd());
    if (!SUPPORTED_PIPES.has(name)) {
      if (KNOWN_UNSUPPORTED_PIPES.has(name))
        throw this.syntax(
          nameTok,
          `Unsupported pipe [${name}]: Pipe [${name}] is not supported, only [head] and [tail] are`,
        );
      throw this.syntax(nameTok, `Unrecognized pipe [${name}]; supported pipes are [head] and [tail]`);
    }
    if (args.length !== 1)
      throw this.syntax(bar, `Pipe [${name}] expects exactly one argument but found [${args.length}]`);
    const arg = args[0];
    if (arg.kind !== 'literal' || arg.type !== 'integer' || typeof arg.value !== 'number' || arg.value < 0) {
      const at = arg.span;
      throw new EqlSyntaxError(
        `Pipe [${name}] expects a positive integer but found [${this.text.slice(at.start, at.end)}]`,
        at.line,
        at.column,
      );
    }
    return { kind: name as 'head' | 'tail', count: arg.value, span };
  }

  // ---- expressions ----------------------------------------------------------------------

  expression(): ExprNode {
    return this.orExpr();
  }

  private orExpr(): ExprNode {
    const first = this.andExpr();
    if (!this.isKw(this.peek(), 'or')) return first;
    const operands = [first];
    while (this.isKw(this.peek(), 'or')) {
      this.skip(1);
      operands.push(this.andExpr());
    }
    return { kind: 'or', operands, span: this.span(first.span.start, this.prevEnd()) };
  }

  private andExpr(): ExprNode {
    const first = this.notExpr();
    if (!this.isKw(this.peek(), 'and')) return first;
    const operands = [first];
    while (this.isKw(this.peek(), 'and')) {
      this.skip(1);
      operands.push(this.notExpr());
    }
    return { kind: 'and', operands, span: this.span(first.span.start, this.prevEnd()) };
  }

  private notExpr(): ExprNode {
    const t = this.peek();
    if (this.isKw(t, 'not')) {
      this.skip(1);
      this.enter(t);
      const operand = this.notExpr();
      this.nesting--;
      return { kind: 'not', operand, span: this.span(t.start, this.prevEnd()) };
    }
    const t1 = this.peek2();
    if (t.kind === 'ident' && !KEYWORDS.has(t.value) && t1 && this.isKw(t1, 'of'))
      throw this.syntax(t, 'Process relationships are not supported');
    return this.comparison();
  }

  private comparison(): ExprNode {
    const left = this.additive();
    const t = this.peek();
    if (this.isOp(t, '='))
      throw this.syntax(
        t,
        `mismatched input '=' expecting {'==', '!=', ':', ...}: EQL compares with == (or : case-insensitively), not =`,
      );
    if (t.kind === 'op' && COMPARISON_OPS.has(t.text)) {
      this.skip(1);
      const right = this.additive();
      return {
        kind: 'compare',
        op: t.text as ComparisonOp,
        left,
        right,
        span: this.span(left.span.start, this.prevEnd()),
      };
    }
    return left;
  }

  private additive(): ExprNode {
    let left = this.multiplicative();
    let chain = 0;
    while (this.isOp(this.peek(), '+') || this.isOp(this.peek(), '-')) {
      const op = this.next();
      if (++chain + this.nesting > MAX_NESTING) throw this.tooDeep(op);
      const right = this.multiplicative();
      left = {
        kind: 'arith',
        op: op.text as ArithmeticOp,
        left,
        right,
        span: this.span(left.span.start, this.prevEnd()),
      };
    }
    return left;
  }

  private multiplicative(): ExprNode {
    let left = this.unary();
    let chain = 0;
    while (this.isOp(this.peek(), '*') || this.isOp(this.peek(), '/') || this.isOp(this.peek(), '%')) {
      const op = this.next();
      if (++chain + this.nesting > MAX_NESTING) throw this.tooDeep(op);
      const right = this.unary();
      left = {
        kind: 'arith',
        op: op.text as ArithmeticOp,
        left,
        right,
        span: this.span(left.span.start, this.prevEnd()),
      };
    }
    return left;
  }

  private unary(): ExprNode {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      this.skip(1);
      this.enter(t);
      const operand = this.unary();
      this.nesting--;
      const span = this.span(t.start, this.prevEnd());
      if (t.text === '+') return operand;
      // Fold `-<number>` so lists like `in (-1, 2)` stay literal (Elasticsearch folds it too).
      if (operand.kind === 'literal' && typeof operand.value === 'number')
        return { ...operand, value: -operand.value, span };
      return { kind: 'neg', operand, span };
    }
    return this.predicated();
  }

  private predicated(): ExprNode {
    const value = this.primary();
    const t = this.peek();
    const t1 = this.peek2();
    // [not] in / in~
    if (this.isKw(t, 'not') && t1 && (this.isKw(t1, 'in') || isTilde(t1, 'in'))) {
      this.skip(2);
      return this.inList(value, true, t1.kind === 'tident');
    }
    if (this.isKw(t, 'in') || isTilde(t, 'in')) {
      this.skip(1);
      return this.inList(value, false, t.kind === 'tident');
    }
    let op: 'seq' | 'like' | 'regex' | undefined;
    let ci = false;
    if (this.isOp(t, ':')) {
      op = 'seq';
      ci = true;
    } else if (this.isKw(t, 'like') || isTilde(t, 'like')) {
      op = 'like';
      ci = t.kind === 'tident';
    } else if (this.isKw(t, 'regex') || isTilde(t, 'regex')) {
      op = 'regex';
      ci = t.kind === 'tident';
    }
    if (!op) return value;
    this.skip(1);
    const patterns: LiteralNode[] = [];
    if (this.isOp(this.peek(), '(')) {
      this.skip(1);
      patterns.push(this.constant());
      while (this.isOp(this.peek(), ',')) {
        this.skip(1);
        patterns.push(this.constant());
      }
      this.expectOp(')');
    } else patterns.push(this.constant());
    return {
      kind: 'pattern',
      op,
      caseInsensitive: ci,
      value,
      patterns,
      span: this.span(value.span.start, this.prevEnd()),
    };
  }

  private inList(value: ExprNode, negated: boolean, caseInsensitive: boolean): ExprNode {
    const open = this.peek();
    this.expectOp('(');
    this.enter(open);
    const list = [this.expression()];
    while (this.isOp(this.peek(), ',')) {
      this.skip(1);
      list.push(this.expression());
    }
    this.expectOp(')');
    this.nesting--;
    return {
      kind: 'in',
      value,
      list,
      negated,
      caseInsensitive,
      span: this.span(value.span.start, this.prevEnd()),
    };
  }

  private constant(): LiteralNode {
    const t = this.peek();
    const lit = this.literal(t);
    if (!lit)
      throw this.mismatched(t, ["'null'", "'true'", "'false'", 'STRING', 'INTEGER_VALUE', 'DECIMAL_VALUE']);
    this.skip(1);
    return lit;
  }

  private literal(t: Token): LiteralNode | undefined {
    const span = this.span(t.start, t.end);
    switch (t.kind) {
      case 'string':
        return { kind: 'literal', value: t.value, type: 'keyword', span };
      case 'int': {
        const v = Number(t.text);
        const type = v <= 2147483647 ? 'integer' : v <= 9223372036854775807 ? 'long' : 'double';
        return { kind: 'literal', value: v, type, span };
      }
      case 'decimal': {
        const v = Number(t.text);
        if (!Number.isFinite(v)) throw this.syntax(t, `Number [${t.text}] is too large`);
        return { kind: 'literal', value: v, type: 'double', span };
      }
      case 'ident':
        if (t.value === 'true' || t.value === 'false')
          return { kind: 'literal', value: t.value === 'true', type: 'boolean', span };
        if (t.value === 'null') return { kind: 'literal', value: null, type: 'null', span };
        return undefined;
      default:
        return undefined;
    }
  }

  private primary(): ExprNode {
    const t = this.peek();
    const lit = this.literal(t);
    if (lit) {
      this.skip(1);
      return lit;
    }
    if (this.isOp(t, '(')) {
      this.skip(1);
      this.enter(t);
      const inner = this.expression();
      this.expectOp(')');
      this.nesting--;
      return inner;
    }
    const t1 = this.peek2();
    if (t.kind === 'tident' && !['in', 'like', 'regex'].includes(t.value)) return this.call(t, true);
    if (t.kind === 'ident' && !KEYWORDS.has(t.value) && t1 && this.isOp(t1, '(')) return this.call(t, false);
    if (this.isOp(t, '?')) {
      this.skip(1);
      return this.qualifiedName(t.start, true);
    }
    if (t.kind === 'qident' || (t.kind === 'ident' && !KEYWORDS.has(t.value)))
      return this.qualifiedName(t.start, false);
    throw this.mismatched(t, [
      "'('",
      "'?'",
      "'-'",
      "'+'",
      "'not'",
      "'null'",
      "'true'",
      "'false'",
      'STRING',
      'INTEGER_VALUE',
      'DECIMAL_VALUE',
      'IDENTIFIER',
    ]);
  }

  private call(nameTok: Token, caseInsensitive: boolean): ExprNode {
    this.skip(1);
    const open = this.peek();
    this.expectOp('(');
    this.enter(open);
    const args: ExprNode[] = [];
    if (!this.isOp(this.peek(), ')')) {
      args.push(this.expression());
      while (this.isOp(this.peek(), ',')) {
        this.skip(1);
        args.push(this.expression());
      }
    }
    this.expectOp(')');
    this.nesting--;
    return {
      kind: 'call',
      name: nameTok.value,
      caseInsensitive,
      args,
      span: this.span(nameTok.start, this.prevEnd()),
      nameSpan: this.span(nameTok.start, nameTok.end),
    };
  }

  private qualifiedName(start: number, optional: boolean): ExprNode {
    const first = this.peek();
    if (first.kind !== 'qident' && !(first.kind === 'ident' && !KEYWORDS.has(first.value)))
      throw this.mismatched(first, ['IDENTIFIER', 'QUOTED_IDENTIFIER']);
    this.skip(1);
    const parts = [first.value];
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '.')) {
        const seg = this.peek2();
        // After a dot any word is a field segment, keywords included (`event.sequence`).
        if (seg && (seg.kind === 'ident' || seg.kind === 'qident')) {
          this.skip(2);
          parts.push(seg.value);
          continue;
        }
        throw this.mismatched(seg ?? t, ['IDENTIFIER', 'QUOTED_IDENTIFIER']);
      }
      if (this.isOp(t, '[') && this.peek2().kind === 'int')
        throw this.syntax(this.peek2(), 'Array indexes are not supported');
      break;
    }
    return { kind: 'field', path: parts.join('.'), optional, span: this.span(start, this.prevEnd()) };
  }

  // ---- helpers ----------------------------------------------------------------------------

  private peek(): Token {
    return this.current;
  }

  /** The token after the current one. */
  private peek2(): Token {
    if (!this.lookahead) this.lookahead = this.current.kind === 'eof' ? this.current : this.pull();
    return this.lookahead;
  }

  private skip(count: number): void {
    for (let i = 0; i < count; i++) {
      this.lastEnd = this.current.end;
      if (this.current.kind === 'eof') return;
      this.current = this.lookahead ?? this.pull();
      this.lookahead = undefined;
    }
  }

  private next(): Token {
    const t = this.current;
    this.skip(1);
    return t;
  }

  /** End offset of the last consumed token. */
  private prevEnd(): number {
    return this.lastEnd;
  }

  private isKw(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.value === word;
  }

  private isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.text === op;
  }

  private expectKw(word: string): void {
    const t = this.peek();
    if (!this.isKw(t, word)) throw this.mismatched(t, [`'${word}'`]);
    this.skip(1);
  }

  private expectOp(op: string): void {
    const t = this.peek();
    if (!this.isOp(t, op)) throw this.mismatched(t, [`'${op}'`]);
    this.skip(1);
  }

  private enter(t: Token): void {
    if (++this.nesting > MAX_NESTING) throw this.tooDeep(t);
  }

  private tooDeep(t: Token): EqlSyntaxError {
    return this.syntax(t, `EQL statement is too deeply nested: more than ${MAX_NESTING} levels`);
  }

  span(start: number, end: number): Span {
    const { line, column } = this.lines.position(start);
    return { line, column, start, end };
  }

  private syntax(t: Token, reason: string): EqlSyntaxError {
    const { line, column } = this.lines.position(t.start);
    return new EqlSyntaxError(reason, line, column);
  }

  private verification(span: Span, reason: string): EqlVerificationError {
    return new EqlVerificationError(reason, span.line, span.column);
  }

  private mismatched(t: Token, expected: string[]): EqlSyntaxError {
    const exp = expected.length === 1 ? expected[0] : `{${expected.join(', ')}}`;
    return this.syntax(t, `mismatched input ${quote(t)} expecting ${exp}`);
  }
}

function isTilde(t: Token, word: string): boolean {
  return t.kind === 'tident' && t.value === word;
}

function quote(t: Token): string {
  if (t.kind === 'eof') return "'<EOF>'";
  const text = t.text.length > 60 ? t.text.slice(0, 57) + '...' : t.text;
  return `'${text}'`;
}

/** Every stage (and `until`) must have as many `by` keys as the first (shared keys aside). */
function checkKeyCounts(stages: StageNode[], lines: LineMap): void {
  let expected = -1;
  for (const s of stages) {
    const n = s.keys.length;
    if (expected < 0) expected = n;
    else if (n !== expected) {
      const at = s.keys[0]?.span ?? s.span;
      const { line, column } = lines.position(at.start);
      throw new EqlVerificationError(
        `Inconsistent number of join keys specified; expected [${expected}] but found [${n}]`,
        line,
        column,
      );
    }
  }
}

/** Measures expression depth without recursion and rejects trees deeper than MAX_NESTING + slack
 * (operator chains build left-deep trees that the nesting counter alone does not see). */
function checkDepth(root: ExprNode, lines: LineMap): void {
  const stack: Array<[ExprNode, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    if (d > MAX_NESTING * 2) {
      const { line, column } = lines.position(node.span.start);
      throw new EqlSyntaxError(
        `EQL statement is too deeply nested: more than ${MAX_NESTING} levels`,
        line,
        column,
      );
    }
    for (const child of childrenOf(node)) stack.push([child, d + 1]);
  }
}

export function childrenOf(node: ExprNode): ExprNode[] {
  switch (node.kind) {
    case 'literal':
    case 'field':
      return [];
    case 'not':
    case 'neg':
      return [node.operand];
    case 'and':
    case 'or':
      return node.operands;
    case 'compare':
    case 'arith':
      return [node.left, node.right];
    case 'in':
      return [node.value, ...node.list];
    case 'pattern':
      return [node.value, ...node.patterns];
    case 'call':
      return node.args;
  }
}

/**
 * The typed syntax tree of an EQL query, as written (nothing folded or rewritten), so the
 * verifier can report positions and the compiler can choose fast paths.
 */

/** Where a node starts in the query text (1-based line and column) and its text span. */
export interface Span {
  line: number;
  column: number;
  /** Offsets into the query text: [start, end). */
  start: number;
  end: number;
}

/** Static types, named as Elasticsearch names them in its messages. */
export type EqlType = 'keyword' | 'integer' | 'long' | 'double' | 'boolean' | 'null';

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

export interface LiteralNode {
  kind: 'literal';
  value: string | number | boolean | null;
  type: EqlType;
  span: Span;
}

export interface FieldNode {
  kind: 'field';
  /** Dotted ECS path (backtick-quoted segments already unescaped). */
  path: string;
  /** `?field`: a field the mapping may not have; reads as null when missing. */
  optional: boolean;
  span: Span;
}

export interface NotNode {
  kind: 'not';
  operand: ExprNode;
  span: Span;
}

/** `a and b and c` / `a or b or c`, kept n-ary so long chains never make deep trees. */
export interface LogicalNode {
  kind: 'and' | 'or';
  operands: ExprNode[];
  span: Span;
}

export interface ComparisonNode {
  kind: 'compare';
  op: ComparisonOp;
  left: ExprNode;
  right: ExprNode;
  span: Span;
}

export interface ArithmeticNode {
  kind: 'arith';
  op: ArithmeticOp;
  left: ExprNode;
  right: ExprNode;
  span: Span;
}

export interface NegNode {
  kind: 'neg';
  operand: ExprNode;
  span: Span;
}

/** `value [not] in[~] (a, b, ...)`. */
export interface InNode {
  kind: 'in';
  value: ExprNode;
  list: ExprNode[];
  negated: boolean;
  caseInsensitive: boolean;
  span: Span;
}

/** `value : pattern(s)`, `value like[~] pattern(s)`, `value regex[~] pattern(s)`. */
export interface PatternNode {
  kind: 'pattern';
  /** `:` is always case-insensitive, with `*`/`?` wildcards; `like` is wildcard; `regex` RE2. */
  op: 'seq' | 'like' | 'regex';
  caseInsensitive: boolean;
  value: ExprNode;
  patterns: LiteralNode[];
  span: Span;
}

export interface CallNode {
  kind: 'call';
  /** The name as written, without `~`. */
  name: string;
  caseInsensitive: boolean;
  args: ExprNode[];
  span: Span;
  nameSpan: Span;
}

export type ExprNode =
  | LiteralNode
  | FieldNode
  | NotNode
  | LogicalNode
  | ComparisonNode
  | ArithmeticNode
  | NegNode
  | InNode
  | PatternNode
  | CallNode;

/** `<category> where <condition>` or `any where <condition>`. */
export interface EventFilterNode {
  /** The category as written (unquoted); null for `any`. */
  category: string | null;
  condition: ExprNode;
  span: Span;
}

/** One bracketed stage of a sequence or sample. */
export interface StageNode {
  filter: EventFilterNode;
  /** The stage's own `by` keys (the shared keys live on the query). */
  keys: ExprNode[];
  /** `with runs=N` (1 when absent). */
  runs: number;
  /** `![ ... ]`. */
  missing: boolean;
  span: Span;
}

export type PipeNode = { kind: 'head' | 'tail'; count: number; span: Span };

export interface EventQueryNode {
  kind: 'event';
  filter: EventFilterNode;
  pipes: PipeNode[];
  span: Span;
}

export interface SequenceQueryNode {
  kind: 'sequence';
  /** Shared `sequence by` keys. */
  keys: ExprNode[];
  /** `with maxspan=` in milliseconds, with the text as written. */
  maxspan?: { ms: number; text: string };
  stages: StageNode[];
  until?: StageNode;
  pipes: PipeNode[];
  span: Span;
}

export interface SampleQueryNode {
  kind: 'sample';
  keys: ExprNode[];
  stages: StageNode[];
  pipes: PipeNode[];
  span: Span;
}

export type QueryNode = EventQueryNode | SequenceQueryNode | SampleQueryNode;

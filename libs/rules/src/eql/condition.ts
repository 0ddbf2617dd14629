/**
 * Compiles a `where` condition the way Elasticsearch runs it: translated to Query DSL where it
 * can be, a script where it cannot.
 *
 * Elasticsearch EQL hands each filter to QL's query translator (EQL `QueryTranslator`, QL
 * `ExpressionTranslators`). A predicate of a (non-optional) field against constants becomes a
 * Lucene query: `==` a term query, `!=` `must_not` of it, `in` a terms query, `:` a
 * case-insensitive term query or (with `*`/`?`) a wildcard query, `like` a wildcard, `regex` a
 * regexp query, `startsWith` a prefix query, `endsWith`/`stringContains` wildcard queries,
 * `cidrMatch` a terms query, `<`/`<=`/`>`/`>=` range queries, `== null`/`!= null` `exists`.
 * `and`/`or` become `bool` queries and `not` becomes `bool.must_not` of the translated operand.
 * A Lucene query is two-valued: a document without the field does not match the term, and
 * DOES match its `must_not`. So `not file.extension in ("swp")` matches an event that has no
 * `file.extension`.
 *
 * Everything else (a function or arithmetic over a field in a comparison, `length(x) > 3`,
 * `?optional` fields, bare boolean fields) runs as a script with three-valued logic; a script
 * leaf matches only when it is true (null counts as false), and `not` of a script leaf is
 * itself a script (EQL's `Nots` translator keeps it a script), so `not length(x) > 3` is
 * null → no match when `x` is missing. Negation of a `bool` that merely contains script
 * leaves is `must_not` again (two-valued), as in Elasticsearch.
 *
 * Elasticsearch's EQL optimizer does not push `not` into comparisons (its boolean
 * simplification disables negation of negatables), so `not x < 5` stays `must_not(range)`
 * and matches events without `x`. It does rewrite `f(...) == true/false` to `f(...)` /
 * `not f(...)` (BooleanFunctionEqualsElimination), and `x + 1 == 3` to `x == 2`
 * (SimplifyComparisonsArithmetics, integer literals with `+`/`-`/unary minus), both mirrored.
 */
import type { CallNode, ComparisonNode, ExprNode } from './ast';
import { adaptiveJunction } from './adaptive-junction';
import { compileValue } from './evaluate';
import { memoizedPerEvent } from './field-access';
import { referencesField } from './verify';

type Test = (event: unknown) => boolean;

/** One translated node: `query` when Elasticsearch turns it into Query DSL (two-valued). */
interface Translation {
  query: boolean;
  test: Test;
}

const isArr = Array.isArray;

/** The `where` clause matches only when the condition holds (scripts: only when true). */
export function compileCondition(node: ExprNode): Test {
  return translate(node).test;
}

/**
 * Leaves (comparisons, `in`, patterns, calls) are shared by every rule that has the same one
 * and memoized per event (inside an event scope, see ./field-access): the 30 rules an exec
 * event reaches mostly start with the same `host.os.type`, `event.type` and `event.action`
 * tests. Keys omit source positions; very long leaves (huge `in` lists) are not shared, so
 * the table stays small.
 */
const sharedLeaves = new Map<string, Translation>();
const MAX_SHARED_KEY = 4096;
const MAX_SHARED_LEAVES = 50_000;

function leafKey(node: ExprNode, kind: string): string | undefined {
  const key = kind + JSON.stringify(node, (k, v: unknown) => (k === 'span' ? undefined : v));
  return key.length <= MAX_SHARED_KEY ? key : undefined;
}

function sharedLeaf(node: ExprNode, kind: string, build: () => Translation): Translation {
  const key = leafKey(node, kind);
  const known = key === undefined ? undefined : sharedLeaves.get(key);
  if (known) return known;
  const t = build();
  const leaf = { query: t.query, test: memoizedPerEvent(t.test) };
  if (key !== undefined && sharedLeaves.size < MAX_SHARED_LEAVES) sharedLeaves.set(key, leaf);
  return leaf;
}

function isTrue(v: unknown): boolean {
  return v === true || (isArr(v) && v.includes(true));
}

/** A script leaf: three-valued evaluation, matching only on true. */
function script(node: ExprNode): Translation {
  return sharedLeaf(node, 's', () => {
    const f = compileValue(node);
    return { query: false, test: (ev) => isTrue(f(ev)) };
  });
}

/** A Query DSL leaf whose positive form is `node` (null counts as not matching). */
function query(node: ExprNode, negate = false): Translation {
  return sharedLeaf(node, negate ? 'n' : 'q', () => {
    const f = compileValue(node);
    return { query: true, test: negate ? (ev) => !isTrue(f(ev)) : (ev) => isTrue(f(ev)) };
  });
}

/** A field Elasticsearch can push down: a plain (not `?optional`) field reference. */
function isPushableField(e: ExprNode): boolean {
  return e.kind === 'field' && !e.optional;
}

/** Folds to a constant (ConstantFolding runs before translation). */
function isConstant(e: ExprNode): boolean {
  return !referencesField(e);
}

// `and`/`or` over two-valued tests (a script leaf is already true-or-not): any order gives
// the same result, so they learn which part to test first (./adaptive-junction).
function allOf(parts: Test[]): Test {
  return adaptiveJunction(parts, false);
}

function anyOf(parts: Test[]): Test {
  return adaptiveJunction(parts, true);
}

function translate(node: ExprNode): Translation {
  switch (node.kind) {
    case 'and':
      return { query: true, test: allOf(node.operands.map(translate).map((t) => t.test)) };
    case 'or':
      return { query: true, test: anyOf(node.operands.map(translate).map((t) => t.test)) };
    case 'not': {
      const inner = translate(node.operand);
      if (!inner.query) return script(node);
      const t = inner.test;
      return { query: true, test: (ev) => !t(ev) };
    }
    case 'literal':
      return node.value === true || node.value === false ? query(node) : script(node);
    case 'compare':
      return translateComparison(node);
    case 'in':
      // `x in (...)` → terms; `x not in (...)` → must_not(terms).
      if (isPushableField(node.value) && node.list.every(isConstant))
        return query({ ...node, negated: false }, node.negated);
      return script(node);
    case 'pattern':
      // `:` → term (case-insensitive) or wildcard, `like` → wildcard, `regex` → regexp.
      return isPushableField(node.value) ? query(node) : script(node);
    case 'call':
      return isTranslatableCall(node) ? query(node) : script(node);
    default:
      return script(node);
  }
}

function translateComparison(node: ComparisonNode): Translation {
  const { op, left, right } = node;
  const isNull = (e: ExprNode): boolean => e.kind === 'literal' && e.value === null;
  // `x == null` / `x != null` → IS NULL / IS NOT NULL: two-valued whatever x is.
  if (isNull(left) || isNull(right)) return op === '==' || op === '!=' ? query(node) : script(node);
  // BooleanFunctionEqualsElimination: `f(...) == true` → f(...), `f(...) == false` → not f(...).
  const bool = (e: ExprNode): e is ExprNode & { value: boolean } =>
    e.kind === 'literal' && typeof e.value === 'boolean';
  const fn = left.kind === 'call' && bool(right) ? left : right.kind === 'call' && bool(left) ? right : null;
  if (fn && (op === '==' || op === '!=')) {
    const lit = (fn === left ? right : left) as { value: boolean };
    const positive = (op === '==') === lit.value;
    return positive ? translate(fn) : translate({ kind: 'not', operand: fn, span: node.span });
  }
  const pushable =
    (isFieldOrShifted(left) && isIntegralLiteral(right)) ||
    (isFieldOrShifted(right) && isIntegralLiteral(left)) ||
    (isPushableField(left) && isConstant(right)) ||
    (isPushableField(right) && isConstant(left));
  if (!pushable) return script(node);
  // `x != v` → must_not(term x = v).
  if (op === '!=') return query({ ...node, op: '==' }, true);
  return query(node);
}

/** An integer literal (`5`, `-5`): what SimplifyComparisonsArithmetics may move across. */
function isIntegralLiteral(e: ExprNode): boolean {
  if (e.kind === 'neg') return isIntegralLiteral(e.operand);
  return e.kind === 'literal' && (e.type === 'integer' || e.type === 'long');
}

/**
 * A field shifted by integer constants (`x + 1`, `5 - x`, `-x`, nested): Elasticsearch's
 * SimplifyComparisonsArithmetics rewrites `x + 1 == 3` to `x == 2` when both literals are
 * integral, which then translates to a term query. `*` and `/` depend on the field's mapped
 * type there (integer division is never moved), so they stay scripts here.
 */
function isFieldOrShifted(e: ExprNode): boolean {
  if (isPushableField(e)) return true;
  if (e.kind === 'neg') return isFieldOrShifted(e.operand);
  if (e.kind !== 'arith' || (e.op !== '+' && e.op !== '-')) return false;
  return (
    (isFieldOrShifted(e.left) && isIntegralLiteral(e.right)) ||
    (isIntegralLiteral(e.left) && isFieldOrShifted(e.right))
  );
}

/** startsWith → prefix, endsWith / stringContains → wildcard, cidrMatch → terms (field + constants). */
function isTranslatableCall(node: CallNode): boolean {
  const name = node.name.toLowerCase();
  const [first, ...rest] = node.args;
  if (!first || !isPushableField(first) || !rest.every(isConstant)) return false;
  return name === 'startswith' || name === 'endswith' || name === 'stringcontains' || name === 'cidrmatch';
}

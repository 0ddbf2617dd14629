/**
 * Compiles EQL expressions to closures over one event (no generated source, no `new Function`).
 *
 * Values: string | number | boolean | null, or an array for a multi-valued field. Booleans are
 * three-valued (true / false / null), as in Elasticsearch's scripts: a comparison with a missing
 * value is null, `not null` is null. A `where` clause is compiled by ./condition, which decides,
 * as Elasticsearch's query translator does, which parts are Query DSL (two-valued: a missing
 * field does not match, its negation does) and which are scripts evaluated here.
 *
 * Multi-valued fields match when any value matches (Elasticsearch's term-query semantics):
 * predicates test every value; value functions map over values; `!=` and `not in` are the
 * negation of `==` and `in` (no value equals), as Elasticsearch translates them.
 */
import { compileEqlFieldGetter, memoizedPerEvent } from './field-access';
import type { ArithmeticOp, CallNode, ComparisonOp, ExprNode, InNode, PatternNode } from './ast';
import * as F from './functions';
import { compileEqlRegex } from './regex';
import { referencesField } from './verify';
import { compileEqlWildcard, compileEqlWildcardSet, hasEqlWildcard } from './wildcard';

export type ValueFn = (event: unknown) => unknown;

const isArr = Array.isArray;
/** Cap on the combinations a function over several multi-valued fields evaluates. */
const MAX_COMBINATIONS = 4096;

const NO_EVENT = Object.freeze({});

/** Compiles an expression; expressions without fields are folded to a constant once. */
export function compileValue(node: ExprNode): ValueFn {
  const fn = compileNode(node);
  if (node.kind !== 'literal' && !referencesField(node)) {
    const value = fn(NO_EVENT);
    return () => value;
  }
  return fn;
}

/** A join key: the raw value (null when missing). */
export function compileKey(node: ExprNode): ValueFn {
  return compileValue(node);
}

function compileNode(node: ExprNode): ValueFn {
  switch (node.kind) {
    case 'literal': {
      const v = node.value;
      return () => v;
    }
    case 'field':
      return fieldFn(node.path);
    case 'not': {
      const f = compileValue(node.operand);
      return (ev) => not3(bool3(f(ev)));
    }
    case 'and':
      return andFn(node.operands.map(compileValue));
    case 'or':
      return orFn(node.operands.map(compileValue));
    case 'compare':
      return compareFn(node.op, node.left, node.right);
    case 'arith':
      return arithFn(
        node.op,
        compileValue(node.left),
        compileValue(node.right),
        !isDouble(node.left) && !isDouble(node.right),
      );
    case 'neg': {
      const f = compileValue(node.operand);
      return lift1(f, (v) => {
        const n = F.toNumber(v);
        return n === null ? null : -n;
      });
    }
    case 'in':
      return inFn(node);
    case 'pattern':
      return patternFn(node);
    case 'call':
      return callFn(node);
  }
}

// ---- values and three-valued logic ----------------------------------------------------------

function fieldFn(path: string): ValueFn {
  const get = compileEqlFieldGetter(path);
  return (ev) => {
    const v = get(ev);
    if (v === undefined || v === null) return null;
    if (isArr(v)) return v.length === 0 ? null : v.length === 1 ? v[0] : v;
    return v;
  };
}

const loweredFields = new Map<string, ValueFn>();

/**
 * A plain field's value lower-cased (strings, and the strings of a list), memoized per event:
 * the case-insensitive tests of many rules on one command line lower-case it once.
 */
function loweredFieldFn(path: string): ValueFn {
  let f = loweredFields.get(path);
  if (!f) {
    const read = fieldFn(path);
    f = memoizedPerEvent((ev) => lowerValue(read(ev)));
    if (loweredFields.size < 10_000) loweredFields.set(path, f);
  }
  return f;
}

/** The path of a plain (not optional) field, whose lower-cased value can be shared. */
function plainFieldPath(node: ExprNode): string | undefined {
  return node.kind === 'field' && !node.optional ? node.path : undefined;
}

/** Collapses a value to true / false / null (arrays: any true, else any false, else null). */
function bool3(v: unknown): boolean | null {
  if (v === true || v === false) return v;
  if (isArr(v)) {
    if (v.includes(true)) return true;
    if (v.includes(false)) return false;
  }
  return null;
}

function not3(b: boolean | null): boolean | null {
  return b === null ? null : !b;
}

function andFn(fns: ValueFn[]): ValueFn {
  if (fns.length === 2) {
    const [a, b] = fns;
    return (ev) => {
      const x = bool3(a(ev));
      if (x === false) return false;
      const y = bool3(b(ev));
      if (y === false) return false;
      return x === null || y === null ? null : true;
    };
  }
  return (ev) => {
    let sawNull = false;
    for (let i = 0; i < fns.length; i++) {
      const r = bool3(fns[i](ev));
      if (r === false) return false;
      if (r === null) sawNull = true;
    }
    return sawNull ? null : true;
  };
}

function orFn(fns: ValueFn[]): ValueFn {
  return (ev) => {
    let sawNull = false;
    for (let i = 0; i < fns.length; i++) {
      const r = bool3(fns[i](ev));
      if (r === true) return true;
      if (r === null) sawNull = true;
    }
    return sawNull ? null : false;
  };
}

/** Any element passes: true; else null when some element was null; else false. */
function anyOf(values: unknown[], test: (x: unknown) => boolean | null): boolean | null {
  let sawNull = false;
  for (const x of values) {
    const r = test(x);
    if (r === true) return true;
    if (r === null) sawNull = true;
  }
  return sawNull ? null : false;
}

function lift1(f: ValueFn, impl: (a: unknown) => unknown): ValueFn {
  return (ev) => {
    const a = f(ev);
    return isArr(a) ? a.map(impl) : impl(a);
  };
}

/** Calls `impl` on scalars; when an argument is multi-valued, on every combination. */
function liftN(fns: ValueFn[], impl: (args: unknown[]) => unknown): ValueFn {
  if (fns.length === 1) {
    const [a] = fns;
    return (ev) => {
      const x = a(ev);
      return isArr(x) ? x.map((v) => impl([v])) : impl([x]);
    };
  }
  if (fns.length === 2) {
    const [a, b] = fns;
    return (ev) => {
      const x = a(ev);
      const y = b(ev);
      if (!isArr(x) && !isArr(y)) return impl([x, y]);
      return combinations([x, y], impl);
    };
  }
  return (ev) => {
    const vals = fns.map((f) => f(ev));
    if (!vals.some(isArr)) return impl(vals);
    return combinations(vals, impl);
  };
}

function combinations(vals: unknown[], impl: (args: unknown[]) => unknown): unknown[] {
  const lists = vals.map((v) => (isArr(v) ? v : [v]));
  const out: unknown[] = [];
  const current: unknown[] = new Array(lists.length);
  const walk = (i: number): void => {
    if (out.length >= MAX_COMBINATIONS) return;
    if (i === lists.length) {
      out.push(impl(current.slice()));
      return;
    }
    for (const v of lists[i]) {
      current[i] = v;
      walk(i + 1);
    }
  };
  walk(0);
  return out;
}

// ---- comparisons ------------------------------------------------------------------------------

const FLIP: Record<ComparisonOp, ComparisonOp> = {
  '==': '==',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

function sameTypeCompare(
  op: ComparisonOp,
  x: string | number | boolean,
  y: string | number | boolean,
): boolean {
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DOTTED = /^\d{1,9}(?:\.\d{1,9}){2,}$/;

/** An instant as epoch milliseconds plus the nanoseconds below the millisecond (date_nanos). */
type Instant = [ms: number, nanos: number];

/** The instant of an ISO-8601 date string (UTC when it has no zone), else null. */
export function dateInstant(s: string): Instant | null {
  if (s.length > 40 || !ISO_DATE.test(s)) return null;
  const frac = /[.,](\d+)/.exec(s.slice(10));
  const nanos = frac && frac[1].length > 3 ? Number(frac[1].slice(3).padEnd(6, '0').slice(0, 6)) : 0;
  let t = s
    .replace(' ', 'T')
    .replace(/([.,])(\d{3})\d+/, '.$2')
    .replace(',', '.');
  if (t.length > 10 && !/(?:Z|[+-]\d{2}(?::?\d{2})?)$/.test(t.slice(10))) t += 'Z';
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : [ms, nanos];
}

function numberInstant(n: number): Instant {
  const ms = Math.floor(n);
  return [ms, Math.round((n - ms) * 1e6)];
}

function instantOrder(a: Instant, b: Instant): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Compares a number with a string: numerically when the string is numeric, else as instants
 * when it is an ISO date (the number being epoch milliseconds); null when neither. */
function numberVersusString(op: ComparisonOp, n: number, s: string, numberFirst: boolean): boolean | null {
  const v = F.numericString(s);
  if (v !== null) return sameTypeCompare(op, numberFirst ? n : v, numberFirst ? v : n);
  const d = dateInstant(s);
  if (d === null) return op === '==' ? false : op === '!=' ? true : null;
  const order = instantOrder(numberInstant(n), d);
  return orderResult(op, numberFirst ? order : -order);
}

/** Orders dotted numbers (versions, IPv4 addresses) part by part; null when not both dotted. */
function dottedOrder(a: string, b: string): number | null {
  if (!DOTTED.test(a) || !DOTTED.test(b)) return null;
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = Number(x[i] ?? -1) - Number(y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function orderResult(op: ComparisonOp, d: number): boolean {
  switch (op) {
    case '==':
      return d === 0;
    case '!=':
      return d !== 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
  }
}

/** A literal string that must not take the plain string fast path (dates, versions). */
function needsSlowCompare(lit: unknown): boolean {
  return typeof lit === 'string' && (ISO_DATE.test(lit) || DOTTED.test(lit));
}

/** Compares two scalars; null when either is null or they cannot be compared. Numbers and
 * numeric strings compare as numbers; ISO dates compare as instants (with epoch-millisecond
 * numbers too, as an Elasticsearch date field does); dotted numbers (versions) compare part by
 * part when ordered; "true"/"false" compare with booleans. */
export function compareScalars(op: ComparisonOp, a: unknown, b: unknown): boolean | null {
  if (a === null || b === null || a === undefined || b === undefined) return null;
  let x: unknown = a;
  let y: unknown = b;
  const tx = typeof x;
  const ty = typeof y;
  if (tx !== ty) {
    if (tx === 'number' && ty === 'string') return numberVersusString(op, x as number, y as string, true);
    else if (tx === 'string' && ty === 'number')
      return numberVersusString(op, y as number, x as string, false);
    else if (tx === 'boolean' && ty === 'string') y = y === 'true' ? true : y === 'false' ? false : null;
    else if (tx === 'string' && ty === 'boolean') x = x === 'true' ? true : x === 'false' ? false : null;
    else return op === '==' ? false : op === '!=' ? true : null;
    if (x === null || y === null) return op === '==' ? false : op === '!=' ? true : null;
  } else if (tx === 'string') {
    if (x !== y) {
      const dx = dateInstant(x as string);
      if (dx !== null) {
        const dy = dateInstant(y as string);
        if (dy !== null) return orderResult(op, instantOrder(dx, dy));
      }
      if (op !== '==' && op !== '!=') {
        const d = dottedOrder(x as string, y as string);
        if (d !== null) return orderResult(op, d);
      }
    }
  } else if (tx !== 'number' && tx !== 'boolean') return null;
  return sameTypeCompare(op, x as string, y as string);
}

function compareFn(op: ComparisonOp, left: ExprNode, right: ExprNode): ValueFn {
  // `x == null` / `x != null`: Elasticsearch rewrites these to IS NULL / IS NOT NULL.
  if (isNullLiteral(right) || isNullLiteral(left)) {
    const other = compileValue(isNullLiteral(right) ? left : right);
    if (op === '==') return (ev) => other(ev) === null;
    if (op === '!=') return (ev) => other(ev) !== null;
    return () => null;
  }
  // A missing `?field` is the null literal Elasticsearch substitutes for an unmapped optional
  // field: `?x == y` becomes `y == null`, `?x != y` becomes `y != null`.
  const optionalSide = isOptionalField(left) ? left : isOptionalField(right) ? right : undefined;
  if (optionalSide && (op === '==' || op === '!=')) {
    const opt = compileValue(optionalSide);
    const other = compileValue(optionalSide === left ? right : left);
    const normal = compareFn(op, stripOptional(left), stripOptional(right));
    return (ev) => {
      if (opt(ev) === null) return op === '==' ? other(ev) === null : other(ev) !== null;
      return normal(ev);
    };
  }
  if (op === '!=') {
    const eq = compareFn('==', left, right);
    return (ev) => not3(bool3(eq(ev)));
  }
  if (right.kind === 'literal')
    return compareWithLiteral(op, compileValue(left), right.value as string | number | boolean);
  if (left.kind === 'literal')
    return compareWithLiteral(FLIP[op], compileValue(right), left.value as string | number | boolean);
  const l = compileValue(left);
  const r = compileValue(right);
  return (ev) => {
    const a = l(ev);
    const b = r(ev);
    if (isArr(a))
      return anyOf(a, (x) =>
        isArr(b) ? anyOf(b, (y) => compareScalars(op, x, y)) : compareScalars(op, x, b),
      );
    if (isArr(b)) return anyOf(b, (y) => compareScalars(op, a, y));
    return compareScalars(op, a, b);
  };
}

function compareWithLiteral(op: ComparisonOp, f: ValueFn, lit: string | number | boolean): ValueFn {
  const one = (x: unknown): boolean | null => compareScalars(op, x, lit);
  const slow = (v: unknown): boolean | null => (isArr(v) ? anyOf(v, one) : one(v));
  if (needsSlowCompare(lit))
    return (ev) => {
      const v = f(ev);
      return v === null ? null : slow(v);
    };
  const litType = typeof lit;
  if (op === '==') {
    // Multi-valued fields: one pass, coercing only when an element has another type.
    const arrayEquals = (v: unknown[]): boolean | null => {
      let mixed = false;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === lit) return true;
        if (typeof x !== litType) mixed = true;
      }
      return mixed ? slow(v) : false;
    };
    return (ev) => {
      const v = f(ev);
      if (typeof v === litType) return v === lit;
      if (v === null) return null;
      return isArr(v) ? arrayEquals(v) : slow(v);
    };
  }
  return (ev) => {
    const v = f(ev);
    return typeof v === litType
      ? sameTypeCompare(op, v as string, lit as string)
      : v === null
        ? null
        : slow(v);
  };
}

function isOptionalField(e: ExprNode): boolean {
  return e.kind === 'field' && e.optional;
}

function stripOptional(e: ExprNode): ExprNode {
  return e.kind === 'field' && e.optional ? { ...e, optional: false } : e;
}

function isNullLiteral(e: ExprNode): boolean {
  return e.kind === 'literal' && e.value === null;
}

// ---- arithmetic ------------------------------------------------------------------------------

function arithFn(op: ArithmeticOp, l: ValueFn, r: ValueFn, integral: boolean): ValueFn {
  return liftN([l, r], ([a, b]) => F.arithmetic(op, a, b, integral));
}

/** True when the expression is statically a floating-point number (a decimal literal, or an
 * operation on one), which turns integer division into float division. */
function isDouble(e: ExprNode): boolean {
  switch (e.kind) {
    case 'literal':
      return e.type === 'double';
    case 'neg':
      return isDouble(e.operand);
    case 'arith':
      return isDouble(e.left) || isDouble(e.right);
    case 'call': {
      const name = e.name.toLowerCase();
      if (['add', 'subtract', 'multiply', 'divide', 'modulo'].includes(name)) return e.args.some(isDouble);
      return false;
    }
    default:
      return false;
  }
}

// ---- in / : / like / regex -----------------------------------------------------------------

function lowerValue(v: unknown): unknown {
  if (typeof v === 'string') return v.toLowerCase();
  if (isArr(v)) return v.map(lowerValue);
  return v;
}

function inFn(node: InNode): ValueFn {
  const negated = node.negated;
  if (node.list.every((e) => e.kind === 'literal')) {
    const path = node.caseInsensitive ? plainFieldPath(node.value) : undefined;
    const value = path !== undefined ? loweredFieldFn(path) : compileValue(node.value);
    const test = literalSetTest(node, path !== undefined);
    return (ev) => {
      const v = value(ev);
      if (v === null) return null;
      const r = isArr(v) ? anyOf(v, test) : test(v);
      return negated ? not3(r) : r;
    };
  }
  const value = compileValue(node.value);
  const test = expressionListTest(node);
  return (ev) => {
    const v = value(ev);
    if (v === null) return null;
    const r = isArr(v) ? anyOf(v, (x) => test(x, ev)) : test(v, ev);
    return negated ? not3(r) : r;
  };
}

/** Literal lists (the common case, and the 10^5-item hostile case): one Set lookup.
 * `lowered`: the values arrive lower-cased already. */
function literalSetTest(node: InNode, lowered = false): (x: unknown) => boolean | null {
  const ci = node.caseInsensitive;
  const lowerProbe = ci && !lowered;
  const set = new Set<unknown>();
  let hasNumbers = false;
  let hasStrings = false;
  for (const e of node.list) {
    const v = (e as { value: unknown }).value;
    if (v === null) continue;
    if (typeof v === 'number') hasNumbers = true;
    if (typeof v === 'string') hasStrings = true;
    set.add(ci && typeof v === 'string' ? v.toLowerCase() : v);
  }
  return (x) => {
    if (typeof x === 'string') {
      if (set.has(lowerProbe ? x.toLowerCase() : x)) return true;
      if (!hasNumbers) return false;
      const n = F.numericString(x);
      return n !== null && set.has(n);
    }
    if (typeof x === 'number' || typeof x === 'boolean')
      return set.has(x) || (hasStrings && set.has(String(x)));
    return null;
  };
}

/** Lists with computed items: equality against each item's value(s) on this event. */
function expressionListTest(node: InNode): (x: unknown, ev: unknown) => boolean | null {
  const ci = node.caseInsensitive;
  const items = node.list.map(compileValue);
  return (x, ev) => {
    const probe = ci ? lowerValue(x) : x;
    return anyOf(
      items.map((f) => (ci ? lowerValue(f(ev)) : f(ev))),
      (item) =>
        isArr(item) ? anyOf(item, (y) => compareScalars('==', probe, y)) : compareScalars('==', probe, item),
    );
  };
}

function patternFn(node: PatternNode): ValueFn {
  // Case-insensitive wildcards on a plain field read its lower-cased value, shared per event.
  const path = node.op !== 'regex' && node.caseInsensitive ? plainFieldPath(node.value) : undefined;
  const sharedLower = path !== undefined;
  const value = path !== undefined ? loweredFieldFn(path) : compileValue(node.value);
  const ci = node.caseInsensitive && !sharedLower;
  const fold = node.caseInsensitive;
  const texts = node.patterns.map((p) => p.value).filter((v): v is string => typeof v === 'string');
  if (texts.length === 0) return () => null;
  let test: (s: string) => boolean;
  if (node.op === 'regex') {
    const matchers = texts.map((p) => compileEqlRegex(p, ci));
    test = matchers.length === 1 ? matchers[0] : (s) => matchers.some((m) => m(s));
  } else {
    const folded = fold ? texts.map((p) => p.toLowerCase()) : texts;
    const exact = new Set(folded.filter((p) => !hasEqlWildcard(p)));
    const wild = folded.filter(hasEqlWildcard).map((p) => compileEqlWildcard(p, false));
    if (exact.size === 1 && wild.length === 0) {
      const only = [...exact][0];
      // (no length pre-check when case-insensitive: lower-casing can change the length, e.g. U+0130)
      test = ci ? (s) => s.toLowerCase() === only : (s) => s === only;
    } else if (wild.length === 1 && exact.size === 0) {
      const m = wild[0];
      test = ci ? (s) => m(s.toLowerCase()) : m;
    } else {
      const any = compileEqlWildcardSet(folded);
      test = ci ? (s) => any(s.toLowerCase()) : any;
    }
  }
  const scalar = (x: unknown): boolean | null => {
    if (typeof x === 'string') return test(x);
    const t = F.toText(x);
    return t === null ? null : test(t);
  };
  return (ev) => {
    const v = value(ev);
    if (typeof v === 'string') return test(v);
    if (v === null) return null;
    return isArr(v) ? anyOf(v, scalar) : scalar(v);
  };
}

// ---- functions --------------------------------------------------------------------------------

function callFn(node: CallNode): ValueFn {
  const spec = F.lookupFunction(node.name);
  if (!spec) throw new Error(`unknown EQL function ${node.name}`); // the verifier reports it first
  const ci = node.caseInsensitive;
  const args = node.args.map(compileValue);
  // `~` variants: lower-case the string operands (literals were folded, so this runs once).
  const lowered = (i: number): ValueFn => {
    const f = args[i];
    if (!ci) return f;
    const arg = node.args[i];
    if (!referencesField(arg)) {
      const v = lowerValue(f(NO_EVENT));
      return () => v;
    }
    return (ev) => lowerValue(f(ev));
  };
  const n = args.length;
  switch (spec.name) {
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'divide':
    case 'modulo': {
      const op = { add: '+', subtract: '-', multiply: '*', divide: '/', modulo: '%' }[
        spec.name
      ] as ArithmeticOp;
      return arithFn(op, args[0], args[1], !node.args.some(isDouble));
    }
    case 'between':
      return liftN(args, ([s, l, r, g]) => F.between(s, l, r, g ?? false, ci));
    case 'cidrMatch': {
      const ranges = node.args.slice(1).map((a) => {
        const v = a.kind === 'literal' ? a.value : null;
        return typeof v === 'string' ? (F.parseCidr(v) ?? null) : null;
      });
      return lift1(args[0], (ip) => F.cidrMatch(ip, ranges));
    }
    case 'concat':
      return liftN(args, (vals) => F.concat(vals));
    case 'endsWith':
      return liftN([lowered(0), lowered(1)], ([a, b]) => F.endsWith(a, b));
    case 'startsWith':
      return liftN([lowered(0), lowered(1)], ([a, b]) => F.startsWith(a, b));
    case 'stringContains':
      return liftN([lowered(0), lowered(1)], ([a, b]) => F.stringContains(a, b));
    case 'indexOf':
      return n === 3
        ? liftN([lowered(0), lowered(1), args[2]], ([a, b, c]) => F.indexOf(a, b, c, true))
        : liftN([lowered(0), lowered(1)], ([a, b]) => F.indexOf(a, b, null, false));
    case 'length':
      return lift1(args[0], F.length);
    case 'number':
      return n === 2
        ? liftN(args, ([s, b]) => F.number(s, b, true))
        : lift1(args[0], (s) => F.number(s, null, false));
    case 'string':
      return lift1(args[0], F.stringOf);
    case 'substring':
      return n === 3
        ? liftN(args, ([s, a, b]) => F.substring(s, a, b, true))
        : liftN(args, ([s, a]) => F.substring(s, a, null, false));
    default:
      throw new Error(`EQL function ${spec.name} has no implementation`);
  }
}

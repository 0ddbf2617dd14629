/**
 * Semantic checks Elasticsearch makes before it runs a query: known functions with the right
 * number and kinds of arguments, operand types of literals and typed sub-expressions, boolean
 * conditions, no field-to-field comparisons, valid CIDR blocks and regular expressions.
 *
 * Field types are unknown here (no mapping), so a field is compatible with everything; only
 * what the query text itself proves wrong is rejected.
 */
import type { ExprNode, QueryNode, Span, StageNode } from './ast';
import { EqlVerificationError } from './errors';
import { lookupFunction, parseCidr, type ParamKind } from './functions';
import { compileEqlRegex } from './regex';

export type StaticType =
  'keyword' | 'integer' | 'long' | 'double' | 'boolean' | 'null' | 'numeric' | 'unknown';

const ORDINALS = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
];
const ordinal = (i: number): string => ORDINALS[i] ?? `${i + 1}th`;

const isNumeric = (t: StaticType): boolean =>
  t === 'integer' || t === 'long' || t === 'double' || t === 'numeric';
const isKnown = (t: StaticType): boolean => t !== 'unknown' && t !== 'null';

export class Verifier {
  constructor(private readonly text: string) {}

  query(q: QueryNode): void {
    if (q.kind === 'event') {
      this.condition(q.filter.condition);
      return;
    }
    for (const k of q.keys) this.joinKey(k);
    const stages: StageNode[] = q.kind === 'sequence' && q.until ? [...q.stages, q.until] : q.stages;
    for (const s of stages) {
      this.condition(s.filter.condition);
      for (const k of s.keys) this.joinKey(k);
    }
  }

  /** Elasticsearch joins on fields only (`by unique_pid * 2` is refused). */
  private joinKey(k: ExprNode): void {
    this.check(k);
    if (k.kind !== 'field') throw this.fail(k.span, `Join keys must be fields, found [${this.src(k.span)}]`);
  }

  /** A `where` clause: must be boolean when its type is known. */
  condition(e: ExprNode): void {
    const t = this.check(e);
    if (isKnown(t) && t !== 'boolean')
      throw this.fail(e.span, `Condition expression needs to be boolean, found [${upper(t)}]`);
  }

  private src(span: Span): string {
    return this.text.slice(span.start, span.end);
  }

  private fail(span: Span, reason: string): EqlVerificationError {
    return new EqlVerificationError(reason, span.line, span.column);
  }

  private expectKind(
    owner: ExprNode,
    arg: ExprNode,
    index: number,
    kind: ParamKind,
    t: StaticType,
    single = false,
  ): void {
    if (!isKnown(t) || kind === 'any') return;
    const ok =
      kind === 'string'
        ? t === 'keyword'
        : kind === 'numeric'
          ? isNumeric(t)
          : kind === 'integer'
            ? t === 'integer' || t === 'long' || t === 'numeric'
            : t === 'boolean';
    if (ok) return;
    const which = single ? 'argument' : `${ordinal(index)} argument`;
    throw this.fail(
      arg.span,
      `${which} of [${this.src(owner.span)}] must be [${kind}], found value [${this.src(arg.span)}] type [${t}]`,
    );
  }

  check(e: ExprNode): StaticType {
    switch (e.kind) {
      case 'literal':
        return e.type;
      case 'field':
        return 'unknown';
      case 'not': {
        this.expectKind(e, e.operand, 0, 'boolean', this.check(e.operand), true);
        return 'boolean';
      }
      case 'and':
      case 'or':
        e.operands.forEach((o, i) => this.expectKind(e, o, i, 'boolean', this.check(o)));
        return 'boolean';
      case 'neg': {
        const t = this.check(e.operand);
        this.expectKind(e, e.operand, 0, 'numeric', t, true);
        return isNumeric(t) ? t : 'numeric';
      }
      case 'arith': {
        const l = this.check(e.left);
        const r = this.check(e.right);
        this.expectKind(e, e.left, 0, 'numeric', l);
        this.expectKind(e, e.right, 1, 'numeric', r);
        return numericResult(l, r);
      }
      case 'compare': {
        const l = this.check(e.left);
        const r = this.check(e.right);
        this.noFieldComparison(e, e.left, e.right);
        if (isKnown(l) && isKnown(r) && !compatible(l, r))
          throw this.fail(
            e.right.span,
            `second argument of [${this.src(e.span)}] must be [${family(l)}], found value [${this.src(e.right.span)}] type [${r}]`,
          );
        return 'boolean';
      }
      case 'in': {
        const v = this.check(e.value);
        for (const item of e.list) {
          const t = this.check(item);
          this.noFieldComparison(e, e.value, item);
          if (isKnown(v) && isKnown(t) && !compatible(v, t))
            throw this.fail(
              item.span,
              `second argument of [${this.src(e.span)}] must be [${family(v)}], found value [${this.src(item.span)}] type [${t}]`,
            );
          if (e.caseInsensitive && isKnown(t) && t !== 'keyword') this.expectKind(e, item, 1, 'string', t);
        }
        if (e.caseInsensitive) this.expectKind(e, e.value, 0, 'string', v);
        return 'boolean';
      }
      case 'pattern': {
        const v = this.check(e.value);
        this.expectKind(e, e.value, 0, 'string', v);
        for (const p of e.patterns) {
          this.expectKind(e, p, 1, 'string', p.type);
          if (e.op === 'regex' && typeof p.value === 'string') {
            try {
              compileEqlRegex(p.value, e.caseInsensitive);
            } catch (err) {
              throw this.fail(p.span, `Invalid regex pattern [${p.value}]: ${(err as Error).message}`);
            }
          }
        }
        return 'boolean';
      }
      case 'call':
        return this.call(e);
    }
  }

  private call(e: Extract<ExprNode, { kind: 'call' }>): StaticType {
    const fn = lookupFunction(e.name);
    if (!fn) throw this.fail(e.nameSpan, `Unknown function [${e.name}${e.caseInsensitive ? '~' : ''}]`);
    if (e.caseInsensitive && !fn.caseInsensitive)
      throw this.fail(e.nameSpan, `Function [${fn.name}] does not support case-insensitive matching [~]`);
    const n = e.args.length;
    if (n < fn.minArgs || n > fn.maxArgs) {
      const expects =
        fn.minArgs === fn.maxArgs
          ? `exactly ${fn.minArgs} argument${fn.minArgs === 1 ? '' : 's'}`
          : fn.maxArgs === Infinity
            ? `at least ${fn.minArgs} argument${fn.minArgs === 1 ? '' : 's'}`
            : `${fn.minArgs} to ${fn.maxArgs} arguments`;
      throw this.fail(e.span, `error building [${fn.name}]: expects ${expects}, found [${n}]`);
    }
    const types = e.args.map((a, i) => {
      const t = this.check(a);
      const kind = fn.params[Math.min(i, fn.params.length - 1)];
      this.expectKind(e, a, i, kind, t, fn.maxArgs === 1);
      return t;
    });
    if (fn.name === 'cidrMatch') {
      e.args.slice(1).forEach((a, i) => {
        if (a.kind !== 'literal')
          throw this.fail(
            a.span,
            `${ordinal(i + 1)} argument of [${this.src(e.span)}] must be a constant, received [${this.src(a.span)}]`,
          );
        if (typeof a.value === 'string' && parseCidr(a.value) === undefined)
          throw this.fail(
            a.span,
            `${ordinal(i + 1)} argument of [${this.src(e.span)}] must be a valid CIDR block, found [${a.value}]`,
          );
      });
    }
    if (fn.name === 'number' && e.args.length === 2 && e.args[1].kind !== 'literal')
      throw this.fail(
        e.args[1].span,
        `second argument of [${this.src(e.span)}] must be a constant, received [${this.src(e.args[1].span)}]`,
      );
    switch (fn.returns) {
      case 'keyword':
      case 'boolean':
      case 'integer':
        return fn.returns;
      case 'numeric':
        if (fn.name === 'number') return 'numeric';
        return numericResult(types[0], types[1] ?? 'unknown');
    }
  }

  /** Elasticsearch refuses field-to-field comparisons; optional fields (`?x == ?y`) are exempt,
   * since an unmapped optional field is a null literal. */
  private noFieldComparison(owner: ExprNode, left: ExprNode, right: ExprNode): void {
    const optional = (e: ExprNode): boolean => e.kind === 'field' && e.optional;
    if (optional(left) || optional(right)) return;
    if (referencesField(left) && referencesField(right))
      throw this.fail(
        right.span,
        `Comparisons against fields are not (currently) supported; offender [${this.src(right.span)}] in [${this.src(owner.span)}]`,
      );
  }
}

function numericResult(l: StaticType, r: StaticType): StaticType {
  if (l === 'double' || r === 'double') return 'double';
  if (l === 'integer' && r === 'integer') return 'integer';
  if ((l === 'integer' || l === 'long') && (r === 'integer' || r === 'long')) return 'long';
  return 'numeric';
}

function compatible(a: StaticType, b: StaticType): boolean {
  if (isNumeric(a)) return isNumeric(b);
  return a === b;
}

function family(t: StaticType): string {
  return isNumeric(t) ? 'numeric' : t;
}

function upper(t: StaticType): string {
  return t.toUpperCase();
}

/** True when the expression reads a field (directly or through functions and operators). */
export function referencesField(e: ExprNode): boolean {
  const stack: ExprNode[] = [e];
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.kind) {
      case 'field':
        return true;
      case 'literal':
        break;
      case 'not':
      case 'neg':
        stack.push(n.operand);
        break;
      case 'and':
      case 'or':
        for (const o of n.operands) stack.push(o);
        break;
      case 'compare':
      case 'arith':
        stack.push(n.left, n.right);
        break;
      case 'in':
        stack.push(n.value);
        for (const o of n.list) stack.push(o);
        break;
      case 'pattern':
        stack.push(n.value);
        break;
      case 'call':
        for (const o of n.args) stack.push(o);
        break;
    }
  }
  return false;
}

/**
 * Necessary literal conditions of a stage, for rule pre-filtering: `field == "v"`,
 * `field in ("a", "b")`, `field : "v"`, `field like "v"` (no wildcard) among the top-level `and`
 * conjuncts, and `or`s whose branches all constrain the same field. A literal is only used when
 * the evaluator compares it as a plain string (not numeric, date, dotted-number or boolean-like
 * text, which also match numbers, instants or booleans), so the hint never rejects a match.
 */
import type { ExprNode } from './ast';
import type { StageLiteral } from './compiled';
import { numericString } from './functions';
import { hasEqlWildcard } from './wildcard';

const DATE_OR_DOTTED = /^\d{4}-\d{2}-\d{2}|^\d+(?:\.\d+){2,}$/;

function plainString(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    numericString(v) === null &&
    !DATE_OR_DOTTED.test(v) &&
    v !== 'true' &&
    v !== 'false'
  );
}

function fieldPath(e: ExprNode): string | undefined {
  return e.kind === 'field' ? e.path : undefined;
}

function literalOf(e: ExprNode): StageLiteral | undefined {
  switch (e.kind) {
    case 'compare': {
      if (e.op !== '==') return undefined;
      const [f, l] = e.left.kind === 'field' ? [e.left, e.right] : [e.right, e.left];
      const field = fieldPath(f);
      if (!field || l.kind !== 'literal' || !plainString(l.value)) return undefined;
      return { field, values: [l.value], caseInsensitive: false };
    }
    case 'in': {
      const field = fieldPath(e.value);
      if (!field || e.negated) return undefined;
      const values: string[] = [];
      for (const item of e.list) {
        if (item.kind !== 'literal' || !plainString(item.value)) return undefined;
        values.push(e.caseInsensitive ? item.value.toLowerCase() : item.value);
      }
      return { field, values, caseInsensitive: e.caseInsensitive };
    }
    case 'pattern': {
      const field = fieldPath(e.value);
      if (!field || e.op === 'regex') return undefined;
      const values: string[] = [];
      for (const p of e.patterns) {
        if (!plainString(p.value) || hasEqlWildcard(p.value)) return undefined;
        values.push(e.caseInsensitive ? p.value.toLowerCase() : p.value);
      }
      return { field, values, caseInsensitive: e.caseInsensitive };
    }
    case 'or': {
      const parts = e.operands.map(literalOf);
      const first = parts[0];
      if (
        !first ||
        parts.some((p) => !p || p.field !== first.field || p.caseInsensitive !== first.caseInsensitive)
      )
        return undefined;
      return { ...first, values: [...new Set(parts.flatMap((p) => p!.values))] };
    }
    default:
      return undefined;
  }
}

/** The necessary literal conditions of a `where` clause (empty when none are certain). */
export function stageLiterals(condition: ExprNode): StageLiteral[] {
  const out: StageLiteral[] = [];
  const visit = (e: ExprNode): void => {
    if (e.kind === 'and') {
      for (const o of e.operands) visit(o);
      return;
    }
    const lit = literalOf(e);
    if (lit) out.push(lit);
  };
  visit(condition);
  return out;
}

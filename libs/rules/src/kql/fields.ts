import type { KqlNode } from './ast';

/** The absolute field paths a query references, nested scopes resolved, in query order. */
export function kqlFieldNames(node: KqlNode, prefix = ''): string[] {
  const out: string[] = [];
  const walk = (n: KqlNode, p: string): void => {
    switch (n.type) {
      case 'and':
      case 'or':
        n.args.forEach((a) => walk(a, p));
        return;
      case 'not':
        walk(n.arg, p);
        return;
      case 'is':
        if (n.field) out.push(p + n.field.text);
        return;
      case 'range':
      case 'exists':
        out.push(p + n.field.text);
        return;
      case 'nested':
        out.push(p + n.path.text);
        walk(n.query, `${p}${n.path.text}.`);
        return;
      case 'match_all':
        return;
    }
  };
  walk(node, prefix);
  return [...new Set(out)];
}

/** True when the query has a term without a field (Kibana's getIsKqlFreeTextExpression). */
export function hasFreeText(node: KqlNode): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.args.some(hasFreeText);
    case 'not':
      return hasFreeText(node.arg);
    case 'nested':
      return hasFreeText(node.query);
    case 'is':
      return node.field === null;
    default:
      return false;
  }
}

/**
 * Values a document's `field` must include for the query to match, when the query says so
 * plainly: a top-level conjunct `field:v` or `field:(a or b ...)` with exact values (several
 * such conjuncts intersect). Undefined when the query does not pin the field (or, not,
 * wildcards, nested scopes): a prefilter may then skip nothing. Values are as written.
 */
export function requiredFieldValues(node: KqlNode, field: string): string[] | undefined {
  const conjuncts = node.type === 'and' ? node.args : [node];
  let required: Set<string> | undefined;
  for (const c of conjuncts) {
    const values = exactValues(c, field);
    if (!values) continue;
    required = required ? new Set([...required].filter((v) => values.has(v))) : values;
  }
  return required ? [...required] : undefined;
}

function exactValues(node: KqlNode, field: string): Set<string> | undefined {
  if (node.type === 'is') {
    if (node.field === null || node.field.wildcard || node.field.text !== field || node.value.wildcard)
      return undefined;
    return new Set([node.value.text]);
  }
  if (node.type === 'or') {
    const out = new Set<string>();
    for (const a of node.args) {
      const vs = exactValues(a, field);
      if (!vs) return undefined;
      for (const v of vs) out.add(v);
    }
    return out;
  }
  if (node.type === 'and') {
    // `field:(a and b)` inside an or-branch: any one conjunct on the field pins it.
    for (const a of node.args) {
      const vs = exactValues(a, field);
      if (vs) return vs;
    }
  }
  return undefined;
}

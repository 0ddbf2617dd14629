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

/**
 * The KQL syntax tree, shaped after Kibana's kuery nodes (kbn-es-query): `is`, `range`,
 * `exists`, `nested`, `and`, `or`, `not`, plus `match_all` for the empty query and `*:*`.
 */

/** One piece of an unquoted value: literal text, or the `*` wildcard. */
export type ValuePart = string | typeof WILDCARD;

/** Marks an unescaped `*` in an unquoted value (escaped `\*` stays the text `*`). */
export const WILDCARD: unique symbol = Symbol('kql-wildcard');

/**
 * A literal as written: quoted (`"..."`, never a wildcard) or unquoted. An unquoted
 * literal is a wildcard when one of its parts is `WILDCARD`. `text` is the unescaped text
 * with each wildcard written `*`.
 */
export interface KqlLiteral {
  text: string;
  quoted: boolean;
  /** Unquoted `true`, `false` and `null` (Kibana builds typed literal nodes for them). */
  keyword?: 'true' | 'false' | 'null';
  /** Present when the literal has at least one unescaped `*`. */
  wildcard?: ValuePart[];
}

export type RangeOp = 'lt' | 'lte' | 'gt' | 'gte';

export type KqlNode =
  | { type: 'and'; args: KqlNode[] }
  | { type: 'or'; args: KqlNode[] }
  | { type: 'not'; arg: KqlNode }
  /** `field: value`; `field` null is free text (searched in every field). */
  | { type: 'is'; field: KqlLiteral | null; value: KqlLiteral }
  | { type: 'range'; field: KqlLiteral; op: RangeOp; value: KqlLiteral }
  /** `field:*` */
  | { type: 'exists'; field: KqlLiteral }
  /** `path:{ query }`: inner field names are relative to `path`. */
  | { type: 'nested'; path: KqlLiteral; query: KqlNode }
  | { type: 'match_all' };

export function isLoneWildcard(lit: KqlLiteral): boolean {
  return lit.wildcard !== undefined && lit.wildcard.length === 1 && lit.wildcard[0] === WILDCARD;
}

/** The neutral tree of the conformance cases (`../shared/conformance/kql/README.md`). */
export type NeutralAst =
  | { op: 'and' | 'or'; args: NeutralAst[] }
  | { op: 'not'; arg: NeutralAst }
  | { op: 'is'; field: string | null; value: string; wildcard: boolean; quoted: boolean }
  | { op: 'exists'; field: string }
  | { op: 'match_all' }
  | { op: 'range'; field: string; cmp: RangeOp; value: string }
  | { op: 'nested'; path: string; query: NeutralAst };

function neutralValue(lit: KqlLiteral): string {
  if (!lit.wildcard) return lit.text;
  return lit.wildcard.map((p) => (p === WILDCARD ? '*' : p.replace(/[\\*]/g, (c) => '\\' + c))).join('');
}

/** Converts to the neutral tree: and/or flattened, argument order kept. */
export function toNeutralAst(node: KqlNode): NeutralAst {
  switch (node.type) {
    case 'and':
    case 'or': {
      const args: NeutralAst[] = [];
      for (const a of node.args) {
        const n = toNeutralAst(a);
        if (n.op === node.type) args.push(...n.args);
        else args.push(n);
      }
      return { op: node.type, args };
    }
    case 'not':
      return { op: 'not', arg: toNeutralAst(node.arg) };
    case 'is':
      return {
        op: 'is',
        field: node.field === null ? null : node.field.text,
        value: neutralValue(node.value),
        wildcard: node.value.wildcard !== undefined,
        quoted: node.value.quoted,
      };
    case 'exists':
      return { op: 'exists', field: node.field.text };
    case 'match_all':
      return { op: 'match_all' };
    case 'range':
      return { op: 'range', field: node.field.text, cmp: node.op, value: node.value.text };
    case 'nested':
      return { op: 'nested', path: node.path.text, query: toNeutralAst(node.query) };
  }
}

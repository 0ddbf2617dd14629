/**
 * Field-type maps (`{"ip": "ip", "msg": "text"}`), as `sequent match` cases and rule
 * authors give them. Keys are full dotted paths. A value is an Elasticsearch field type,
 * or an object `{ "type": ..., "value": ... }` (a `constant_keyword` carries its value); a
 * string may add a note after the type (`constant_keyword (value "foo" for every document)`).
 */

export type FieldKind =
  'text' | 'keyword' | 'number' | 'date' | 'ip' | 'boolean' | 'nested' | 'object' | 'loose';

export interface FieldType {
  kind: FieldKind;
  /** The Elasticsearch type name as given (`long`, `match_only_text`, ...). */
  name: string;
  /** A `constant_keyword` value: every document has it. */
  constant?: string;
}

export type KqlMapping = Record<string, unknown>;

const KINDS: Record<string, FieldKind> = {
  text: 'text',
  match_only_text: 'text',
  'annotated-text': 'text',
  annotated_text: 'text',
  search_as_you_type: 'text',
  keyword: 'keyword',
  constant_keyword: 'keyword',
  wildcard: 'keyword',
  version: 'keyword',
  long: 'number',
  integer: 'number',
  short: 'number',
  byte: 'number',
  double: 'number',
  float: 'number',
  half_float: 'number',
  scaled_float: 'number',
  unsigned_long: 'number',
  date: 'date',
  date_nanos: 'date',
  ip: 'ip',
  boolean: 'boolean',
  nested: 'nested',
  object: 'object',
  flattened: 'keyword',
};

function fromString(s: string): FieldType {
  const m = /^\s*([A-Za-z_-]+)/.exec(s);
  const name = m ? m[1].toLowerCase() : s;
  const t: FieldType = { kind: KINDS[name] ?? 'loose', name };
  if (name === 'constant_keyword') {
    const v = /value\s+"((?:[^"\\]|\\.)*)"/.exec(s);
    if (v) t.constant = v[1];
  }
  return t;
}

/** Normalizes a mapping to field types; unknown entries are ignored. */
export function normalizeMapping(mapping: KqlMapping | undefined): Map<string, FieldType> {
  const out = new Map<string, FieldType>();
  if (!mapping || typeof mapping !== 'object') return out;
  for (const [field, spec] of Object.entries(mapping)) {
    if (typeof spec === 'string') out.set(field, fromString(spec));
    else if (spec && typeof spec === 'object' && typeof (spec as { type?: unknown }).type === 'string') {
      const t = fromString((spec as { type: string }).type);
      const value = (spec as { value?: unknown }).value;
      if (t.name === 'constant_keyword' && value !== undefined && value !== null) t.constant = String(value);
      out.set(field, t);
    }
  }
  return out;
}

export const LOOSE: FieldType = { kind: 'loose', name: 'unmapped' };

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
  /** A default (ECS) type, not one the user gave: a value it cannot hold falls back to
   * exact matching instead of rejecting the query, so rules never fail on it. */
  soft?: boolean;
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

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function addEntry(out: Map<string, FieldType>, field: string, spec: unknown, depth: number): void {
  if (depth > 32) return;
  if (typeof spec === 'string') {
    out.set(field, fromString(spec));
    return;
  }
  if (!isObject(spec)) return;
  if (typeof spec.type === 'string') {
    const t = fromString(spec.type);
    if (t.name === 'constant_keyword' && spec.value !== undefined && spec.value !== null)
      t.constant = String(spec.value);
    out.set(field, t);
  } else if (isObject(spec.properties)) out.set(field, { kind: 'object', name: 'object' });
  // Elasticsearch mapping form: sub-fields under `properties`, multi-fields under `fields`.
  if (isObject(spec.properties))
    for (const [k, v] of Object.entries(spec.properties)) addEntry(out, `${field}.${k}`, v, depth + 1);
  if (isObject(spec.fields))
    for (const [k, v] of Object.entries(spec.fields)) addEntry(out, `${field}.${k}`, v, depth + 1);
}

/**
 * Normalizes a mapping to field types by full path; unknown entries are ignored. Accepts a
 * flat map (`{"a.b": "keyword"}`) and Elasticsearch's mapping form (`{"properties": ...}`).
 */
export function normalizeMapping(mapping: KqlMapping | undefined): Map<string, FieldType> {
  const out = new Map<string, FieldType>();
  if (!isObject(mapping)) return out;
  const root = isObject(mapping.mappings) ? mapping.mappings : mapping;
  if (
    isObject(root.properties) &&
    !isObject(root.properties.type) &&
    typeof root.properties.type !== 'string'
  ) {
    for (const [field, spec] of Object.entries(root.properties)) addEntry(out, field, spec, 0);
    return out;
  }
  for (const [field, spec] of Object.entries(mapping)) addEntry(out, field, spec, 0);
  return out;
}

export const LOOSE: FieldType = { kind: 'loose', name: 'unmapped' };

/**
 * ECS (and Elastic integration) field types that change how KQL matches (everything else
 * is keyword-like, which unmapped fields already are): full-text fields, IP addresses and
 * dates. Used for
 * rules, which Kibana runs against ECS-mapped indices; `field.text` multi-fields of ECS
 * keywords are read as text too (see compile.ts).
 */
export const ECS_KQL_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  message: 'match_only_text',
  'error.message': 'match_only_text',
  // Windows PowerShell script block logging (the windows integration maps it as text);
  // Elastic's PowerShell rules rely on phrase matching over it.
  'powershell.file.script_block_text': 'match_only_text',
  '@timestamp': 'date',
  'event.created': 'date',
  'event.ingested': 'date',
  'event.start': 'date',
  'event.end': 'date',
  'process.start': 'date',
  'process.parent.start': 'date',
  'file.created': 'date',
  'file.ctime': 'date',
  'file.mtime': 'date',
  'file.accessed': 'date',
  'source.ip': 'ip',
  'destination.ip': 'ip',
  'client.ip': 'ip',
  'server.ip': 'ip',
  'host.ip': 'ip',
  'related.ip': 'ip',
  'source.nat.ip': 'ip',
  'destination.nat.ip': 'ip',
  'client.nat.ip': 'ip',
  'server.nat.ip': 'ip',
  'network.forwarded_ip': 'ip',
  'observer.ip': 'ip',
});

/** The ECS defaults (soft) under the given mapping (which wins). */
export function withEcsDefaults(types: Map<string, FieldType>): Map<string, FieldType> {
  const out = new Map<string, FieldType>();
  for (const [field, spec] of Object.entries(ECS_KQL_MAPPING))
    out.set(field, { ...fromString(spec), soft: true });
  for (const [field, t] of types) out.set(field, t);
  return out;
}

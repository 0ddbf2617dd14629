/**
 * How a document value compares with a literal from a rule filter or an exception entry.
 *
 * Elasticsearch compares through the field's mapping; we have no mapping, so we follow what
 * the mapping would almost always be for the fields rules and exceptions use: keyword-like
 * exact, case-sensitive string comparison, numbers compared numerically (`"4"` equals `4`, as a
 * `long` field would parse the query), and booleans by their text (`"true"` equals `true`).
 */
import { getFieldValues } from '@sequent/ecs';

export type Scalar = string | number | boolean;

/** Every scalar value of `field` (objects are skipped: they cannot equal a literal). */
export function scalarValues(doc: unknown, field: string): Scalar[] {
  const out: Scalar[] = [];
  for (const v of getFieldValues(doc, field)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(v);
  }
  return out;
}

/**
 * Values of `field` as Kibana's exception builder sees them. `<base>.caseless` is a
 * multi-field the Elastic Endpoint mapping adds (a lower-cased keyword): documents do not
 * carry it, so when it is absent we read `<base>` and lower-case it, as the index would.
 */
export function exceptionFieldValues(doc: unknown, field: string): Scalar[] {
  const direct = scalarValues(doc, field);
  if (direct.length > 0 || !field.endsWith('.caseless')) return direct;
  const base = field.slice(0, -'.caseless'.length);
  return scalarValues(doc, base).map((v) => (typeof v === 'string' ? v.toLowerCase() : v));
}

/** True when a `.caseless` field is compared: the literal is lower-cased like the index. */
export function isCaselessField(field: string): boolean {
  return field.endsWith('.caseless');
}

/** Equality of one document value with one literal (see the module comment). */
export function scalarEquals(docValue: Scalar, literal: unknown): boolean {
  if (typeof literal === 'string') {
    if (typeof docValue === 'string') return docValue === literal;
    if (typeof docValue === 'number') return literal.trim() !== '' && Number(literal) === docValue;
    return String(docValue) === literal;
  }
  if (typeof literal === 'number') {
    if (typeof docValue === 'number') return docValue === literal;
    if (typeof docValue === 'string') return docValue.trim() !== '' && Number(docValue) === literal;
    return false;
  }
  if (typeof literal === 'boolean') {
    if (typeof docValue === 'boolean') return docValue === literal;
    return typeof docValue === 'string' && docValue === String(literal);
  }
  return false;
}

/** Text form of a value for wildcard / prefix matching. */
export function scalarText(v: Scalar): string {
  return typeof v === 'string' ? v : String(v);
}

/** Ordering for `range`: numbers numerically, ISO-8601-looking dates by instant, else strings.
 * Returns undefined when the two cannot be compared. */
export function compareScalars(docValue: Scalar, bound: Scalar): number | undefined {
  const dn = toNumber(docValue);
  const bn = toNumber(bound);
  if (dn !== undefined && bn !== undefined) return dn - bn;
  const dd = toDateMs(docValue);
  const bd = toDateMs(bound);
  if (dd !== undefined && bd !== undefined) return dd - bd;
  if (typeof docValue === 'string' && typeof bound === 'string')
    return docValue < bound ? -1 : docValue > bound ? 1 : 0;
  return undefined;
}

function toNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Fixed pattern (ours, not user text): YYYY-MM-DD with an optional time part. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function toDateMs(v: Scalar): number | undefined {
  if (typeof v !== 'string' || v.length > 40 || !ISO_DATE.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

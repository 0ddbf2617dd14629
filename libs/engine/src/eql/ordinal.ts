/**
 * Event ordering as Elasticsearch EQL does it: by timestamp, then by tiebreaker (missing
 * tiebreakers last), then by arrival (Elasticsearch's implicit `_shard_doc` tiebreaker).
 *
 * Times are kept as whole epoch milliseconds plus a sub-millisecond part in nanoseconds, so
 * `date_nanos` timestamps order exactly (a double cannot hold epoch nanoseconds).
 */

export type EqlTiebreaker = string | number | boolean | null;

/** A point in event time. */
export interface EqlTime {
  /** Whole epoch milliseconds. */
  ms: number;
  /** Nanoseconds within the millisecond, 0..999999. */
  ns: number;
}

/** The position of one event in the ordered stream; a plain JSON value. */
export interface EqlOrdinal extends EqlTime {
  tb: EqlTiebreaker;
  /** Arrival sequence number (input order). */
  seq: number;
}

const ISO_WITH_FRACTION = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)(.*)$/;

/**
 * Reads an event timestamp: epoch milliseconds (number or numeric string, fractions allowed)
 * or an ISO-8601 string (any number of fractional digits). `null` when absent or unreadable.
 */
export function toEqlTime(value: unknown): EqlTime | null {
  if (Array.isArray(value)) return value.length > 0 ? toEqlTime(value[0]) : null;
  if (typeof value === 'number') return fromMillis(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return fromMillis(Number(text));
  const frac = ISO_WITH_FRACTION.exec(text);
  if (frac) {
    const base = Date.parse(frac[1] + (frac[3] === '' ? 'Z' : frac[3]));
    if (Number.isNaN(base)) return null;
    const digits = (frac[2] + '000000000').slice(0, 9);
    const ms = base + Number(digits.slice(0, 3));
    return { ms, ns: Number(digits.slice(3)) };
  }
  // A date without zone is UTC in Elasticsearch; Date.parse would read date-times as local.
  const withZone = /T\d\d:\d\d(:\d\d)?$/.test(text) ? text + 'Z' : text;
  const parsed = Date.parse(withZone);
  return Number.isNaN(parsed) ? null : { ms: parsed, ns: 0 };
}

/** The range of a JavaScript Date (±10^8 days): anything beyond is no time at all. */
const MAX_EPOCH_MS = 8.64e15;

function fromMillis(value: number): EqlTime | null {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS) return null;
  const ms = Math.floor(value);
  return { ms, ns: Math.round((value - ms) * 1e6) };
}

/** Reads a tiebreaker value (first value of a multi-valued field). */
export function toEqlTiebreaker(value: unknown): EqlTiebreaker {
  if (Array.isArray(value)) return value.length > 0 ? toEqlTiebreaker(value[0]) : null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}

export function compareEqlTime(a: EqlTime, b: EqlTime): number {
  return a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.ns !== b.ns ? (a.ns < b.ns ? -1 : 1) : 0;
}

/** Milliseconds from `from` to `to` (may be fractional). */
export function eqlMillisBetween(from: EqlTime, to: EqlTime): number {
  return to.ms - from.ms + (to.ns - from.ns) / 1e6;
}

function compareTiebreaker(a: EqlTiebreaker, b: EqlTiebreaker): number {
  if (a === b) return 0;
  if (a === null) return 1; // nulls last
  if (b === null) return -1;
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  // Mixed types cannot occur in one mapped field; keep a total order anyway.
  return typeof a < typeof b ? -1 : 1;
}

export function compareEqlOrdinal(a: EqlOrdinal, b: EqlOrdinal): number {
  return compareEqlTime(a, b) || compareTiebreaker(a.tb, b.tb) || a.seq - b.seq;
}

/**
 * new_terms as Elastic runs it: a term (one field) or a tuple of terms (several fields) alerts
 * when it was not seen within the history window before the event. History is kept per term
 * as the earliest and latest event time it was seen; with events in event-time order the
 * latest sighting decides exactly. For a late event (the term already seen after it) the
 * earliest sighting decides when it lies after the event or inside the window; otherwise the
 * term is treated as known (never a false alert on replays or stragglers).
 */
import type { FieldGetter } from '@sequent/ecs';
import type { TermRecord } from '../state/state-store';

/** Most value combinations one event may produce for a multi-field rule. */
export const MAX_TERM_COMBINATIONS = 32;

function termValues(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const out: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    const s = String(v);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The term tuples an event carries (every field must have a value, as Kibana requires);
 * each is a list of strings, one per field. */
export function eventTerms(event: unknown, getters: readonly FieldGetter[]): string[][] {
  let tuples: string[][] = [[]];
  for (const get of getters) {
    const values = termValues(get(event));
    if (values.length === 0) return [];
    const next: string[][] = [];
    for (const t of tuples)
      for (const v of values) {
        if (next.length >= MAX_TERM_COMBINATIONS) break;
        next.push([...t, v]);
      }
    tuples = next;
  }
  return tuples;
}

export function isNewTerm(record: TermRecord | undefined, time: number, historyWindowMs: number): boolean {
  if (!record) return true;
  if (record.last < time) return record.last < time - historyWindowMs;
  // Seen at or after this event already (late event, replay).
  if (record.first >= time) return record.first > time;
  return false;
}

export function recordTerm(record: TermRecord | undefined, time: number): TermRecord {
  if (!record) return { first: time, last: time };
  return { first: Math.min(record.first, time), last: Math.max(record.last, time) };
}

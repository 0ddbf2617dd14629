/**
 * threshold rules: counts (and distinct counts of `cardinality` fields) per group-by key over
 * event-time windows. Kibana evaluates every `interval` over the look-back `from`; in the
 * stream the window is a tumbling window of that length aligned to the epoch, and a group
 * alerts once per window, when its count reaches the value (and every cardinality does).
 * A group-by field with several values puts the event in each of its groups (as a terms
 * aggregation does); an event missing a group-by field is not counted (likewise).
 */
import type { FieldGetter } from '@sequent/ecs';
import type { ThresholdSettings } from '@sequent/rules';
import type { ThresholdGroupState } from '../state/state-store';

export interface ThresholdGroup {
  key: string;
  terms: Array<{ field: string; value: unknown }>;
}

const MAX_GROUPS_PER_EVENT = 32;

function groupValues(v: unknown): unknown[] {
  const values = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return values.filter((x) => x !== null && x !== undefined && typeof x !== 'object');
}

export function thresholdGroups(
  event: unknown,
  fields: readonly string[],
  getters: readonly FieldGetter[],
): ThresholdGroup[] {
  let groups: Array<unknown[]> = [[]];
  for (const get of getters) {
    const values = groupValues(get(event));
    if (values.length === 0) return [];
    const next: Array<unknown[]> = [];
    for (const g of groups)
      for (const v of values) if (next.length < MAX_GROUPS_PER_EVENT) next.push([...g, v]);
    groups = next;
  }
  return groups.map((values) => ({
    key: JSON.stringify(values),
    terms: values.map((value, i) => ({ field: fields[i], value })),
  }));
}

export function windowStartOf(time: number, windowMs: number): number {
  return Math.floor(time / windowMs) * windowMs;
}

/**
 * Counts one event into its group's window. Returns the new state and whether the group
 * just reached the threshold; `undefined` when the event belongs to a window already closed
 * for this group (a late event): not counted.
 */
export function countThreshold(
  state: ThresholdGroupState | undefined,
  time: number,
  event: unknown,
  settings: ThresholdSettings,
  cardinalityGetters: readonly FieldGetter[],
): { state: ThresholdGroupState; reached: boolean } | undefined {
  const windowStart = windowStartOf(time, settings.windowMs);
  if (state && state.windowStart > windowStart) return undefined;
  const s: ThresholdGroupState =
    state && state.windowStart === windowStart
      ? state
      : { windowStart, count: 0, distinct: {}, alerted: false };
  s.count++;
  const card = settings.cardinality ?? [];
  card.forEach((c, i) => {
    const seen = (s.distinct[c.field] ??= []);
    if (seen.length >= c.value) return;
    for (const v of groupValues(cardinalityGetters[i](event))) {
      const text = String(v);
      if (!seen.includes(text) && seen.length < c.value) seen.push(text);
    }
  });
  const reached =
    !s.alerted &&
    s.count >= settings.value &&
    card.every((c) => (s.distinct[c.field]?.length ?? 0) >= c.value);
  if (reached) s.alerted = true;
  return { state: s, reached };
}

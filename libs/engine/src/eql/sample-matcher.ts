/**
 * `sample by`: Elasticsearch's sample semantics over a finite set of events.
 *
 * - Events are grouped by their join keys (the shared `by` keys, then each stage's own);
 *   a key combination is a candidate when every stage has at least one event with it.
 *   A null key value joins only when that key is optional (`?field`).
 * - Per candidate and stage Elasticsearch fetches the first N events (N = number of stages)
 *   in index order, then picks the first combination of distinct events, one per stage
 *   (stages in any time order). One sample per key combination.
 * - Samples come ordered by their join keys (a composite aggregation: ascending, nulls first).
 */
import type { EqlSampleQuery, EqlStage } from './types';

export interface EqlSampleMatch<R> {
  joinKeys: unknown[];
  /** One event per stage, in stage order. */
  events: R[];
}

interface Candidate<R> {
  joinKeys: unknown[];
  perStage: R[][];
}

function stageKey(stage: EqlStage, event: unknown): unknown[] | undefined {
  const out: unknown[] = new Array(stage.keys.length);
  for (let i = 0; i < stage.keys.length; i++) {
    let v = stage.keys[i](event);
    if (Array.isArray(v)) v = v.length === 0 ? null : v[0];
    if (v === undefined) v = null;
    if (v === null && !stage.optionalKeys?.[i]) return undefined;
    out[i] = v;
  }
  return out;
}

/**
 * Finds samples among `events` (in input order). `limit` stops once that many samples are
 * found (Elasticsearch stops the same way, in key order).
 */
export function matchEqlSamples<R>(
  query: EqlSampleQuery,
  events: readonly unknown[],
  refOf: (event: unknown, index: number) => R,
  limit = Infinity,
): EqlSampleMatch<R>[] {
  const stages = query.stages;
  const n = stages.length;
  const candidates = new Map<string, Candidate<R>>();
  events.forEach((event, index) => {
    for (let s = 0; s < n; s++) {
      const stage = stages[s];
      if (!stage.condition(event)) continue;
      const key = stageKey(stage, event);
      if (!key) continue;
      const id = JSON.stringify(key);
      let c = candidates.get(id);
      if (!c) {
        c = { joinKeys: key, perStage: stages.map(() => []) };
        candidates.set(id, c);
      }
      if (c.perStage[s].length < n) c.perStage[s].push(refOf(event, index));
    }
  });
  const complete = [...candidates.values()].filter((c) => c.perStage.every((l) => l.length > 0));
  complete.sort((a, b) => compareEqlJoinKeys(a.joinKeys, b.joinKeys));
  const out: EqlSampleMatch<R>[] = [];
  for (const c of complete) {
    if (out.length >= limit) break;
    const picked = pickDistinct(c.perStage);
    if (picked) out.push({ joinKeys: c.joinKeys, events: picked });
  }
  return out;
}

/** First combination (depth first, in list order) of distinct elements, one per list. */
function pickDistinct<R>(lists: R[][]): R[] | undefined {
  const partial: R[] = [];
  const walk = (i: number): boolean => {
    if (i === lists.length) return true;
    for (const r of lists[i]) {
      if (partial.includes(r)) continue;
      partial.push(r);
      if (walk(i + 1)) return true;
      partial.pop();
    }
    return false;
  };
  return walk(0) ? partial : undefined;
}

/** Composite-aggregation order: per key, nulls first, then ascending (numbers before strings). */
export function compareEqlJoinKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareKeyValue(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  return 4;
}

function compareKeyValue(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 4) {
    const sa = JSON.stringify(a);
    const sb = JSON.stringify(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  if (ra === 3) return compareUtf8(a as string, b as string);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Elasticsearch orders keyword terms by their UTF-8 bytes, i.e. by code point. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const da = ca.value.codePointAt(0)!;
    const db = cb.value.codePointAt(0)!;
    if (da !== db) return da < db ? -1 : 1;
  }
}

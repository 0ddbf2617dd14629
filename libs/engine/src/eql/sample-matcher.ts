/**
 * `sample by`: Elasticsearch's sample semantics over a finite set of events.
 *
 * - Events are grouped by their join keys (the shared `by` keys, then each stage's own);
 *   a key combination is a candidate when every stage has at least one event with it.
 *   A null key value joins only when that key is optional (`?field`).
 * - Per candidate and stage Elasticsearch fetches the first N events (N = number of stages)
 *   in index order, then picks the first combination of distinct events, one per stage
 *   (stages in any time order). `maxSamplesPerKey` (default 1) samples per key combination:
 *   then N = stages x maxSamplesPerKey events are fetched per stage and the first
 *   combinations (depth first) are taken.
 * - Samples come ordered by their join keys (a composite aggregation: ascending, nulls first).
 */
import type { EqlSampleQuery } from './types';
import { compareEqlJoinKeys, eqlJoinKeyTuples } from './join-keys';

export interface EqlSampleMatch<R> {
  joinKeys: unknown[];
  /** One event per stage, in stage order. */
  events: R[];
}

interface Candidate<R> {
  joinKeys: unknown[];
  perStage: R[][];
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
  maxSamplesPerKey = 1,
): EqlSampleMatch<R>[] {
  const stages = query.stages;
  const perKey = Math.max(1, Math.floor(maxSamplesPerKey));
  const n = stages.length * perKey;
  const candidates = new Map<string, Candidate<R>>();
  events.forEach((event, index) => {
    for (let s = 0; s < stages.length; s++) {
      const stage = stages[s];
      if (!stage.condition(event)) continue;
      for (const key of eqlJoinKeyTuples(stage.keys, stage.optionalKeys, event)) {
        const id = JSON.stringify(key);
        let c = candidates.get(id);
        if (!c) {
          c = { joinKeys: key, perStage: stages.map(() => []) };
          candidates.set(id, c);
        }
        if (c.perStage[s].length < n) c.perStage[s].push(refOf(event, index));
      }
    }
  });
  const complete = [...candidates.values()].filter((c) => c.perStage.every((l) => l.length > 0));
  complete.sort((a, b) => compareEqlJoinKeys(a.joinKeys, b.joinKeys));
  const out: EqlSampleMatch<R>[] = [];
  for (const c of complete) {
    for (const picked of pickDistinct(c.perStage, perKey)) {
      if (out.length >= limit) return out;
      out.push({ joinKeys: c.joinKeys, events: picked });
    }
  }
  return out;
}

/** The first `max` combinations (depth first, in list order) of distinct elements, one per list. */
function pickDistinct<R>(lists: R[][], max: number): R[][] {
  const found: R[][] = [];
  const partial: R[] = [];
  const walk = (i: number): void => {
    for (const r of lists[i]) {
      if (found.length >= max) return;
      if (partial.includes(r)) continue;
      partial.push(r);
      if (i === lists.length - 1) found.push([...partial]);
      else walk(i + 1);
      partial.pop();
    }
  };
  walk(0);
  return found;
}

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
): EqlSampleMatch<R>[] {
  const stages = query.stages;
  const n = stages.length;
  const candidates = new Map<string, Candidate<R>>();
  events.forEach((event, index) => {
    for (let s = 0; s < n; s++) {
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

/**
 * `searchEql`: runs one compiled EQL query over a finite set of events, with
 * Elasticsearch's semantics and result shapes (the `sequent search` contract).
 */
import { compileFieldGetter } from '@sequent/ecs';
import type { EqlQuery, EqlSearchResult, EqlSequenceQuery, MissingEventPlaceholder } from './types';
import { compareEqlOrdinal, toEqlTime, toEqlTiebreaker, type EqlOrdinal } from './ordinal';
import {
  createEqlSequenceState,
  flushEqlSequenceState,
  planEqlSequence,
  processEqlSequenceEvent,
  sortEqlCompletedSequences,
  type EqlCompletedSequence,
  type EqlSequenceMatcherOptions,
  type EqlSequenceStats,
} from './sequence-matcher';
import { matchEqlSamples } from './sample-matcher';
import { applyEqlLimits, DEFAULT_EQL_SIZE, eqlHeadBound } from './limits';

export interface SearchEqlOptions {
  /** Results kept after the pipes (Elasticsearch `size`); default 10. */
  size?: number;
  /** Overrides the query's timestamp field (default `@timestamp`). */
  timestampField?: string;
  /** Overrides the query's tiebreaker field. */
  tiebreakerField?: string;
  /** Samples per join-key combination (Elasticsearch `max_samples_per_key`); default 1. */
  maxSamplesPerKey?: number;
  sequence?: EqlSequenceMatcherOptions;
  /** Receives the sequence matcher's counters. */
  onSequenceStats?: (stats: EqlSequenceStats) => void;
}

export const EQL_MISSING_EVENT: MissingEventPlaceholder = Object.freeze({ missing: true as const });

interface OrderedEvent {
  event: unknown;
  ord: EqlOrdinal;
}

/**
 * Events that carry a readable timestamp, in Elasticsearch's order: timestamp, then
 * tiebreaker (missing last), then input order. Events without a timestamp are not searched.
 */
export function orderEqlEvents(
  events: readonly unknown[],
  timestampField: string,
  tiebreakerField?: string,
): OrderedEvent[] {
  const ts = compileFieldGetter(timestampField);
  const tb = tiebreakerField ? compileFieldGetter(tiebreakerField) : undefined;
  const out: OrderedEvent[] = [];
  events.forEach((event, seq) => {
    const time = toEqlTime(ts(event));
    if (!time) return;
    out.push({ event, ord: { ms: time.ms, ns: time.ns, tb: tb ? toEqlTiebreaker(tb(event)) : null, seq } });
  });
  out.sort((a, b) => compareEqlOrdinal(a.ord, b.ord));
  return out;
}

export function searchEql(
  events: readonly unknown[],
  query: EqlQuery,
  options: SearchEqlOptions = {},
): EqlSearchResult {
  const size = options.size ?? DEFAULT_EQL_SIZE;
  const timestampField = options.timestampField ?? query.timestampField ?? '@timestamp';
  const tiebreakerField = options.tiebreakerField ?? query.tiebreakerField;

  if (query.kind === 'sample') {
    const samples = matchEqlSamples(
      query,
      events,
      (e) => e,
      eqlHeadBound(query.pipes, size),
      options.maxSamplesPerKey,
    );
    return {
      samples: applyEqlLimits(samples, query.pipes, size).map((s) => ({
        join_keys: s.joinKeys,
        events: s.events,
      })),
    };
  }

  const ordered = orderEqlEvents(events, timestampField, tiebreakerField);
  if (query.kind === 'event') {
    const condition = query.stages[0].condition;
    const bound = eqlHeadBound(query.pipes, size);
    const hits: unknown[] = [];
    for (const { event } of ordered) {
      if (hits.length >= bound) break;
      if (condition(event)) hits.push(event);
    }
    return { events: applyEqlLimits(hits, query.pipes, size) };
  }

  const completed = runSequence(ordered, query, options);
  return {
    sequences: applyEqlLimits(completed, query.pipes, size).map((s) => ({
      join_keys: s.joinKeys,
      events: s.events.map((m) => (m ? m.ref : EQL_MISSING_EVENT)),
    })),
  };
}

function runSequence(
  ordered: OrderedEvent[],
  query: EqlSequenceQuery,
  options: SearchEqlOptions,
): EqlCompletedSequence[] {
  const plan = planEqlSequence(query, options.sequence);
  const state = createEqlSequenceState();
  const completed: EqlCompletedSequence[] = [];
  for (const { event, ord } of ordered) {
    const done = processEqlSequenceEvent(plan, state, { event, ref: event, time: ord, tiebreaker: ord.tb });
    for (const c of done) completed.push(c);
  }
  for (const c of flushEqlSequenceState(plan, state)) completed.push(c);
  options.onSequenceStats?.(state.stats);
  return sortEqlCompletedSequences(completed);
}

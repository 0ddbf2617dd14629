/**
 * `searchEql`: runs one compiled EQL query over a finite set of events, with
 * Elasticsearch's semantics and result shapes (the `sequent search` contract).
 */
import { compileFieldGetter } from '@sequent/ecs';
import type { EqlQuery, EqlSearchResult, EqlSequenceQuery, MissingEventPlaceholder } from './types';
import { compareEqlOrdinal, compareEqlTime, toEqlTime, toEqlTiebreaker, type EqlOrdinal } from './ordinal';
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
 * Events in the order Elasticsearch's sequence matcher sees them: timestamp, then tiebreaker
 * (missing last), then input order. Events without a readable timestamp are left out (the
 * sequence queries are bounded by timestamp ranges, which never match a missing field).
 */
export function orderEqlEvents(
  events: readonly unknown[],
  timestampField: string,
  tiebreakerField?: string,
): OrderedEvent[] {
  // Many queries over one event set (sequent search) sort it once per field pair.
  let byFields = orderCache.get(events);
  if (!byFields) {
    byFields = new Map();
    orderCache.set(events, byFields);
  }
  const cacheKey = JSON.stringify([timestampField, tiebreakerField ?? null]);
  const cached = byFields.get(cacheKey);
  if (cached && cached.size === events.length) return cached.ordered;
  const ordered = sortForSequences(events, timestampField, tiebreakerField);
  byFields.set(cacheKey, { size: events.length, ordered });
  return ordered;
}

/** Per event array (an array that grew is sorted again). */
const orderCache = new WeakMap<readonly unknown[], Map<string, { size: number; ordered: OrderedEvent[] }>>();

function sortForSequences(
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

/**
 * Events in the order of an event query: Elasticsearch sorts by timestamp then tiebreaker,
 * ascending with missing values first, then index (input) order.
 */
function orderForEventQuery(
  events: readonly unknown[],
  timestampField: string,
  tiebreakerField?: string,
): unknown[] {
  const ts = compileFieldGetter(timestampField);
  const tb = tiebreakerField ? compileFieldGetter(tiebreakerField) : undefined;
  const rows = events.map((event, seq) => ({
    event,
    time: toEqlTime(ts(event)),
    tb: tb ? toEqlTiebreaker(tb(event)) : null,
    seq,
  }));
  rows.sort((a, b) => {
    if (a.time === null || b.time === null) {
      if (a.time !== b.time) return a.time === null ? -1 : 1;
    } else {
      const c = compareEqlTime(a.time, b.time);
      if (c !== 0) return c;
    }
    if (a.tb !== b.tb) {
      if (a.tb === null) return -1;
      if (b.tb === null) return 1;
      const c = compareEqlOrdinal({ ms: 0, ns: 0, tb: a.tb, seq: 0 }, { ms: 0, ns: 0, tb: b.tb, seq: 0 });
      if (c !== 0) return c;
    }
    return a.seq - b.seq;
  });
  return rows.map((r) => r.event);
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

  if (query.kind === 'event') {
    const condition = query.stages[0].condition;
    const bound = eqlHeadBound(query.pipes, size);
    const hits: unknown[] = [];
    for (const event of orderForEventQuery(events, timestampField, tiebreakerField)) {
      if (hits.length >= bound) break;
      if (condition(event)) hits.push(event);
    }
    return { events: applyEqlLimits(hits, query.pipes, size) };
  }

  const completed = runSequence(orderEqlEvents(events, timestampField, tiebreakerField), query, options);
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
  // Batch search is exact: no key or waiting-sequence bound unless the caller sets one.
  const plan = planEqlSequence(query, {
    maxKeys: Infinity,
    maxAwaitingPerKey: Infinity,
    ...options.sequence,
  });
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

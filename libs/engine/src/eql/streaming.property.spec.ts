/**
 * Property: streaming = batch. Random event streams arrive out of order (within the allowed
 * lateness), pass through the reorder buffer, and feed the sequence matcher one event at a
 * time (its state round-tripped through JSON now and then, and swept often); the sequences
 * found must be exactly those `searchEql` finds over the same events.
 */
import fc from 'fast-check';
import { ReorderBuffer } from '../ordering/reorder-buffer';
import {
  createEqlSequenceState,
  flushEqlSequenceState,
  planEqlSequence,
  processEqlSequenceEvent,
  searchEql,
  sortEqlCompletedSequences,
  toEqlTime,
  type EqlCompletedSequence,
  type EqlSequenceState,
  type EqlSequencesResult,
} from './index';
import { sequenceQuery, type StageSpec } from './test-queries';

type Ev = { id: number; '@timestamp': number; tb: number; k: string | null; t: string; j: number };

const TAGS = ['a', 'b', 'c', 'u'];
const MAX_JITTER = 5;

const eventsArb = fc
  .array(
    fc.record({
      dt: fc.integer({ min: 0, max: 3 }),
      k: fc.constantFrom('x', 'y', null),
      t: fc.constantFrom(...TAGS),
      jitter: fc.integer({ min: 0, max: MAX_JITTER }),
    }),
    { maxLength: 40 },
  )
  .map((rows) => {
    let time = 1000;
    const events: Ev[] = rows.map((r, i) => {
      time += r.dt;
      return { id: i + 1, '@timestamp': time, tb: i + 1, k: r.k, t: r.t, j: r.jitter };
    });
    // Arrival order: event time plus a jitter below the allowed lateness.
    const arrival = [...events].sort(
      (a, b) => a['@timestamp'] + a.j - (b['@timestamp'] + b.j) || a.id - b.id,
    );
    return arrival;
  });

const stageArb: fc.Arbitrary<StageSpec> = fc
  .record({
    tags: fc.subarray(TAGS, { minLength: 1, maxLength: 2 }),
    runs: fc.constantFrom(1, 1, 1, 2),
    missing: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  })
  .map(({ tags, runs, missing }) => ({
    where: (e: Record<string, unknown>) => tags.includes(e.t as string),
    runs,
    missing,
  }));

const queryArb = fc.record({
  stages: fc.array(stageArb, { minLength: 2, maxLength: 4 }),
  byKey: fc.boolean(),
  maxspanMs: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  until: fc.option(fc.constantFrom('u', 'c'), { nil: undefined }),
});

type QuerySpec = typeof queryArb extends fc.Arbitrary<infer T> ? T : never;

/** The sequence query of a generated spec (at least one positive stage), joined `by`. */
function queryOf(spec: QuerySpec, by: string[]) {
  const stages = spec.stages.map((s) => ({
    ...s,
    missing: s.missing && spec.stages.some((o) => !o.missing),
  }));
  if (stages.every((s) => s.missing)) stages[0] = { ...stages[0], missing: false };
  return sequenceQuery(stages, {
    by,
    maxspanMs: spec.maxspanMs,
    until: spec.until ? { where: (e) => e.t === spec.until } : undefined,
  });
}

/** Feeds one generated event (id, timestamp, tiebreaker) to the matcher. */
function feedEvent(
  plan: ReturnType<typeof planEqlSequence>,
  state: EqlSequenceState,
  ev: { id: number; '@timestamp': number; tb: number },
): EqlCompletedSequence[] {
  return processEqlSequenceEvent(plan, state, {
    event: ev,
    ref: ev.id,
    time: toEqlTime(ev['@timestamp'])!,
    tiebreaker: ev.tb,
  });
}

function idsOf(seqs: { events: unknown[] }[]): string {
  return JSON.stringify(
    seqs.map((s) => s.events.map((e) => (e && (e as { missing?: boolean }).missing ? -1 : (e as Ev).id))),
  );
}

describe('EQL sequences: streaming finds exactly what batch search finds', () => {
  it('holds for random streams and random sequence queries', () => {
    fc.assert(
      fc.property(eventsArb, queryArb, (arrival, spec) => {
        const query = queryOf(spec, spec.byKey ? ['k'] : []);
        query.tiebreakerField = 'tb';

        const batch = searchEql(arrival, query, { size: 100_000 }) as EqlSequencesResult;

        const plan = planEqlSequence(query, { sweepEvery: 2 });
        let state: EqlSequenceState = createEqlSequenceState();
        const buffer = new ReorderBuffer({
          allowedLatenessMs: MAX_JITTER + 1,
          maxBuffered: 1_000,
          tiebreakerField: 'tb',
        });
        const found: EqlCompletedSequence[] = [];
        let n = 0;
        const feed = (released: ReturnType<ReorderBuffer['drain']>) => {
          for (const r of released) {
            expect(r.late).toBe(false);
            found.push(...feedEvent(plan, state, r.event as Ev));
            // The state is plain data: it survives a JSON round trip at any point.
            if (++n % 3 === 0) state = JSON.parse(JSON.stringify(state)) as EqlSequenceState;
          }
        };
        for (const ev of arrival) {
          buffer.push(ev);
          feed(buffer.drain());
        }
        feed(buffer.flush());
        found.push(...flushEqlSequenceState(plan, state));
        const streamed = sortEqlCompletedSequences(found).map((s) => ({
          events: s.events.map((m) => (m ? { id: m.ref } : { missing: true })),
        }));
        expect(idsOf(streamed)).toEqual(idsOf(batch.sequences));
      }),
      { seed: 20261130, numRuns: 400 },
    );
  });
});

describe('EQL sequences: skipping what cannot act changes nothing', () => {
  // Events with a second key field and multi-valued keys: tuples of one or two values, one or
  // several tuples per event, shared values across keys.
  type KeyedEv = { id: number; '@timestamp': number; tb: number; t: string; h: string; k: unknown };
  const keyedEventsArb = fc
    .array(
      fc.record({
        dt: fc.integer({ min: 0, max: 3 }),
        h: fc.constantFrom('h1', 'h2'),
        k: fc.constantFrom<unknown>('x', 'y', null, 1, ['x', 'y'], ['y']),
        t: fc.constantFrom(...TAGS),
      }),
      { maxLength: 40 },
    )
    .map((rows) => {
      let time = 1000;
      return rows.map((r, i): KeyedEv => {
        time += r.dt;
        return { id: i + 1, '@timestamp': time, tb: i + 1, t: r.t, h: r.h, k: r.k };
      });
    });

  it('finds the same sequences as testing every stage and looking up every key', () => {
    fc.assert(
      fc.property(
        keyedEventsArb,
        queryArb,
        fc.constantFrom<string[]>([], ['k'], ['h', 'k'], ['k', 'h']),
        fc.boolean(),
        fc.constantFrom(1, 2, 10_000),
        (events, spec, by, roundTrip, maxHeldValues) => {
          const query = queryOf(spec, by);
          const run = (testEveryStage: boolean): string => {
            // maxHeldValues 1 or 2: positions give up their value sets and take them up again.
            const plan = planEqlSequence(query, { sweepEvery: 3, testEveryStage, maxHeldValues });
            let state: EqlSequenceState = createEqlSequenceState();
            const found: EqlCompletedSequence[] = [];
            events.forEach((ev, i) => {
              found.push(...feedEvent(plan, state, ev));
              // A restored state: what is held is taken afresh from its keys.
              if (roundTrip && i % 4 === 0) state = JSON.parse(JSON.stringify(state)) as EqlSequenceState;
            });
            found.push(...flushEqlSequenceState(plan, state));
            return JSON.stringify(found.map((s) => [s.joinKeys, s.events.map((m) => (m ? m.ref : null))]));
          };
          expect(run(false)).toEqual(run(true));
        },
      ),
      { seed: 20261130, numRuns: 800 },
    );
  });
});

/**
 * An independent oracle: Elasticsearch's own formulation. Positive stages are matched stage
 * after stage over the whole ordered window (per key and stage a list of sequences; a hit
 * takes the latest one before it and trims everything older; `until` rejects when its nearest
 * marker lies between the sequence's last event and the hit, both ends inclusive). Missing
 * stages are then checked per completed sequence as its TumblingWindow does: a middle one by
 * searching between the neighbours' timestamps, leading/trailing ones by the nearest event
 * before/after the sequence, kept or dropped by the same maxspan rules.
 */
function esOracle(
  events: Ev[],
  stages: StageSpec[],
  byKey: boolean,
  maxspanMs: number | undefined,
  untilTag?: string,
): (number | -1)[][] {
  const expanded = stages.flatMap((s) => Array.from({ length: s.runs ?? 1 }, () => s));
  const positive = expanded.map((s, i) => (s.missing ? -1 : i)).filter((i) => i >= 0);
  const sorted = [...events].sort((a, b) => a['@timestamp'] - b['@timestamp'] || a.tb - b.tb);
  const keyOf = (e: Ev): string | undefined => (byKey ? (e.k === null ? undefined : e.k) : '');
  const pos = new Map(sorted.map((e, i) => [e.id, i]));
  const span = maxspanMs !== undefined && maxspanMs > 0 ? maxspanMs : undefined;
  type Seq = { key: string; m: Ev[] };
  const groups = new Map<string, Seq[][]>();
  const completed: Seq[] = [];
  const P = positive.length;
  const groupOf = (key: string, s: number) => {
    if (!groups.has(key))
      groups.set(
        key,
        positive.map(() => []),
      );
    return groups.get(key)![s];
  };
  for (const e of sorted) {
    const key = keyOf(e);
    if (key === undefined || !expanded[positive[0]].where(e as never)) continue;
    if (P === 1) completed.push({ key, m: [e] });
    else groupOf(key, 0).push({ key, m: [e] });
  }
  const untils = new Map<string, number[]>();
  if (untilTag) {
    for (const e of sorted) {
      const key = keyOf(e);
      if (key !== undefined && e.t === untilTag && groups.has(key)) {
        if (!untils.has(key)) untils.set(key, []);
        untils.get(key)!.push(pos.get(e.id)!);
      }
    }
  }
  for (let s = 1; s < P; s++) {
    for (const e of sorted) {
      const key = keyOf(e);
      if (key === undefined || !expanded[positive[s]].where(e as never) || !groups.has(key)) continue;
      const group = groupOf(key, s - 1);
      const here = pos.get(e.id)!;
      let idx = -1;
      for (let i = 0; i < group.length; i++)
        if (pos.get(group[i].m[group[i].m.length - 1].id)! < here) idx = i;
      if (idx < 0) continue;
      const seq = group[idx];
      group.splice(0, idx + 1);
      if (span !== undefined && e['@timestamp'] - seq.m[0]['@timestamp'] > span) continue;
      const marks = (untils.get(key) ?? []).filter((u) => u < here);
      const nearest = marks.length > 0 ? marks[marks.length - 1] : undefined;
      if (nearest !== undefined && nearest >= pos.get(seq.m[seq.m.length - 1].id)!) continue;
      const next = { key, m: [...seq.m, e] };
      if (s === P - 1) completed.push(next);
      else groupOf(key, s).push(next);
    }
  }
  completed.sort((a, b) => pos.get(a.m[a.m.length - 1].id)! - pos.get(b.m[b.m.length - 1].id)!);

  const bigger = (from: number | null, to: number | null) =>
    from === null || to === null || (span !== undefined && to - from > span);
  const firstMissing = expanded[0].missing === true;
  const lastMissing = expanded[expanded.length - 1].missing === true;
  const kept = completed.filter((seq) => {
    const matchOf = (stage: number) => seq.m[positive.indexOf(stage)];
    const same = (e: Ev, stage: number) => expanded[stage].where(e as never) && keyOf(e) === seq.key;
    const start = seq.m[0]['@timestamp'];
    const end = seq.m[seq.m.length - 1]['@timestamp'];
    let lastLeading: number | null = null;
    let firstTrailing: number | null = null;
    for (let i = 0; i < expanded.length; i++) {
      if (!expanded[i].missing) continue;
      if (i < positive[0]) {
        for (const e of sorted)
          if (same(e, i) && e['@timestamp'] < start)
            lastLeading = Math.max(lastLeading ?? -Infinity, e['@timestamp']);
      } else if (i > positive[P - 1]) {
        for (const e of sorted)
          if (same(e, i) && e['@timestamp'] > end)
            firstTrailing = Math.min(firstTrailing ?? Infinity, e['@timestamp']);
      } else {
        const before = matchOf(Math.max(...positive.filter((p) => p < i)))['@timestamp'];
        const after = matchOf(Math.min(...positive.filter((p) => p > i)))['@timestamp'];
        if (sorted.some((e) => same(e, i) && e['@timestamp'] > before && e['@timestamp'] < after))
          return false;
      }
    }
    return (
      (firstTrailing === null && lastLeading === null) ||
      (lastLeading === null && firstMissing) ||
      (firstTrailing === null && lastMissing) ||
      (firstMissing && lastMissing && bigger(lastLeading, firstTrailing)) ||
      (firstMissing && !lastMissing && bigger(lastLeading, end)) ||
      (!firstMissing && lastMissing && bigger(start, firstTrailing))
    );
  });
  return kept.map((c) => expanded.map((s, i) => (s.missing ? -1 : matchOfSeq(c, positive, i))));
}

function matchOfSeq(seq: { m: Ev[] }, positive: number[], stage: number): number {
  return seq.m[positive.indexOf(stage)].id;
}

describe('EQL sequences: the matcher agrees with an Elasticsearch-style oracle', () => {
  it('holds for random streams and random queries, missing events included', () => {
    fc.assert(
      fc.property(eventsArb, queryArb, (events, spec) => {
        const stages = spec.stages.map((s) => ({ ...s }));
        if (stages.every((s) => s.missing)) stages[0] = { ...stages[0], missing: false };
        const query = sequenceQuery(stages, {
          by: spec.byKey ? ['k'] : [],
          maxspanMs: spec.maxspanMs,
          until: spec.until ? { where: (e) => e.t === spec.until } : undefined,
        });
        query.tiebreakerField = 'tb';
        const batch = searchEql(events, query, { size: 100_000 }) as EqlSequencesResult;
        expect(idsOf(batch.sequences)).toEqual(
          JSON.stringify(esOracle(events, stages, spec.byKey, spec.maxspanMs, spec.until)),
        );
      }),
      { seed: 424242, numRuns: 1000 },
    );
  });
});

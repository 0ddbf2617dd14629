import {
  advanceEqlSequenceTime,
  createEqlSequenceState,
  flushEqlSequenceState,
  planEqlSequence,
  processEqlSequenceEvent,
  type EqlSequencePlan,
  type EqlSequenceState,
} from './sequence-matcher';
import { sequenceQuery } from './test-queries';

type E = { id: number; t: string; k?: string; ts: number };
const feed = (plan: EqlSequencePlan, state: EqlSequenceState, e: E) =>
  processEqlSequenceEvent(plan, state, { event: e, ref: e.id, time: { ms: e.ts, ns: 0 } });
const refs = (done: ReturnType<typeof feed>) => done.map((s) => s.events.map((m) => (m ? m.ref : -1)));

describe('EQL sequence matcher state', () => {
  const twoStages = (opts: Parameters<typeof sequenceQuery>[1] = {}) =>
    sequenceQuery([{ where: (e) => e.t === 'a' }, { where: (e) => e.t === 'b' }], { by: ['k'], ...opts });

  it('keeps at most one partial sequence per key and stage (the newest)', () => {
    const plan = planEqlSequence(twoStages());
    const state = createEqlSequenceState();
    for (let i = 0; i < 50; i++) feed(plan, state, { id: i, t: 'a', k: 'h', ts: i });
    expect(state.keyCount).toBe(1);
    expect(JSON.stringify(state).length).toBeLessThan(1000);
    expect(refs(feed(plan, state, { id: 99, t: 'b', k: 'h', ts: 100 }))).toEqual([[49, 99]]);
  });

  it('expires pending sequences by event time (maxspan), so state shrinks', () => {
    // maxKeySkewMs 0: each key's state expires by the stream's time as soon as maxspan passes.
    const plan = planEqlSequence(twoStages({ maxspanMs: 10 }), { sweepEvery: 1_000_000, maxKeySkewMs: 0 });
    const state = createEqlSequenceState();
    for (let i = 0; i < 1000; i++) feed(plan, state, { id: i, t: 'a', k: `h${i}`, ts: i });
    expect(state.keyCount).toBe(1000);
    advanceEqlSequenceTime(plan, state, { ms: 2000, ns: 0 });
    expect(state.keyCount).toBe(0);
    expect(state.keys).toEqual({});
    expect(state.stats.expired).toBe(1000);
  });

  it('sweeps on its own every sweepEvery events', () => {
    const plan = planEqlSequence(twoStages({ maxspanMs: 10 }), { sweepEvery: 100, maxKeySkewMs: 0 });
    const state = createEqlSequenceState();
    for (let i = 0; i < 10_000; i++) feed(plan, state, { id: i, t: 'a', k: `h${i}`, ts: i });
    expect(state.keyCount).toBeLessThanOrEqual(111);
  });

  it('keeps the pending sequence of a key while another key runs ahead, within maxKeySkewMs', () => {
    const plan = planEqlSequence(twoStages({ maxspanMs: 10 }), { sweepEvery: 1, maxKeySkewMs: 60_000 });
    const state = createEqlSequenceState();
    feed(plan, state, { id: 1, t: 'a', k: 'slow', ts: 1_000 });
    // Another host's events (a forged clock, a backlog) are 30 s ahead: the stream's time jumps.
    feed(plan, state, { id: 2, t: 'a', k: 'fast', ts: 31_000 });
    feed(plan, state, { id: 3, t: 'x', k: 'fast', ts: 31_001 });
    // The slow host's next event arrives late but 5 ms after its first: the sequence completes.
    expect(refs(feed(plan, state, { id: 4, t: 'b', k: 'slow', ts: 1_005 }))).toEqual([[1, 4]]);
    // Beyond the skew the stream's time applies again, so state still shrinks.
    feed(plan, state, { id: 5, t: 'a', k: 'quiet', ts: 31_002 });
    advanceEqlSequenceTime(plan, state, { ms: 31_002 + 60_011, ns: 0 });
    expect(Object.keys(state.keys)).toEqual([]);
  });

  it('skips sweeps while nothing can expire, and expires by newer events of the same key at once', () => {
    const q = sequenceQuery(
      [{ where: (e) => e.t === 'a' }, { where: (e) => e.t === 'b' }, { where: (e) => e.t === 'c' }],
      {
        by: ['k'],
        maxspanMs: 10,
      },
    );
    const plan = planEqlSequence(q, { sweepEvery: 1_000_000, maxKeySkewMs: 60_000 });
    const state = createEqlSequenceState();
    feed(plan, state, { id: 1, t: 'a', k: 'h', ts: 0 });
    feed(plan, state, { id: 2, t: 'b', k: 'h', ts: 5 });
    advanceEqlSequenceTime(plan, state, { ms: 6, ns: 0 });
    // Nothing can expire before the first match plus maxspan plus the key skew.
    expect(state.sweepAt).toBe(60_010);
    // A new stage-0 match 20 ms later: the key's own time now puts the older partial past
    // maxspan. It expires there and then, so no sweep of every key is due for it.
    feed(plan, state, { id: 3, t: 'a', k: 'h', ts: 20 });
    expect(state.stats.expired).toBe(1);
    expect(state.sweepAt).toBe(60_010);
    expect(refs(feed(plan, state, { id: 4, t: 'c', k: 'h', ts: 22 }))).toEqual([]);
    // The new partial is intact.
    feed(plan, state, { id: 5, t: 'b', k: 'h', ts: 25 });
    expect(refs(feed(plan, state, { id: 6, t: 'c', k: 'h', ts: 26 }))).toEqual([[3, 5, 6]]);
  });

  it('bounds the number of keys and counts evictions', () => {
    const plan = planEqlSequence(twoStages(), { maxKeys: 100 });
    const state = createEqlSequenceState();
    for (let i = 0; i < 1000; i++) feed(plan, state, { id: i, t: 'a', k: `h${i}`, ts: i });
    expect(state.keyCount).toBeLessThanOrEqual(100);
    expect(Object.keys(state.keys).length).toBe(state.keyCount);
    expect(state.stats.evictedKeys + state.keyCount).toBe(1000);
    // The most recent keys survive.
    expect(refs(feed(plan, state, { id: 5000, t: 'b', k: 'h999', ts: 5000 }))).toEqual([[999, 5000]]);
    expect(refs(feed(plan, state, { id: 5001, t: 'b', k: 'h0', ts: 5001 }))).toEqual([]);
  });

  it('settles a trailing missing stage once maxspan has passed, without waiting for the end', () => {
    const q = sequenceQuery([{ where: (e) => e.t === 'a' }, { where: (e) => e.t === 'm', missing: true }], {
      by: ['k'],
      maxspanMs: 100,
    });
    const plan = planEqlSequence(q);
    const state = createEqlSequenceState();
    expect(feed(plan, state, { id: 1, t: 'a', k: 'h', ts: 0 })).toEqual([]);
    expect(feed(plan, state, { id: 2, t: 'a', k: 'g', ts: 10 })).toEqual([]);
    // A trailing event within maxspan drops the sequence of its key.
    expect(feed(plan, state, { id: 3, t: 'm', k: 'g', ts: 50 })).toEqual([]);
    expect(refs(advanceEqlSequenceTime(plan, state, { ms: 101, ns: 0 }))).toEqual([[1, -1]]);
    expect(flushEqlSequenceState(plan, state)).toEqual([]);
    expect(state.stats.rejectedMissing).toBe(1);
  });

  it('tests a later stage only while a partial sequence waits for it', () => {
    let stageTwoTests = 0;
    let untilTests = 0;
    const query = sequenceQuery(
      [{ where: (e) => e.t === 'a' }, { where: (e) => (stageTwoTests++, e.t === 'b') }],
      { by: ['k'], maxspanMs: 10, until: { where: (e) => (untilTests++, e.t === 'u') } },
    );
    const plan = planEqlSequence(query, { maxKeySkewMs: 0 });
    const state = createEqlSequenceState();
    // Nothing held: the second stage and until are not even tested.
    for (let i = 0; i < 20; i++) expect(feed(plan, state, { id: i, t: 'b', k: 'h', ts: i })).toEqual([]);
    expect([stageTwoTests, untilTests]).toEqual([0, 0]);
    // A first-stage event: until is tested on it (it could cancel what the event opens)...
    feed(plan, state, { id: 30, t: 'a', k: 'h', ts: 30 });
    expect(untilTests).toBe(1);
    // ...and the held partial makes both live; it completes as before.
    expect(refs(feed(plan, state, { id: 31, t: 'b', k: 'h', ts: 31 }))).toEqual([[30, 31]]);
    expect(stageTwoTests).toBe(1);
    // Expired by maxspan: nothing held again, nothing tested.
    feed(plan, state, { id: 40, t: 'a', k: 'other', ts: 40 });
    advanceEqlSequenceTime(plan, state, { ms: 1000, ns: 0 });
    const before = stageTwoTests;
    feed(plan, state, { id: 1001, t: 'b', k: 'other', ts: 1001 });
    expect(stageTwoTests).toBe(before);
    // The reference mode tests every stage on every event.
    const every = planEqlSequence(query, { testEveryStage: true });
    const was = stageTwoTests;
    feed(every, createEqlSequenceState(), { id: 1, t: 'b', k: 'h', ts: 1 });
    expect(stageTwoTests).toBe(was + 1);
  });

  it('state survives a JSON round trip mid-sequence', () => {
    const plan = planEqlSequence(twoStages({ until: { where: (e) => e.t === 'u' } }));
    let state = createEqlSequenceState();
    feed(plan, state, { id: 1, t: 'a', k: 'h', ts: 1 });
    feed(plan, state, { id: 2, t: 'a', k: 'g', ts: 2 });
    state = JSON.parse(JSON.stringify(state));
    feed(plan, state, { id: 3, t: 'u', k: 'g', ts: 3 });
    expect(refs(feed(plan, state, { id: 4, t: 'b', k: 'h', ts: 4 }))).toEqual([[1, 4]]);
    expect(refs(feed(plan, state, { id: 5, t: 'b', k: 'g', ts: 5 }))).toEqual([]);
    expect(state.stats.cancelledUntil).toBe(1);
  });
});

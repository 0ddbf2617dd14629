import {
  searchEql,
  EQL_MISSING_EVENT,
  type EqlSequencesResult,
  type EqlEventsResult,
  type EqlSamplesResult,
} from './index';
import { eventQuery, sampleQuery, sequenceQuery } from './test-queries';

type E = Record<string, unknown>;
const ev = (id: number, t: number, fields: E = {}): E => ({ id, '@timestamp': t, ...fields });
const ids = (r: unknown): unknown[] =>
  (r as EqlSequencesResult).sequences.map((s) =>
    s.events.map((e) => (e === EQL_MISSING_EVENT ? -1 : (e as E).id)),
  );

describe('searchEql: event queries', () => {
  const events = [ev(3, 30), ev(1, 10), ev(2, 20), { id: 9, no: 'timestamp' }, ev(4, 20, { n: 1 })];

  it('orders by timestamp then input order; events without a timestamp come first (ES sorts missing first)', () => {
    const r = searchEql(
      events,
      eventQuery(() => true),
    ) as EqlEventsResult;
    expect(r.events.map((e) => (e as E).id)).toEqual([9, 1, 2, 4, 3]);
  });

  it('orders equal timestamps by the tiebreaker, missing tiebreakers first', () => {
    const data = [ev(1, 10, { tb: 5 }), ev(2, 10), ev(3, 10, { tb: 1 })];
    const r = searchEql(
      data,
      eventQuery(() => true),
      { tiebreakerField: 'tb' },
    ) as EqlEventsResult;
    expect(r.events.map((e) => (e as E).id)).toEqual([2, 3, 1]);
  });

  it('sequences skip events without a timestamp and order missing tiebreakers last', () => {
    const data = [ev(1, 10, { tb: 5 }), ev(2, 10), ev(3, 10, { tb: 1 }), { id: 4 }];
    const q = sequenceQuery([{ where: () => true }, { where: () => true }]);
    q.tiebreakerField = 'tb';
    expect(ids(searchEql(data, q))).toEqual([
      [3, 1],
      [1, 2],
    ]);
  });

  it('applies size as an implicit limit of the first pipe kind', () => {
    const many = Array.from({ length: 30 }, (_, i) => ev(i, i));
    const q = (pipes: Parameters<typeof eventQuery>[1]) => eventQuery(() => true, pipes);
    const run = (pipes: Parameters<typeof eventQuery>[1], size?: number) =>
      (searchEql(many, q(pipes), { size }) as EqlEventsResult).events.map((e) => (e as E).id);
    expect(run([])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run([{ kind: 'tail', count: 3 }])).toEqual([27, 28, 29]);
    expect(run([{ kind: 'tail', count: 3 }], 2)).toEqual([28, 29]);
    expect(
      run(
        [
          { kind: 'head', count: 5 },
          { kind: 'tail', count: 2 },
        ],
        50,
      ),
    ).toEqual([3, 4]);
  });

  it('returns events whole, as given', () => {
    const doc = ev(1, 1, { nested: { a: [1, 2] } });
    const r = searchEql(
      [doc],
      eventQuery(() => true),
    ) as EqlEventsResult;
    expect(r.events[0]).toBe(doc);
  });

  it('treats times beyond the Date range as no time', () => {
    const data = [ev(1, 5), ev(2, 1e300), ev(3, 7e16), ev(4, 6)];
    const q = sequenceQuery([{ where: () => true }, { where: () => true }]);
    expect(ids(searchEql(data, q))).toEqual([[1, 4]]);
  });

  it('reads ISO timestamps with nanoseconds in order', () => {
    const data = [
      { id: 2, '@timestamp': '2022-01-01T00:00:00.000000002Z' },
      { id: 1, '@timestamp': '2022-01-01T00:00:00.000000001Z' },
      { id: 0, '@timestamp': 1640995199999 },
    ];
    const r = searchEql(
      data,
      eventQuery(() => true),
    ) as EqlEventsResult;
    expect(r.events.map((e) => (e as E).id)).toEqual([0, 1, 2]);
  });
});

describe('searchEql: sequences', () => {
  const seq = Array.from({ length: 8 }, (_, i) => ev(i + 1, (i + 1) * 1000, { cat: 'p' }));
  const le = (n: number) => (e: E) => (e.id as number) <= n;
  const any = () => true;

  it('keeps only the newest partial sequence per stage (sequenceConditionManyMany)', () => {
    const r = searchEql(seq, sequenceQuery([{ where: le(3) }, { where: any }, { where: any }]), { size: 50 });
    expect(ids(r)).toEqual([
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 5],
    ]);
  });

  it('matches ES on ManyConditionMany and ManyManyCondition', () => {
    expect(
      ids(searchEql(seq, sequenceQuery([{ where: any }, { where: le(3) }, { where: any }]), { size: 50 })),
    ).toEqual([
      [1, 2, 3],
      [2, 3, 4],
    ]);
    expect(
      ids(searchEql(seq, sequenceQuery([{ where: any }, { where: any }, { where: le(3) }]), { size: 50 })),
    ).toEqual([[1, 2, 3]]);
  });

  it('orders sequences by their last event and applies head/tail', () => {
    const q = sequenceQuery([{ where: any }, { where: any }], {
      pipes: [
        { kind: 'head', count: 4 },
        { kind: 'tail', count: 2 },
      ],
    });
    expect(ids(searchEql(seq, q, { size: 50 }))).toEqual([
      [3, 4],
      [4, 5],
    ]);
  });

  it('joins by key; a null key never joins', () => {
    const data = [
      ev(1, 1, { k: 'a' }),
      ev(2, 2, { k: 'b' }),
      ev(3, 3),
      ev(4, 4, { k: 'a' }),
      ev(5, 5),
      ev(6, 6, { k: 'b' }),
    ];
    const r = searchEql(data, sequenceQuery([{ where: any }, { where: any }], { by: ['k'] }), { size: 50 });
    expect(ids(r)).toEqual([
      [1, 4],
      [2, 6],
    ]);
    expect((r as EqlSequencesResult).sequences.map((s) => s.join_keys)).toEqual([['a'], ['b']]);
  });

  it('joins multi-valued keys on each distinct non-null value, ties ordered by key', () => {
    const data = [
      ev(1, 1, { tags: ['t2', 't1', null, 't1'], a: 1 }),
      ev(2, 2, { tags: ['t1', 't2', 't3'], b: 1 }),
      ev(3, 3, { tags: [], b: 1 }),
    ];
    const r = searchEql(
      data,
      sequenceQuery([{ where: (e) => e.a === 1 }, { where: (e) => e.b === 1 }], { by: ['tags'] }),
    );
    expect(ids(r)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect((r as EqlSequencesResult).sequences.map((s) => s.join_keys)).toEqual([['t1'], ['t2']]);
  });

  it('optional keys join on null', () => {
    const data = [ev(1, 1, { a: 1 }), ev(2, 2, { b: 1 })];
    const q = sequenceQuery(
      [
        { where: (e) => e.a === 1, optional: [true] },
        { where: (e) => e.b === 1, optional: [true] },
      ],
      { by: ['k'] },
    );
    expect(ids(searchEql(data, q))).toEqual([[1, 2]]);
  });

  it('rejects sequences longer than maxspan (equal passes)', () => {
    const data = [ev(1, 0), ev(2, 1000), ev(3, 3000), ev(4, 4001)];
    const q = sequenceQuery(
      [{ where: (e) => e.id === 1 || e.id === 3 }, { where: (e) => e.id === 2 || e.id === 4 }],
      {
        maxspanMs: 1000,
      },
    );
    expect(ids(searchEql(data, q))).toEqual([[1, 2]]);
  });

  it('until cancels pending sequences of its key, including the until event itself', () => {
    const data = [
      ev(1, 1, { k: 1, t: 'a' }),
      ev(2, 2, { k: 1, t: 'u' }),
      ev(3, 3, { k: 1, t: 'b' }),
      ev(4, 4, { k: 2, t: 'a' }),
      ev(5, 5, { k: 2, t: 'b' }),
    ];
    const q = sequenceQuery([{ where: (e) => e.t === 'a' }, { where: (e) => e.t === 'b' }], {
      by: ['k'],
      until: { where: (e) => e.t === 'u' },
    });
    expect(ids(searchEql(data, q))).toEqual([[4, 5]]);
    // An event matching a stage and until cancels the sequence it just advanced.
    const both = sequenceQuery([{ where: (e) => e.t === 'a' }, { where: (e) => e.t === 'b' }], {
      by: ['k'],
      until: { where: (e) => e.t === 'a' && e.id === 1 },
    });
    expect(ids(searchEql(data, both))).toEqual([[4, 5]]);
    // ...but an until event that completes a sequence does not cancel it.
    const last = sequenceQuery([{ where: (e) => e.t === 'a' }, { where: (e) => e.t === 'b' }], {
      by: ['k'],
      until: { where: (e) => e.t === 'b' },
    });
    expect(ids(searchEql(data, last))).toEqual([
      [1, 3],
      [4, 5],
    ]);
  });

  it('with runs=N repeats a stage', () => {
    const q = sequenceQuery([{ where: le(1), runs: 2 }, { where: (e) => e.id === 5 }]);
    expect(ids(searchEql(seq, q))).toEqual([]);
    expect(
      ids(searchEql(seq, sequenceQuery([{ where: le(2), runs: 2 }, { where: (e) => e.id === 5 }]))),
    ).toEqual([[1, 2, 5]]);
    const q2 = sequenceQuery([{ where: le(4), runs: 3 }, { where: (e) => e.id === 5 }]);
    expect(ids(searchEql(seq, q2))).toEqual([[2, 3, 4, 5]]);
  });
});

describe('searchEql: missing events', () => {
  const tag = (t: string) => (e: E) => e.tag === t;

  it('drops a sequence when a missing-stage event occurs between its neighbours', () => {
    const data = [
      ev(1, 1000, { tag: 'n' }),
      ev(2, 1500, { tag: 'm' }),
      ev(3, 1600, { tag: 'n' }),
      ev(4, 1700, { tag: 'n' }),
    ];
    const q = sequenceQuery([{ where: tag('n') }, { where: tag('m'), missing: true }, { where: tag('n') }], {
      maxspanMs: 1000,
    });
    expect(ids(searchEql(data, q))).toEqual([[3, -1, 4]]);
  });

  it('same-timestamp missing events do not count (strictly between)', () => {
    const data = [
      ev(1, 1000, { tag: 'n' }),
      ev(2, 1000, { tag: 'm' }),
      ev(3, 2000, { tag: 'm' }),
      ev(4, 2000, { tag: 'n' }),
    ];
    const q = sequenceQuery([{ where: tag('n') }, { where: tag('m'), missing: true }, { where: tag('n') }]);
    expect(ids(searchEql(data, q))).toEqual([[1, -1, 4]]);
  });

  it('leading missing stage: blocks within maxspan of the sequence end', () => {
    const data = [ev(1, 0, { tag: 'm' }), ev(2, 60_000, { tag: 'n' }), ev(3, 300_000, { tag: 'n' })];
    const q = sequenceQuery([{ where: tag('m'), missing: true }, { where: tag('n') }], {
      maxspanMs: 120_000,
    });
    expect(ids(searchEql(data, q))).toEqual([[-1, 3]]);
    const unbounded = sequenceQuery([{ where: tag('m'), missing: true }, { where: tag('n') }]);
    expect(ids(searchEql(data, unbounded))).toEqual([]);
  });

  it('trailing missing stage: blocks within maxspan of the sequence start', () => {
    const data = [
      ev(1, 0, { tag: 'n' }),
      ev(2, 500, { tag: 'm' }),
      ev(3, 10_000, { tag: 'n' }),
      ev(4, 20_000, { tag: 'm' }),
    ];
    const q = sequenceQuery([{ where: tag('n') }, { where: tag('m'), missing: true }], { maxspanMs: 1000 });
    expect(ids(searchEql(data, q))).toEqual([[3, -1]]);
    const q2 = sequenceQuery([{ where: tag('n') }, { where: tag('x'), missing: true }]);
    expect(ids(searchEql(data, q2))).toEqual([
      [1, -1],
      [3, -1],
    ]);
  });

  it('missing stages filter by the same join key', () => {
    const data = [
      ev(1, 1, { tag: 'n', k: 'a' }),
      ev(2, 2, { tag: 'm', k: 'b' }),
      ev(3, 3, { tag: 'n', k: 'a' }),
    ];
    const q = sequenceQuery([{ where: tag('n') }, { where: tag('m'), missing: true }, { where: tag('n') }], {
      by: ['k'],
    });
    expect(ids(searchEql(data, q))).toEqual([[1, -1, 3]]);
  });
});

describe('searchEql: samples', () => {
  it('groups by keys, one event per stage in any order, ordered by key', () => {
    const data = [
      ev(1, 5, { host: 'b', x: 1 }),
      ev(2, 1, { host: 'b', y: 1 }),
      ev(3, 2, { host: 'a', x: 1 }),
      ev(4, 3, { host: 'a', y: 1 }),
      ev(5, 3, { host: 'c', y: 1 }),
      ev(6, 3, { x: 1, y: 1 }),
    ];
    const q = sampleQuery([{ where: (e) => e.x === 1 }, { where: (e) => e.y === 1 }], { by: ['host'] });
    const r = searchEql(data, q) as EqlSamplesResult;
    expect(r.samples.map((s) => [s.join_keys, s.events.map((e) => (e as E).id)])).toEqual([
      [['a'], [3, 4]],
      [['b'], [1, 2]],
    ]);
  });

  it('a multi-valued key puts an event in every group of its values', () => {
    const data = [
      ev(1, 1, { tags: ['t2', 't1'], x: 1 }),
      ev(2, 2, { tags: 't1', y: 1 }),
      ev(3, 3, { tags: ['t2'], y: 1 }),
    ];
    const q = sampleQuery([{ where: (e) => e.x === 1 }, { where: (e) => e.y === 1 }], { by: ['tags'] });
    const r = searchEql(data, q) as EqlSamplesResult;
    expect(r.samples.map((s) => [s.join_keys, s.events.map((e) => (e as E).id)])).toEqual([
      [['t1'], [1, 2]],
      [['t2'], [1, 3]],
    ]);
  });

  it('never uses one event for two stages', () => {
    const data = [ev(1, 1, { host: 'a', x: 1, y: 1 })];
    const q = sampleQuery([{ where: (e) => e.x === 1 }, { where: (e) => e.y === 1 }], { by: ['host'] });
    expect((searchEql(data, q) as EqlSamplesResult).samples).toEqual([]);
  });

  it('max_samples_per_key takes the first combinations depth first', () => {
    const data = [
      ev(1, 1, { h: 'a', x: 1 }),
      ev(2, 1, { h: 'a', x: 1 }),
      ev(3, 1, { h: 'a', y: 1 }),
      ev(4, 1, { h: 'a', x: 1 }),
    ];
    const q = sampleQuery([{ where: (e) => e.x === 1 }, { where: (e) => e.y === 1 }], { by: ['h'] });
    const run = (m: number) =>
      (searchEql(data, q, { maxSamplesPerKey: m }) as EqlSamplesResult).samples.map((s) =>
        s.events.map((e) => (e as E).id),
      );
    expect(run(1)).toEqual([[1, 3]]);
    expect(run(2)).toEqual([
      [1, 3],
      [2, 3],
    ]);
    expect(run(10)).toEqual([
      [1, 3],
      [2, 3],
      [4, 3],
    ]);
  });

  it('optional keys join on null', () => {
    const data = [ev(1, 1, { x: 1 }), ev(2, 1, { y: 1 })];
    const q = sampleQuery(
      [
        { where: (e) => e.x === 1, optional: [true] },
        { where: (e) => e.y === 1, optional: [true] },
      ],
      {
        by: ['k'],
      },
    );
    expect((searchEql(data, q) as EqlSamplesResult).samples.map((s) => s.join_keys)).toEqual([[null]]);
  });
});

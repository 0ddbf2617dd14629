import { getFieldValues } from '@sequent/ecs';
import { hunt } from '../hunt';
import { MemoryStateStore } from '../state/memory-state-store';
import { and, at, eq, ev, meta, not, queryRule, sequenceRule, stage } from '../testing/test-rules';
import { DetectionEngine } from './detection-engine';
import { PartitionProcessor } from './partition-processor';

const T0 = '2026-04-01T08:00:00.000Z';
const NOW = Date.parse('2026-04-02T00:00:00.000Z');

const aptSequence = () =>
  sequenceRule(
    [
      stage('process', and(eq('process.parent.name', 'apt'), eq('process.args', '-c')), [
        'host.id',
        'process.entity_id',
      ]),
      stage('process', eq('process.name', 'python3'), ['host.id', 'process.parent.entity_id']),
    ],
    5000,
    { rule_id: 'apt-seq', uuid: 'apt-seq-uuid', name: 'APT shell', index: ['logs-endpoint.events.process*'] },
  );

function aptPair(host: string, t: number, gapMs: number, entity = 'sh-1') {
  return [
    ev({
      '@timestamp': at(T0, t),
      'host.id': host,
      'process.name': 'sh',
      'process.args': ['sh', '-c', 'x'],
      'process.entity_id': entity,
      'process.parent.name': 'apt',
    }),
    ev({
      '@timestamp': at(T0, t + gapMs),
      'host.id': host,
      'process.name': 'python3',
      'process.entity_id': entity + '-child',
      'process.parent.entity_id': entity,
    }),
  ];
}

describe('DetectionEngine through hunt', () => {
  it('query rule: alert per matching event, only on matching indices', async () => {
    const rule = queryRule(eq('process.name', 'dpkg'), { index: ['logs-endpoint.events.process*'] });
    const hit = ev({ 'process.name': 'dpkg' });
    const otherIndex = ev({ 'process.name': 'dpkg', _index: 'logs-auditd-default' });
    const bare = { '@timestamp': T0, process: { name: 'dpkg' }, event: { id: 'bare' } };
    const miss = ev({ 'process.name': 'ls' });
    const { alerts } = await hunt([rule], [hit, otherIndex, bare, miss], { now: () => NOW });
    expect(alerts.map((a) => a['kibana.alert.ancestors'][0].id)).toEqual([
      (hit.event as { id: string }).id,
      'bare',
    ]);
    // --index gives bare events an index, which then must match the rule's patterns
    const named = await hunt([rule], [bare], { now: () => NOW, index: 'logs-other-default' });
    expect(named.alerts).toHaveLength(0);
  });

  it('sequence within maxspan on the same process tree alerts once, with both events', async () => {
    const [a, b] = aptPair('h1', 0, 1000);
    const { alerts } = await hunt([aptSequence()], [b, a], { now: () => NOW });
    expect(alerts).toHaveLength(1);
    const alert = alerts[0];
    expect(alert['kibana.alert.ancestors'].map((x) => x.id)).toEqual([
      (a.event as { id: string }).id,
      (b.event as { id: string }).id,
    ]);
    expect(alert['kibana.alert.group.id']).toMatch(/^[0-9a-f]{64}$/);
    expect(alert['kibana.alert.original_time']).toBe(T0);
    expect(alert['kibana.alert.rule.rule_id']).toBe('apt-seq');
    expect((alert as Record<string, unknown>).process).toMatchObject({ name: 'python3' });
  });

  it('sequence near misses stay silent: maxspan exceeded, other host, other process tree', async () => {
    const slow = aptPair('h1', 0, 6000);
    const [a1] = aptPair('h1', 100_000, 1000, 'sh-a');
    const [, b2] = aptPair('h2', 100_000, 1000, 'sh-a');
    const [a3] = aptPair('h3', 200_000, 1000, 'sh-x');
    const [, b3] = aptPair('h3', 200_000, 1000, 'sh-y');
    const { alerts } = await hunt([aptSequence()], [...slow, a1, b2, a3, b3], { now: () => NOW });
    expect(alerts).toEqual([]);
  });

  it('alert ids are deterministic across runs and clocks', async () => {
    const events = aptPair('h1', 0, 1000);
    const r1 = await hunt([aptSequence()], events, { now: () => NOW });
    const r2 = await hunt([aptSequence()], events, { now: () => NOW + 1000 });
    expect(r1.alerts[0]['kibana.alert.uuid']).toBe(r2.alerts[0]['kibana.alert.uuid']);
    expect(r1.alerts[0]['@timestamp']).not.toBe(r2.alerts[0]['@timestamp']);
  });

  it('new_terms: alerts on a term not seen in the history window, learns from backfill', async () => {
    const rule = queryRule(
      eq('process.name', 'dpkg'),
      { type: 'new_terms', rule_id: 'nt' },
      {
        newTerms: { fields: ['process.parent.executable'], historyWindowMs: 5 * 86_400_000 },
      },
    );
    const day = 86_400_000;
    const mk = (t: number, parent: string) =>
      ev({ '@timestamp': at(T0, t), 'process.name': 'dpkg', 'process.parent.executable': parent });
    const events = [
      mk(0, '/usr/bin/apt'), // new
      mk(1000, '/usr/bin/apt'), // seen 1s ago
      mk(2 * day, '/tmp/evil'), // new
      mk(3 * day, '/tmp/evil'), // seen within 5d
      mk(9 * day, '/tmp/evil'), // last seen 6 days ago: new again
      ev({ '@timestamp': at(T0, 0), 'process.name': 'dpkg' }), // no term: never alerts
    ];
    const { alerts } = await hunt([rule], events, { now: () => NOW });
    expect(alerts.map((a) => a['kibana.alert.new_terms'])).toEqual([
      ['/usr/bin/apt'],
      ['/tmp/evil'],
      ['/tmp/evil'],
    ]);

    // the id names the term and its history period, not the event that saw it first
    const other = await hunt([rule], [mk(2 * day + 60_000, '/tmp/evil')], { now: () => NOW });
    expect(other.alerts[0]['kibana.alert.uuid']).toBe(alerts[1]['kibana.alert.uuid']);
    expect(alerts[2]['kibana.alert.uuid']).not.toBe(alerts[1]['kibana.alert.uuid']);

    const learned = await hunt([rule], [mk(10 * day, '/usr/bin/apt')], {
      now: () => NOW,
      history: [mk(9 * day, '/usr/bin/apt')],
    });
    expect(learned.alerts).toEqual([]);
  });

  it('threshold: alerts once per window and group when the count (and cardinality) is reached', async () => {
    const rule = queryRule(
      eq('event.action', 'connection_attempted'),
      { type: 'threshold', rule_id: 'th' },
      {
        threshold: {
          fields: ['host.id'],
          value: 3,
          cardinality: [{ field: 'destination.port', value: 2 }],
          windowMs: 60_000,
        },
      },
    );
    const mk = (t: number, host: string, port: number) =>
      ev({
        '@timestamp': at(T0, t),
        'host.id': host,
        'event.action': 'connection_attempted',
        'destination.port': port,
      });
    const events = [
      mk(0, 'h1', 22),
      mk(1000, 'h1', 22),
      mk(2000, 'h1', 22), // count 3, cardinality 1: not yet
      mk(3000, 'h1', 80), // reached
      mk(4000, 'h1', 443), // same window: no second alert
      mk(61_000, 'h1', 22),
      mk(62_000, 'h1', 80),
      mk(63_000, 'h1', 443), // next window: alert
      mk(0, 'h2', 1),
      mk(1, 'h2', 2), // only 2 events
    ];
    const { alerts } = await hunt([rule], events, { now: () => NOW });
    expect(alerts).toHaveLength(2);
    expect(alerts[0]['kibana.alert.threshold_result']).toEqual({
      terms: [{ field: 'host.id', value: 'h1' }],
      count: 4,
      from: T0,
      cardinality: [{ field: 'destination.port', value: 2 }],
    });
    expect((alerts[0] as Record<string, unknown>).host).toEqual({ id: 'h1' });
  });

  it('exceptions on the alert source document suppress the alert', async () => {
    const rule = queryRule(eq('process.name', 'dpkg'), {}, { isExcepted: eq('user.name', 'ansible') });
    const { alerts } = await hunt(
      [rule],
      [
        ev({ 'process.name': 'dpkg', 'user.name': 'ansible' }),
        ev({ 'process.name': 'dpkg', 'user.name': 'root' }),
      ],
      { now: () => NOW },
    );
    expect(alerts).toHaveLength(1);
    expect((alerts[0] as Record<string, unknown>).user).toEqual({ name: 'root' });
  });

  it('skips the rules it cannot run and says why', async () => {
    const sample = queryRule(() => true, { type: 'eql', rule_id: 'sample' });
    sample.matcher = {
      kind: 'eql',
      eql: {
        kind: 'sample',
        source: 'sample by x [any where true]',
        pipes: [],
        timestampField: '@timestamp',
        stages: [],
      },
    };
    const { skippedRules } = await hunt([sample], []);
    expect(skippedRules.map((s) => s.meta.rule_id)).toEqual(['sample']);
  });

  it('reports per-rule counters, most evaluated first', async () => {
    const a = queryRule(eq('process.name', 'x'), { rule_id: 'a' });
    const b = queryRule(
      eq('process.name', 'y'),
      { rule_id: 'b' },
      { prefilter: { categories: ['network'] } },
    );
    const engine = new DetectionEngine([b, a], { now: () => NOW });
    const p = await PartitionProcessor.open(engine, new MemoryStateStore(), { partition: 'p' });
    await p.processBatch([{ event: ev({ 'process.name': 'x' }) }, { event: ev({ 'process.name': 'z' }) }]);
    await p.flush();
    expect(engine.topRules(1)).toEqual([
      { rule_id: 'a', name: 'Test Rule', evaluations: 2, alerts: 1, timeMs: 0, errors: 0 },
    ]);
  });

  it('a rule that throws on an event is counted and the other rules still run', async () => {
    const bad = queryRule(
      (doc) => {
        if (getFieldValues(doc, 'process.name').includes('boom')) throw new Error('evaluator bug');
        return false;
      },
      { rule_id: 'bad' },
    );
    const good = queryRule(eq('process.name', 'boom'), { rule_id: 'good' });
    const seen: string[] = [];
    const { alerts } = await hunt([bad, good], [ev({ 'process.name': 'boom' })], {
      now: () => NOW,
      onRuleError: (rt, err) => seen.push(`${rt.meta.rule_id}: ${(err as Error).message}`),
    });
    expect(alerts.map((a) => a['kibana.alert.rule.rule_id'])).toEqual(['good']);
    expect(seen).toEqual(['bad: evaluator bug']);
  });

  it('indexes rules by category: a rule of another category is never evaluated', () => {
    const net = queryRule(() => true, { rule_id: 'net' }, { prefilter: { categories: ['network'] } });
    const proc = queryRule(
      not(() => false),
      { rule_id: 'proc' },
      { prefilter: { categories: ['process'] } },
    );
    const lit = queryRule(
      () => true,
      { rule_id: 'lit' },
      {
        prefilter: { literals: { field: 'process.name', values: ['dpkg'] } },
      },
    );
    const engine = new DetectionEngine([net, proc, lit]);
    const ids = (e: unknown) => engine.candidates(e, null).map((r) => r.meta.rule_id);
    expect(ids(ev({}))).toEqual(['proc']);
    expect(ids(ev({ 'process.name': 'dpkg' }))).toEqual(['proc', 'lit']);
    expect(ids(ev({ 'event.category': ['network', 'process'] }))).toEqual(['net', 'proc']);
  });
});

describe('PartitionProcessor with a state store', () => {
  it('a sequence straddling a restart alerts once; applied offsets are skipped; the outbox survives', async () => {
    const store = new MemoryStateStore();
    const engine = new DetectionEngine([aptSequence()], { now: () => NOW });
    const opts = { partition: 'ecs.events:0', allowedLatenessMs: 0, maxBuffered: 100 };
    const [a, b] = aptPair('h1', 0, 1000);
    const p1 = await PartitionProcessor.open(engine, store, opts);
    expect((await p1.processBatch([{ event: a, offset: 10 }])).alerts).toEqual([]);
    // p1 "dies"; p2 takes over from the store
    const p2 = await PartitionProcessor.open(engine, store, opts);
    expect(p2.appliedOffset).toBe('10');
    const replay = await p2.processBatch([
      { event: a, offset: 10 },
      { event: b, offset: 11 },
    ]);
    expect(replay.skipped).toBe(1);
    expect(replay.alerts).toHaveLength(1);
    // dies before producing: the next owner finds the alert in the outbox
    const p3 = await PartitionProcessor.open(engine, store, opts);
    expect(p3.pendingAlerts.map((x) => x['kibana.alert.uuid'])).toEqual([
      replay.alerts[0]['kibana.alert.uuid'],
    ]);
    await p3.ackAlerts();
    const p4 = await PartitionProcessor.open(engine, store, opts);
    expect(p4.pendingAlerts).toEqual([]);
    expect((await p4.processBatch([{ event: b, offset: 11 }])).alerts).toEqual([]);
  });

  it('a partial sequence replaced in place survives a restart as replaced', async () => {
    // The second stage-0 event of the same join key replaces the pending partial (the newest
    // wins); the next owner must resume from that newer partial, not the first one.
    const store = new MemoryStateStore();
    const engine = new DetectionEngine([aptSequence()], { now: () => NOW });
    const opts = { partition: 'ecs.events:0', allowedLatenessMs: 0, maxBuffered: 100 };
    const [first] = aptPair('h1', 0, 1000);
    const [second, child] = aptPair('h1', 10_000, 1000);
    const p1 = await PartitionProcessor.open(engine, store, opts);
    expect((await p1.processBatch([{ event: first, offset: 1 }])).alerts).toEqual([]);
    expect((await p1.processBatch([{ event: second, offset: 2 }])).alerts).toEqual([]);
    const p2 = await PartitionProcessor.open(engine, store, opts);
    const done = await p2.processBatch([{ event: child, offset: 3 }]);
    expect(done.alerts).toHaveLength(1);
    expect(done.alerts[0]['kibana.alert.ancestors'].map((x) => x.id)).toEqual([
      (second.event as { id: string }).id,
      (child.event as { id: string }).id,
    ]);
  });

  it('keeps buffered events across a restart and counts late events', async () => {
    const store = new MemoryStateStore();
    const engine = new DetectionEngine([queryRule(eq('process.name', 'x'))], { now: () => NOW });
    const opts = { partition: 'p', allowedLatenessMs: 10_000, maxBuffered: 100 };
    const p1 = await PartitionProcessor.open(engine, store, opts);
    const early = ev({ '@timestamp': at(T0, 0), 'process.name': 'x' });
    expect((await p1.processBatch([{ event: early, offset: 1 }])).alerts).toEqual([]);
    expect(p1.buffered).toBe(1);
    const p2 = await PartitionProcessor.open(engine, store, opts);
    expect(p2.buffered).toBe(1);
    const later = ev({ '@timestamp': at(T0, 20_000), 'process.name': 'y' });
    const r = await p2.processBatch([{ event: later, offset: 2 }]);
    expect(r.alerts).toHaveLength(1);
    const late = ev({ '@timestamp': at(T0, -1000), 'process.name': 'x' });
    const r2 = await p2.processBatch([{ event: late, offset: 3 }]);
    expect(r2.alerts).toHaveLength(1);
    expect(p2.stats().late).toBe(1);
  });

  it('a changed rule starts with fresh state, an unchanged one keeps its state', async () => {
    const store = new MemoryStateStore();
    const opts = { partition: 'p', allowedLatenessMs: 0, maxBuffered: 100 };
    const [a, b] = aptPair('h1', 0, 1000);
    const p1 = await PartitionProcessor.open(new DetectionEngine([aptSequence()]), store, opts);
    await p1.processBatch([{ event: a, offset: 1 }]);
    const changed = aptSequence();
    changed.meta = meta({ ...changed.meta, version: 2 });
    const p2 = await PartitionProcessor.open(new DetectionEngine([changed]), store, opts);
    expect((await p2.processBatch([{ event: b, offset: 2 }])).alerts).toEqual([]);
    const store2 = new MemoryStateStore();
    const q1 = await PartitionProcessor.open(new DetectionEngine([aptSequence()]), store2, opts);
    await q1.processBatch([{ event: a, offset: 1 }]);
    const q2 = await PartitionProcessor.open(new DetectionEngine([aptSequence()]), store2, opts);
    expect((await q2.processBatch([{ event: b, offset: 2 }])).alerts).toHaveLength(1);
  });
});

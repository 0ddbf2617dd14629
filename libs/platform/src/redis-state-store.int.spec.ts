// The engine's Redis state store against the harness Redis (started by the Jest global setup).
import { DetectionEngine, PartitionProcessor, type InputRecord } from '@sequent/engine';
import { loadRulesFromText } from '@sequent/rules';
import { createRedisClient, type RedisClient } from './redis';
import { RedisStateStore } from './redis-state-store';
import type { RedisSettings } from './settings';

const url = process.env.SEQUENT_TEST_REDIS_URL;
if (!url) throw new Error('SEQUENT_TEST_REDIS_URL is not set: run through Jest (tools/harness global setup)');

const settings: RedisSettings = {
  url,
  tls: false,
  sentinels: [],
  sentinelMasterName: 'mymaster',
  clusterNodes: [],
  keyPrefix: `state-test-${process.pid}:`,
};

const RULES = `
[
  {
    "rule_id": "seq-1", "name": "APT hook shell", "description": "d", "type": "eql", "language": "eql",
    "risk_score": 47, "severity": "medium", "version": 3, "index": ["logs-endpoint.events.*"],
    "query": "sequence by host.id with maxspan=5s [process where process.parent.name == \\"apt\\"] by process.entity_id [process where process.name == \\"python3\\"] by process.parent.entity_id"
  },
  {
    "rule_id": "nt-1", "name": "dpkg parent", "description": "d", "type": "new_terms", "language": "kuery",
    "risk_score": 21, "severity": "low", "version": 1, "index": ["logs-endpoint.events.*"],
    "query": "process.name:dpkg",
    "new_terms_fields": ["process.parent.executable"], "history_window_start": "now-5d"
  }
]`;

const T0 = Date.parse('2026-03-10T12:00:00.000Z');
let n = 0;
function ev(t: number, host: string, process: Record<string, unknown>): Record<string, unknown> {
  n++;
  return {
    '@timestamp': new Date(T0 + t).toISOString(),
    event: { id: `ev-${n}`, category: ['process'], type: ['start'], action: 'exec' },
    data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' },
    host: { id: host },
    process,
  };
}

describe('RedisStateStore (real Redis)', () => {
  let redis: RedisClient;
  let engine: DetectionEngine;
  const opts = (partition: string) => ({ partition, allowedLatenessMs: 1000, maxBuffered: 1000 });

  beforeAll(() => {
    redis = createRedisClient(settings);
    const loaded = loadRulesFromText(RULES, 'rules.json', 'json');
    expect(loaded.reports.map((r) => r.errors)).toEqual([[], []]);
    engine = new DetectionEngine(loaded.rules, { now: () => T0 + 86_400_000 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${settings.keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('a sequence straddling a handover alerts exactly once; applied offsets are skipped', async () => {
    const store = new RedisStateStore(redis, { keyPrefix: settings.keyPrefix, allowedLatenessMs: 1000 });
    const stage1 = ev(0, 'h1', { name: 'sh', entity_id: 'E1', parent: { name: 'apt', entity_id: 'A1' } });
    const stage2 = ev(1500, 'h1', {
      name: 'python3',
      entity_id: 'P1',
      parent: { name: 'sh', entity_id: 'E1' },
    });
    const tick = ev(4000, 'h9', { name: 'ls', entity_id: 'L1' });

    const p1 = await PartitionProcessor.open(engine, store, opts('ecs.events:0'));
    expect((await p1.processBatch([{ event: stage1, offset: 100 }])).alerts).toEqual([]);
    // stage1 is still in the reorder buffer: it must survive in Redis
    expect(await redis.hlen(`${settings.keyPrefix}part:{ecs.events:0}:buf`)).toBe(1);

    // p1 is killed; p2 (another pod) takes the partition over and the broker redelivers 100..102
    const p2 = await PartitionProcessor.open(engine, store, opts('ecs.events:0'));
    expect(p2.appliedOffset).toBe('100');
    expect(p2.buffered).toBe(1);
    const records: InputRecord[] = [
      { event: stage1, offset: 100 },
      { event: stage2, offset: 101 },
      { event: tick, offset: 102 },
    ];
    const r = await p2.processBatch(records);
    expect(r.skipped).toBe(1);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]['kibana.alert.ancestors'].map((a) => a.id)).toEqual([
      (stage1.event as { id: string }).id,
      (stage2.event as { id: string }).id,
    ]);
    const seqKeys = await redis.keys(`${settings.keyPrefix}part:{ecs.events:0}:seq:*`);
    // the completed sequence left no pending state behind
    expect(seqKeys).toEqual([]);

    // p2 dies before producing: p3 finds the alert in the outbox, and replays produce nothing new
    const p3 = await PartitionProcessor.open(engine, store, opts('ecs.events:0'));
    expect(p3.pendingAlerts.map((a) => a['kibana.alert.uuid'])).toEqual([r.alerts[0]['kibana.alert.uuid']]);
    await p3.ackAlerts();
    expect((await p3.processBatch(records)).alerts).toEqual([]);
    const p4 = await PartitionProcessor.open(engine, store, opts('ecs.events:0'));
    expect(p4.pendingAlerts).toEqual([]);
    expect(p4.appliedOffset).toBe('102');
  });

  it('keeps pending sequence state with a TTL, and loads it on another pod', async () => {
    const store = new RedisStateStore(redis, {
      keyPrefix: settings.keyPrefix,
      allowedLatenessMs: 1000,
      minTtlMs: 60_000,
    });
    const stage1 = ev(0, 'h2', { name: 'sh', entity_id: 'E2', parent: { name: 'apt', entity_id: 'A2' } });
    const later = ev(2000, 'h3', { name: 'ls', entity_id: 'L2' });
    const p1 = await PartitionProcessor.open(engine, store, opts('ecs.events:1'));
    await p1.processBatch([
      { event: stage1, offset: 5 },
      { event: later, offset: 6 },
    ]);
    // one key for the pending join key, one for the rule's small scalar part
    const seqKeys = (await redis.keys(`${settings.keyPrefix}part:{ecs.events:1}:seq:*`)).sort();
    expect(seqKeys).toHaveLength(2);
    expect(seqKeys[0]).toContain('\u001fk["h2","E2"]');
    expect(seqKeys[1]).toMatch(/\u001fm$/);
    const ttl = await redis.pttl(seqKeys[0]);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const p2 = await PartitionProcessor.open(engine, store, opts('ecs.events:1'));
    expect(p2.stateSizes().sequences).toBe(1);
    const stage2 = ev(3000, 'h2', {
      name: 'python3',
      entity_id: 'P2',
      parent: { name: 'sh', entity_id: 'E2' },
    });
    const tick = ev(9000, 'h3', { name: 'ls', entity_id: 'L3' });
    const r = await p2.processBatch([
      { event: stage2, offset: 7 },
      { event: tick, offset: 8 },
    ]);
    expect(r.alerts).toHaveLength(1);
    expect(await store.partitionBytes('ecs.events:1')).toBeGreaterThan(0);
    await store.dropPartition('ecs.events:1');
    expect(await redis.keys(`${settings.keyPrefix}part:{ecs.events:1}*`)).toEqual([]);
  });

  it('threshold groups survive a handover and alert once per window', async () => {
    const loaded = loadRulesFromText(
      JSON.stringify({
        rule_id: 'th-1',
        name: 'many dpkg',
        description: 'd',
        type: 'threshold',
        language: 'kuery',
        risk_score: 21,
        severity: 'low',
        version: 1,
        index: ['logs-endpoint.events.*'],
        query: 'process.name:dpkg',
        threshold: { field: ['host.id'], value: 3 },
        from: 'now-10m',
        interval: '5m',
      }),
      'th.json',
      'json',
    );
    expect(loaded.reports[0].errors).toEqual([]);
    const thEngine = new DetectionEngine(loaded.rules, { now: () => T0 });
    const store = new RedisStateStore(redis, { keyPrefix: settings.keyPrefix, allowedLatenessMs: 0 });
    const o = { partition: 'ecs.events:4', allowedLatenessMs: 0, maxBuffered: 100 };
    const dpkg = (t: number) => ev(t, 'ht', { name: 'dpkg', entity_id: `T${t}` });
    const p1 = await PartitionProcessor.open(thEngine, store, o);
    expect(
      (
        await p1.processBatch([
          { event: dpkg(1000), offset: 1 },
          { event: dpkg(2000), offset: 2 },
        ])
      ).alerts,
    ).toEqual([]);
    expect(await redis.keys(`${settings.keyPrefix}part:{ecs.events:4}:thr:*`)).toHaveLength(1);
    const p2 = await PartitionProcessor.open(thEngine, store, o);
    const r = await p2.processBatch([
      { event: dpkg(3000), offset: 3 },
      { event: dpkg(4000), offset: 4 },
    ]);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]['kibana.alert.threshold_result']).toMatchObject({
      count: 3,
      terms: [{ field: 'host.id', value: 'ht' }],
    });
  });

  it('new_terms history is global: a term learned on one partition is not new on another', async () => {
    const store = new RedisStateStore(redis, { keyPrefix: settings.keyPrefix, allowedLatenessMs: 1000 });
    const dpkg = (t: number, host: string, parent: string) =>
      ev(t, host, {
        name: 'dpkg',
        entity_id: `D${t}`,
        args: ['dpkg', '-i', 'x.deb'],
        parent: { executable: parent },
      });
    const pa = await PartitionProcessor.open(engine, store, opts('ecs.events:2'));
    const pb = await PartitionProcessor.open(engine, store, opts('ecs.events:3'));
    const a = await pa.processBatch([{ event: dpkg(0, 'ha', '/opt/new/installer'), offset: 1 }]);
    const af = await pa.flush();
    expect([...a.alerts, ...af.alerts]).toHaveLength(1);
    const b = await pb.processBatch([{ event: dpkg(60_000, 'hb', '/opt/new/installer'), offset: 1 }]);
    const bf = await pb.flush();
    expect([...b.alerts, ...bf.alerts]).toEqual([]);
    const termKeys = await redis.keys(`${settings.keyPrefix}nt:*`);
    expect(termKeys).toHaveLength(1);
    expect(await redis.pttl(termKeys[0])).toBeGreaterThan(5 * 86_400_000);
  });
});

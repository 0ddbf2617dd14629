import { decodeDlqOriginal } from '@sequent/platform';
import { DetectionEngine, MemoryStateStore } from '@sequent/engine';
import { loadRulesFromText } from '@sequent/rules';
import type { BusRecord } from '../bus';
import { MemoryBus } from '../memory-bus';
import { runStage } from '../stage';
import { CorrelatorStage } from './correlator-stage';
import { A_THEN_B_RULE, batch, ruleEngine } from './correlator-stage.testing';

const engine = () => ruleEngine();

const event = (name: string, second: number, host = 'h1') => ({
  '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  _index: 'logs-endpoint.events.process-default',
  event: { category: ['process'], type: ['start'], id: `${host}-${name}-${second}` },
  host: { id: host },
  process: { name },
});

describe('CorrelatorStage', () => {
  it('raises one alert for a sequence whose events straddle a partition handover', async () => {
    const store = new MemoryStateStore();
    const rules = engine();
    const first = new CorrelatorStage({
      engine: rules,
      store,
      candidatesTopic: 'alerts.candidates',
      reorder: { allowedLatenessMs: 0 },
    });
    await first.onAssign('ecs.events', 0);
    const r1 = await first.handleBatch(batch([event('a', 1)], 0));
    await r1.afterPublish?.();
    await first.onRevoke('ecs.events', 0);

    // A new owner (another pod) loads the partition from the store and completes the sequence.
    const second = new CorrelatorStage({
      engine: rules,
      store,
      candidatesTopic: 'alerts.candidates',
      reorder: { allowedLatenessMs: 0 },
    });
    await second.onAssign('ecs.events', 0);
    // The broker redelivers offset 0 (its commit was lost): it must be skipped, not re-applied.
    const r2 = await second.handleBatch(batch([event('a', 1), event('b', 2), event('x', 30)], 0));
    await r2.afterPublish?.();
    const flushed = await second.flush();
    const alerts = [...r1.outputs, ...r2.outputs, ...flushed.outputs].flatMap((o) => o.records);
    expect(alerts).toHaveLength(1);
    const alert = JSON.parse(String(alerts[0].value));
    expect(alert['kibana.alert.rule.rule_id']).toBe('a-then-b');
    expect(alerts[0].key).toBe(alert['kibana.alert.uuid']);
  });

  it('dead-letters unreadable events and keeps the partition moving', async () => {
    const stage = new CorrelatorStage({
      engine: engine(),
      store: new MemoryStateStore(),
      candidatesTopic: 'c',
    });
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const result = await stage.handleBatch(batch(['{not json', '[1,2]', deep, event('a', 1)], 0));
    expect(result.dlq.map((d) => d.reason)).toEqual(['invalid_json', 'not_an_object', 'too_deep']);
    expect(result.dlq[0].source).toEqual({ topic: 'ecs.events', partition: 0, offset: '0' });
  });

  it('runs on the memory bus through runStage and flushes at end of input', async () => {
    const bus = new MemoryBus({ 'ecs.events': 2 });
    const stage = new CorrelatorStage({
      engine: engine(),
      store: new MemoryStateStore(),
      candidatesTopic: 'alerts.candidates',
    });
    const out: BusRecord[] = [];
    const dlq: BusRecord[] = [];
    const running = await runStage(bus, stage, {
      groupId: 'c',
      inputTopics: ['ecs.events'],
      dlqTopic: 'correlator.dlq',
    });
    await bus.consume({
      groupId: 'tap',
      topics: ['alerts.candidates'],
      onBatch: async (b) => void out.push(...b.records),
    });
    await bus.consume({
      groupId: 'tap-dlq',
      topics: ['correlator.dlq'],
      onBatch: async (b) => void dlq.push(...b.records),
    });
    await bus.produce('ecs.events', [
      { key: 'h1', value: JSON.stringify(event('a', 1)) },
      { key: 'h2', value: JSON.stringify(event('a', 1, 'h2')) },
      { key: 'h1', value: JSON.stringify(event('b', 3)) },
      { key: 'h2', value: JSON.stringify(event('b', 9, 'h2')) }, // 8 s later: outside maxspan
      { key: 'h1', value: 'garbage' },
    ]);
    await bus.drain();
    await running.flush();
    await bus.drain();
    expect(out.map((r) => JSON.parse(String(r.value))['host']['id'])).toEqual(['h1']);
    expect(JSON.parse(String(dlq[0].value)).reason).toBe('invalid_json');
    expect(decodeDlqOriginal(JSON.parse(String(dlq[0].value))).toString()).toBe('garbage');
  });

  it('releases the reorder buffer of a partition that went quiet, on tick', async () => {
    const stage = new CorrelatorStage({
      engine: engine(),
      store: new MemoryStateStore(),
      candidatesTopic: 'c',
      reorder: { allowedLatenessMs: 60_000 },
      idleFlushMs: 5_000,
    });
    const r = await stage.handleBatch(batch([event('a', 1), event('b', 2)], 0));
    expect(r.outputs[0].records).toHaveLength(0); // held: the watermark has not passed them
    expect((await stage.tick(Date.now())).outputs[0].records).toHaveLength(0); // not idle yet
    const released = await stage.tick(Date.now() + 5_000);
    expect(released.outputs[0].records).toHaveLength(1);
  });

  it('publishes again the alerts of a batch whose publish failed', async () => {
    const stage = new CorrelatorStage({
      engine: engine(),
      store: new MemoryStateStore(),
      candidatesTopic: 'c',
      reorder: { allowedLatenessMs: 0 },
    });
    const first = await stage.handleBatch(batch([event('a', 1), event('b', 2), event('x', 20)], 0));
    expect(first.outputs[0].records).toHaveLength(1);
    // No afterPublish: the bus never took the candidates. The next batch carries them again.
    const second = await stage.handleBatch(batch([event('y', 40)], 3));
    expect(second.outputs[0].records.map((r) => r.key)).toEqual(first.outputs[0].records.map((r) => r.key));
    await second.afterPublish?.();
    const third = await stage.handleBatch(batch([event('z', 60)], 4));
    expect(third.outputs[0].records).toHaveLength(0);
  });

  it('reopens a partition from the store after a failed commit, so the retried batch alerts once', async () => {
    const store = new MemoryStateStore();
    const commit = store.commit.bind(store);
    let failNext = false;
    store.commit = async (partition, changes) => {
      if (failNext) {
        failNext = false;
        throw new Error('redis down');
      }
      return commit(partition, changes);
    };
    const stage = new CorrelatorStage({
      engine: engine(),
      store,
      candidatesTopic: 'c',
      reorder: { allowedLatenessMs: 0 },
    });
    const r1 = await stage.handleBatch(batch([event('a', 1)], 0));
    await r1.afterPublish?.();
    failNext = true;
    const retried = batch([event('b', 2), event('x', 20)], 1);
    await expect(stage.handleBatch(retried)).rejects.toThrow('redis down');
    const r2 = await stage.handleBatch(retried);
    expect(r2.outputs[0].records).toHaveLength(1);
    await r2.afterPublish?.();
    const r3 = await stage.handleBatch(retried);
    expect(r3.outputs[0].records).toHaveLength(0);
  });

  it('keeps the state of unchanged rules across a rules reload, and starts changed rules fresh', async () => {
    const store = new MemoryStateStore();
    const stage = new CorrelatorStage({
      engine: engine(),
      store,
      candidatesTopic: 'c',
      reorder: { allowedLatenessMs: 0 },
    });
    const r1 = await stage.handleBatch(batch([event('a', 1)], 0));
    await r1.afterPublish?.();
    // Same rule reloaded (e.g. another file in the folder changed): the pending 'a' survives.
    await stage.replaceEngine(engine());
    const r2 = await stage.handleBatch(batch([event('b', 2), event('x', 20)], 1));
    expect(r2.outputs[0].records).toHaveLength(1);
    await r2.afterPublish?.();

    const r3 = await stage.handleBatch(batch([event('a', 30)], 3));
    await r3.afterPublish?.();
    // The rule's query changes: its state is keyed by its definition, so the old 'a' is not reused.
    const changed = loadRulesFromText(
      A_THEN_B_RULE.replace('process.name == "b"', 'process.name == "b" and true'),
      'x.toml',
      'toml',
    );
    await stage.replaceEngine(new DetectionEngine(changed.rules));
    const r4 = await stage.handleBatch(batch([event('b', 31), event('x', 50)], 4));
    expect(r4.outputs[0].records).toHaveLength(0);
  });

  it('learns new_terms history without alerting from events before the backfill cutoff', async () => {
    const NEW_TERMS = `
[metadata]
creation_date = "2026/01/01"
maturity = "production"
updated_date = "2026/01/01"

[rule]
author = ["test"]
description = "a parent not seen before"
from = "now-9m"
index = ["logs-endpoint.events.*"]
language = "kuery"
license = "Apache-2.0"
name = "New parent"
risk_score = 47
rule_id = "new-parent"
severity = "medium"
type = "new_terms"
query = 'process.name:dpkg'

[rule.new_terms]
field = "new_terms_fields"
value = ["process.parent.executable"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-7d"
`;
    const loaded = loadRulesFromText(NEW_TERMS, 'new-parent.toml', 'toml');
    expect(loaded.reports.map((r) => r.errors)).toEqual([[]]);
    const dpkg = (parent: string, day: number) => ({
      '@timestamp': new Date(Date.UTC(2026, 0, day, 12)).toISOString(),
      _index: 'logs-endpoint.events.process-default',
      event: { category: ['process'], type: ['start'], id: `${parent}-${day}` },
      host: { id: 'h1' },
      process: { name: 'dpkg', parent: { executable: parent } },
    });
    const stage = new CorrelatorStage({
      engine: new DetectionEngine(loaded.rules),
      store: new MemoryStateStore(),
      candidatesTopic: 'c',
      reorder: { allowedLatenessMs: 0 },
      learnBefore: Date.UTC(2026, 0, 10),
    });
    // Days 3 and 5 are history: /usr/bin/apt is learned, nothing alerts even though it is new then.
    const history = await stage.handleBatch(batch([dpkg('/usr/bin/apt', 3), dpkg('/usr/bin/apt', 5)], 0));
    await history.afterPublish?.();
    const live = await stage.handleBatch(
      batch([dpkg('/usr/bin/apt', 11), dpkg('/tmp/x', 12), dpkg('/tmp/x', 13)], 2),
    );
    await live.afterPublish?.();
    const flushed = await stage.flush();
    const alerts = [...history.outputs, ...live.outputs, ...flushed.outputs].flatMap((o) => o.records);
    expect(alerts.map((r) => JSON.parse(String(r.value)).process.parent.executable)).toEqual(['/tmp/x']);
  });
});

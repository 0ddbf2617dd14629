/**
 * The services fuzz run (`npm run fuzz -- --services`): the same hostile messages (without the
 * giant documents, which a Kafka broker refuses above its message size limit) and a fleet with
 * planted attacks, produced to the raw topics, `ecs.events` and `alerts.candidates` of ingest,
 * correlator and alerter running as separate processes on the harness broker and Redis.
 *
 * Accounting comes from the services themselves: each stage's `sequent_messages_in_total` must
 * reach exactly what was sent to it (fed + produced upstream), and the DLQ topics name the source
 * offset of every dead-lettered record, so `processed` = consumed − dead-lettered records.
 * Checks: every process alive and ready at the end, nothing left unconsumed, the planted attacks
 * alerted, and every service exits 0 on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { generateFleet } from '@sequent/generator';
import {
  freePort,
  httpGetText,
  serviceEnv,
  sleep,
  spawnService,
  startKafka,
  startRedis,
  type ServiceProcess,
} from '../../harness/src';
import { createKafka, createLogger, KafkaBus, kafkaSettings, type DlqEnvelope } from '@sequent/platform';
import { emptyCounts, type StageCounts } from './accounting';
import type { FuzzReport } from './embedded';
import { buildCorpus, FUZZ_TOPICS, hostileMessage } from './hostile';
import { MemoryWatch } from './memory';

export const DEFAULT_SERVICES = { count: 5000 };

export interface ServicesFuzzOptions {
  seed: number;
  count: number;
  log?: (line: string) => void;
}

/** Sums the samples of a counter in Prometheus text, optionally only those with `label="value"`. */
export function metricSum(text: string, name: string, label?: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (label && !rest.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function rss(pid: number | undefined): Promise<number> {
  if (!pid) return 0;
  try {
    const { readFileSync } = await import('node:fs');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export async function runServicesFuzz(options: ServicesFuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const memory = new MemoryWatch();
  memory.start();
  const run = `fuzz${options.seed.toString(36)}${Date.now().toString(36)}`;
  const t = {
    ecs: `${run}.${FUZZ_TOPICS.ecs}`,
    auditd: `${run}.${FUZZ_TOPICS.auditd}`,
    sysmon: `${run}.${FUZZ_TOPICS.sysmon}`,
    events: `${run}.${FUZZ_TOPICS.events}`,
    candidates: `${run}.${FUZZ_TOPICS.candidates}`,
    alerts: `${run}.alerts`,
    ingestDlq: `${run}.ingest.dlq`,
    correlatorDlq: `${run}.correlator.dlq`,
    alertsDlq: `${run}.alerts.dlq`,
  };
  const topicOf: Record<string, string> = {
    [FUZZ_TOPICS.ecs]: t.ecs,
    [FUZZ_TOPICS.auditd]: t.auditd,
    [FUZZ_TOPICS.sysmon]: t.sysmon,
    [FUZZ_TOPICS.events]: t.events,
    [FUZZ_TOPICS.candidates]: t.candidates,
  };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sequent-fuzz-redis-'));
  const redis = await startRedis({ dataDir });
  const kafka = await startKafka({
    topics: [
      { name: t.ecs, partitions: 2 },
      { name: t.auditd, partitions: 1 },
      { name: t.sysmon, partitions: 2 },
      { name: t.events, partitions: 6 },
      { name: t.candidates, partitions: 3 },
      { name: t.alerts, partitions: 3 },
      { name: t.ingestDlq, partitions: 1 },
      { name: t.correlatorDlq, partitions: 1 },
      { name: t.alertsDlq, partitions: 1 },
    ],
  });
  const common = serviceEnv({ brokers: kafka.brokers, redisUrl: redis.url });
  const services: Record<'ingest' | 'correlator' | 'alerter', ServiceProcess> = {
    ingest: spawnService('ingest', await freePort(), {
      ...common,
      SEQUENT_TOPICS_RAW: [t.ecs, t.auditd, t.sysmon].join(','),
      SEQUENT_SOURCES: JSON.stringify([
        { topic: t.ecs, format: 'ecs' },
        { topic: t.auditd, format: 'auditd', shape: 'endpoint' },
        { topic: t.sysmon, format: 'sysmon-linux', shape: 'endpoint' },
      ]),
      SEQUENT_TOPICS_EVENTS: t.events,
      SEQUENT_TOPICS_DLQ: t.ingestDlq,
      SEQUENT_GROUP_ID: `${run}-ingest`,
    }),
    correlator: spawnService('correlator', await freePort(), {
      ...common,
      SEQUENT_TOPICS_EVENTS: t.events,
      SEQUENT_TOPICS_CANDIDATES: t.candidates,
      SEQUENT_TOPICS_DLQ: t.correlatorDlq,
      SEQUENT_GROUP_ID: `${run}-correlator`,
      SEQUENT_RULES_PATHS: path.resolve(__dirname, '..', '..', '..', 'rules'),
      SEQUENT_REORDER_IDLE_FLUSH_MS: '1000',
    }),
    alerter: spawnService('alerter', await freePort(), {
      ...common,
      SEQUENT_TOPICS_CANDIDATES: t.candidates,
      SEQUENT_TOPICS_ALERTS: t.alerts,
      SEQUENT_TOPICS_DLQ: t.alertsDlq,
      SEQUENT_GROUP_ID: `${run}-alerter`,
    }),
  };
  const all = Object.values(services);
  const problems: string[] = [];
  const bus = new KafkaBus(
    createKafka(
      kafkaSettings.parse({ brokers: kafka.brokers, clientId: 'sequent-fuzz', sessionTimeoutMs: 6000 }),
      createLogger({ level: 'error' }),
    ),
  );
  const dlqSources = new Map<string, Set<string>>();
  const dlqReasons: Record<string, Record<string, number>> = {};
  const alertAncestors = new Set<string>();
  let alerts = 0;
  let sent = 0;
  const sentBy: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  const counts = { hostile: 0, fleet: 0 };
  let planted: Array<{ scenario: string; host_id: string; event_ids: string[] }> = [];
  const scrape = async (s: ServiceProcess) =>
    (await httpGetText(`http://127.0.0.1:${s.httpPort}/metrics`).catch(() => ({ status: 0, body: '' }))).body;
  const stageCounts: Record<string, StageCounts> = {};
  const peak: Record<string, number> = {};
  try {
    await Promise.all(all.map((s) => s.waitReady(120_000)));
    await bus.connect();
    const watcher = await bus.consume({
      groupId: `${run}-watcher`,
      topics: [t.alerts, t.ingestDlq, t.correlatorDlq, t.alertsDlq],
      onBatch: async (batch) => {
        for (const r of batch.records) {
          const doc = JSON.parse(r.value.toString('utf8')) as Record<string, unknown>;
          if (batch.topic === t.alerts) {
            if (r.headers['sequent-alert-update'] === 'true') continue;
            alerts++;
            for (const a of (doc['kibana.alert.ancestors'] as Array<{ id: string }> | undefined) ?? [])
              alertAncestors.add(a.id);
            continue;
          }
          const env = doc as unknown as DlqEnvelope;
          (dlqReasons[env.stage] ??= {})[env.reason] = (dlqReasons[env.stage]?.[env.reason] ?? 0) + 1;
          if (env.source) {
            const set = dlqSources.get(env.source.topic) ?? new Set<string>();
            set.add(`${env.source.partition}/${env.source.offset}`);
            dlqSources.set(env.source.topic, set);
          }
        }
      },
    });

    const fleet = generateFleet({
      seed: `sequent-fuzz-services-${options.seed}`,
      hosts: 10,
      durationMs: 5 * 60_000,
      startTime: '2026-01-15T09:00:00.000Z',
      eventsPerSecond: 3,
      attacks: [
        { kind: 'apt_hook_shell', count: 2 },
        { kind: 'sudo_uid_bypass', count: 2 },
        { kind: 'pid_file_exec', count: 2 },
      ],
    });
    planted = fleet.labels.filter((l) => l.kind === 'attack');
    const arb = hostileMessage(buildCorpus());
    const hostile = fc.sample(arb, { seed: options.seed, numRuns: options.count });
    const perChunk = 250;
    let f = 0;
    for (let i = 0; i < hostile.length; i += perChunk) {
      const byTopic = new Map<string, Array<{ key: string | null; value: Buffer | string }>>();
      const add = (topic: string, kind: string, key: string | null, value: Buffer | string) => {
        const list = byTopic.get(topic) ?? [];
        list.push({ key, value });
        byTopic.set(topic, list);
        sent++;
        sentBy[topic] = (sentBy[topic] ?? 0) + 1;
        byKind[kind] = (byKind[kind] ?? 0) + 1;
      };
      for (const m of hostile.slice(i, i + perChunk)) {
        counts.hostile++;
        add(topicOf[m.topic], m.kind, m.key, m.value);
      }
      const fleetSlice = Math.ceil(fleet.events.length / Math.ceil(hostile.length / perChunk));
      for (const e of fleet.events.slice(f, f + fleetSlice)) {
        counts.fleet++;
        // Keyed by host like a shipper would: one host's events stay in order on one partition.
        add(t.ecs, 'fleet', String((e.host as { id?: string }).id), JSON.stringify(e));
      }
      f += fleetSlice;
      for (const [topic, records] of byTopic) await bus.produce(topic, records);
    }
    log(`fuzz --services: ${sent} messages produced, waiting for the services to consume them`);

    // Done when each stage consumed what it was sent and the counts stopped moving.
    const deadline = Date.now() + 180_000;
    let last = '';
    let stableSince = Date.now();
    let m = { ingest: '', correlator: '', alerter: '' };
    for (;;) {
      await sleep(1000);
      m = {
        ingest: await scrape(services.ingest),
        correlator: await scrape(services.correlator),
        alerter: await scrape(services.alerter),
      };
      const ingestIn = metricSum(m.ingest, 'sequent_messages_in_total');
      const ingestOut = metricSum(m.ingest, 'sequent_messages_out_total');
      const corrIn = metricSum(m.correlator, 'sequent_messages_in_total');
      const corrOut = metricSum(m.correlator, 'sequent_messages_out_total');
      const alerterIn = metricSum(m.alerter, 'sequent_messages_in_total');
      const wantIngest = (sentBy[t.ecs] ?? 0) + (sentBy[t.auditd] ?? 0) + (sentBy[t.sysmon] ?? 0);
      const done =
        ingestIn >= wantIngest &&
        corrIn >= (sentBy[t.events] ?? 0) + ingestOut &&
        alerterIn >= (sentBy[t.candidates] ?? 0) + corrOut;
      const key = `${ingestIn}/${ingestOut}/${corrIn}/${corrOut}/${alerterIn}/${alerts}`;
      if (key !== last) {
        last = key;
        stableSince = Date.now();
      }
      if (done && Date.now() - stableSince > 5000) break;
      if (Date.now() > deadline) {
        problems.push(`not everything consumed after 180 s: in/out ${key}, sent ${JSON.stringify(sentBy)}`);
        break;
      }
    }
    const stageOf = { ingest: [t.ecs, t.auditd, t.sysmon], correlator: [t.events], alerter: [t.candidates] };
    const upstreamOut = {
      ingest: 0,
      correlator: metricSum(m.ingest, 'sequent_messages_out_total'),
      alerter: metricSum(m.correlator, 'sequent_messages_out_total'),
    };
    for (const [name, topics] of Object.entries(stageOf) as Array<[keyof typeof stageOf, string[]]>) {
      const c = emptyCounts();
      const text = m[name];
      c.consumed = metricSum(text, 'sequent_messages_in_total');
      c.outputs = metricSum(text, 'sequent_messages_out_total');
      const fed = topics.reduce((s, tp) => s + (sentBy[tp] ?? 0), 0);
      const dead = topics.reduce((s, tp) => s + (dlqSources.get(tp)?.size ?? 0), 0);
      // Dead-lettered records the stage got from upstream (ecs.events from ingest) count as
      // records it consumed, so `processed` covers fed and upstream alike.
      c.dlq = dead;
      c.processed = c.consumed - dead;
      c.lost = Math.max(0, fed + upstreamOut[name] - c.consumed);
      c.reasons = dlqReasons[name === 'alerter' ? 'alerter' : name] ?? {};
      stageCounts[name] = c;
      if (c.lost > 0) problems.push(`${name}: ${c.lost} record(s) never consumed`);
      peak[name] = await rss(services[name].proc.pid);
    }
    await watcher.stop();
    for (const s of all) {
      if (s.proc.exitCode !== null) problems.push(`${s.name} exited with ${s.proc.exitCode}`);
      const ready = await httpGetText(`http://127.0.0.1:${s.httpPort}/readyz`).catch(() => ({ status: 0 }));
      if (ready.status !== 200) problems.push(`${s.name} not ready after the run (${ready.status})`);
    }
  } finally {
    await bus.close().catch(() => undefined);
    const codes = await Promise.all(all.map((s) => s.stop('SIGTERM', 20_000)));
    codes.forEach((code, i) => {
      if (code !== 0) problems.push(`${all[i].name} exited with ${code} on SIGTERM`);
    });
    await kafka.stop();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
    memory.stop();
  }
  const missed = planted.filter((l) => !l.event_ids.some((id) => alertAncestors.has(id)));
  if (missed.length > 0) problems.push(`${missed.length}/${planted.length} planted attacks not detected`);
  // The entry-stage view: what this run sent, processed or dead-lettered where it entered.
  const entryDead = Object.values(topicOf).reduce((s, tp) => s + (dlqSources.get(tp)?.size ?? 0), 0);
  const fedTotal = sent;
  const lost = Object.values(stageCounts).reduce((s, c) => s + c.lost, 0);
  for (const [name, mb] of Object.entries(peak)) log(`fuzz --services: ${name} peak RSS ${mb} MiB`);
  return {
    seed: options.seed,
    sent: fedTotal,
    processed: fedTotal - entryDead - lost,
    dlq: entryDead,
    lost,
    crashes: problems.filter((p) => /exited/.test(p)).length,
    hostile: counts.hostile,
    fleetEvents: counts.fleet,
    floodEvents: 0,
    stages: stageCounts,
    problems,
    planted: planted.length,
    detected: planted.length - missed.length,
    plantedPublished: planted.length - missed.length,
    missed: missed.map((l) => `${l.scenario}@${l.host_id}`),
    alerts,
    deduplicated: 0,
    suppressed: 0,
    rateCapped: 0,
    evictions: 0,
    stateKeys: 0,
    peakRssMb: Math.max(memory.peakRssMb, ...Object.values(peak)),
    peakHeapMb: memory.peakHeapMb,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    byKind,
  };
}

/**
 * `npm run chaos`: the delivery promise of DESIGN.md under faults. Generated fleet telemetry
 * with planted attack sequences goes through two correlator processes and the alerter (real
 * broker, real Redis) while we (a) SIGKILL a correlator at random moments, or (b) restart Redis
 * mid-stream; the alerts published are compared with an in-process hunt of the same events
 * and rules. Prints one line per scenario, `lost=N duplicated=N ...`, and fails unless both are 0.
 *
 * Usage: npm run chaos [-- kill|redis] [--events N]   (default: both scenarios, ~100k events)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hunt } from '@sequent/engine';
import { generateFleet, Rng, seedFromString, type EcsEvent } from '@sequent/generator';
import { createKafka, createLogger, KafkaBus, kafkaSettings, LagMonitor, Metrics } from '@sequent/platform';
import { loadRules } from '@sequent/rules';
import { orderIndependentRules } from '../faults/src/fault-rig';
import {
  freePort,
  serviceEnv,
  sleep,
  spawnService,
  startKafka,
  startRedis,
  type ServiceProcess,
} from '../harness/src';

// The mock broker keeps about 5 MiB per partition: enough partitions that a restarted consumer
// never has to re-read a segment the broker already dropped.
const EVENTS_PARTITIONS = 48;
const logger = createLogger({ level: 'error' });

interface Args {
  scenarios: Array<'kill' | 'redis' | 'none'>;
  events: number;
}

function parseArgs(argv: string[]): Args {
  const scenarios = argv.filter((a) => a === 'kill' || a === 'redis' || a === 'none') as Args['scenarios'];
  const i = argv.indexOf('--events');
  const events = i >= 0 ? Number(argv[i + 1]) : 100_000;
  if (!Number.isInteger(events) || events < 1000) throw new Error('--events must be an integer >= 1000');
  return { scenarios: scenarios.length ? scenarios : ['kill', 'redis'], events };
}

function fleet(events: number): { events: EcsEvent[]; planted: number } {
  // ~60 events/s across 200 hosts for 30 minutes of simulated time makes ~100k events.
  const durationMs = Math.round((events / 100_000) * 30 * 60_000);
  const f = generateFleet({
    seed: 'sequent-chaos',
    hosts: 200,
    durationMs,
    startTime: '2026-01-15T09:00:00.000Z',
    eventsPerSecond: 60,
    attacks: [
      { kind: 'apt_hook_shell', count: 300 },
      { kind: 'apt_hook_netcon', count: 250 },
    ],
  });
  return { events: f.events, planted: f.labels.filter((l) => l.kind === 'attack').length };
}

interface Outcome {
  scenario: string;
  sent: number;
  planted: number;
  expected: number;
  published: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  faults: number;
  seconds: number;
}

async function scenario(
  kind: 'kill' | 'redis' | 'none',
  rulesDir: string,
  input: { events: EcsEvent[]; planted: number },
  expected: Set<string>,
): Promise<Outcome> {
  const started = Date.now();
  const run = `chaos-${kind}-${Date.now().toString(36)}`;
  const topics = {
    events: `${run}.ecs.events`,
    candidates: `${run}.alerts.candidates`,
    alerts: `${run}.alerts`,
    dlq: `${run}.dlq`,
    adlq: `${run}.alerts.dlq`,
  };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sequent-chaos-redis-'));
  const redis = await startRedis({ dataDir });
  const kafka = await startKafka({
    topics: [
      { name: topics.events, partitions: EVENTS_PARTITIONS },
      { name: topics.candidates, partitions: 4 },
      { name: topics.alerts, partitions: 4 },
      { name: topics.dlq, partitions: 1 },
      { name: topics.adlq, partitions: 1 },
    ],
  });
  const common = serviceEnv({ brokers: kafka.brokers, redisUrl: redis.url });
  const correlatorEnv = {
    ...common,
    SEQUENT_TOPICS_EVENTS: topics.events,
    SEQUENT_TOPICS_CANDIDATES: topics.candidates,
    SEQUENT_TOPICS_DLQ: topics.dlq,
    SEQUENT_GROUP_ID: `${run}-correlator`,
    SEQUENT_RULES_PATHS: rulesDir,
    SEQUENT_REORDER_IDLE_FLUSH_MS: '3000',
  };
  const startCorrelator = async () => spawnService('correlator', await freePort(), correlatorEnv);
  const correlators: ServiceProcess[] = [await startCorrelator(), await startCorrelator()];
  const alerter = spawnService('alerter', await freePort(), {
    ...common,
    SEQUENT_TOPICS_CANDIDATES: topics.candidates,
    SEQUENT_TOPICS_ALERTS: topics.alerts,
    SEQUENT_TOPICS_DLQ: topics.adlq,
    SEQUENT_GROUP_ID: `${run}-alerter`,
    // The stream replays half an hour of planted attacks in under a minute: a per-minute cap
    // sized for real time would drop on purpose what this run counts.
    SEQUENT_RATE_CAP_WINDOW_SECONDS: '1',
  });
  await Promise.all([...correlators, alerter].map((s) => s.waitReady(90_000)));

  const settings = kafkaSettings.parse({
    brokers: kafka.brokers,
    clientId: 'sequent-chaos',
    sessionTimeoutMs: 6000,
  });
  const client = createKafka(settings, logger);
  const bus = new KafkaBus(client, { logger });
  await bus.connect();
  const published = new Map<string, number>();
  const watcher = await bus.consume({
    groupId: `${run}-watcher`,
    topics: [topics.alerts],
    onBatch: async (batch) => {
      for (const r of batch.records) {
        const id = String(JSON.parse(r.value.toString('utf8'))['kibana.alert.uuid']);
        published.set(id, (published.get(id) ?? 0) + 1);
      }
    },
  });

  // Faults at random moments while the stream flows (seeded: the same run every time).
  const rng = new Rng(seedFromString(`chaos-${kind}`));
  let faults = 0;
  let producing = true;
  const faultLoop = (async () => {
    const wanted = kind === 'kill' ? 6 : kind === 'redis' ? 2 : 0;
    while (faults < wanted) {
      await sleep(2_000 + Math.floor(rng.next() * 3_000));
      if (kind === 'kill') {
        const victim = faults % 2;
        correlators[victim].proc.kill('SIGKILL');
        await correlators[victim].stop('SIGKILL', 1000);
        correlators[victim] = await startCorrelator();
      } else {
        await redis.stop();
        await sleep(1_500);
        await redis.restart();
      }
      faults++;
      if (!producing && faults >= wanted) break;
    }
  })();

  // Pace the stream so that every fault lands mid-stream.
  const chunk = 500;
  const paceMs = Math.max(20, Math.floor(40_000 / (input.events.length / chunk)));
  for (let i = 0; i < input.events.length; i += chunk) {
    const records = input.events.slice(i, i + chunk).map((e) => ({
      key: String((e.host as { id?: string }).id),
      value: JSON.stringify(e),
    }));
    await bus.produce(topics.events, records);
    await sleep(paceMs);
  }
  producing = false;
  await faultLoop;

  // Done when the correlators have committed everything and the alert count is stable.
  const lag = new LagMonitor({
    kafka: client,
    metrics: new Metrics({ service: 'chaos', defaultMetrics: false }),
    stage: 'chaos',
    groupId: `${run}-correlator`,
    topics: [topics.events],
    intervalMs: 3_600_000,
  });
  await lag.start();
  const deadline = Date.now() + 240_000;
  let stableSince = Date.now();
  let lastCount = -1;
  while (Date.now() < deadline) {
    await sleep(1_000);
    const pending = (await lag.poll()).reduce((s, p) => s + p.lag, 0);
    const count = [...published.values()].reduce((a, b) => a + b, 0);
    if (count !== lastCount || pending > 0) {
      lastCount = count;
      stableSince = Date.now();
    }
    if (pending === 0 && Date.now() - stableSince > 12_000) break;
  }
  await lag.stop();
  await watcher.stop();
  await bus.close();
  await Promise.all([...correlators, alerter].map((s) => s.stop('SIGTERM', 10_000)));
  await kafka.stop();
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });

  let lost = 0;
  for (const id of expected) if (!published.has(id)) lost++;
  let duplicated = 0;
  let unexpected = 0;
  for (const [id, n] of published) {
    if (n > 1) duplicated += n - 1;
    if (!expected.has(id)) unexpected++;
  }
  return {
    scenario: kind,
    sent: input.events.length,
    planted: input.planted,
    expected: expected.size,
    published: published.size,
    lost,
    duplicated,
    unexpected,
    faults,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const rulesDir = orderIndependentRules();
  const input = fleet(args.events);
  const loaded = loadRules([rulesDir]);
  const baseline = await hunt(loaded.rules, input.events);
  const expected = new Set(baseline.alerts.map((a) => a['kibana.alert.uuid']));
  console.log(
    `chaos: ${input.events.length} events, ${input.planted} planted attacks, ${loaded.rules.length} rules, ${expected.size} alerts in the single-process run`,
  );
  let failed = 0;
  for (const kind of args.scenarios) {
    const o = await scenario(kind, rulesDir, input, expected);
    console.log(
      `chaos ${o.scenario}: sent=${o.sent} planted=${o.planted} expected=${o.expected} published=${o.published} lost=${o.lost} duplicated=${o.duplicated} unexpected=${o.unexpected} faults=${o.faults} seconds=${o.seconds}`,
    );
    if (o.lost !== 0 || o.duplicated !== 0 || o.unexpected !== 0) failed++;
  }
  rmSync(rulesDir, { recursive: true, force: true });
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * Pipeline throughput and detection latency with the services as separate processes, on the
 * real Kafka-protocol broker and a real Redis (tools/harness), with the bundled rules.
 *
 * Figures (each with its baseline measured in this run, on the same messages):
 * - `pipeline`: generated ECS events through broker → ingest → correlator (Redis state) →
 *   alerter → broker, events/s; baseline a bare consume→produce relay process (the services'
 *   own KafkaBus, no processing) over the same pre-loaded topic; `ratio` = pipeline ÷ relay.
 * - `pipeline-latency`: planted attacks streamed at half the measured pipeline rate; from the
 *   produce time of an attack's last event to its alert's arrival on the alerts topic.
 * - `correlator` and `correlator-latency`: the same for broker → correlator → broker alone
 *   (issue 7: ratio target >= 0.5), latency to the candidate on `alerts.candidates`.
 *
 * Throughput is timed the same way for a relay and a stage: the input topic is filled first,
 * then the consumer starts; the clock runs from the first committed offset of the first
 * consumer group to the poll that sees every group of the chain fully committed.
 * Latency includes the correlator's reorder delay (allowed lateness, 5 s by default): event
 * times are the wall clock at produce time, as a live fleet's would be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import Redis from 'ioredis';
import { generateFleet, type EcsEvent, type Label } from '@sequent/generator';
import {
  createKafka,
  createLogger,
  KafkaBus,
  kafkaSettings,
  type KafkaBusOutgoing,
  type KafkaBusRecord,
} from '@sequent/platform';
import {
  freePort,
  serviceEnv,
  sleep,
  spawnService,
  startKafka,
  startRedis,
  stopProcess,
  type ServiceProcess,
} from '@sequent/harness';

const repoRoot = path.resolve(__dirname, '..');
const register = path.join(repoRoot, 'tools', 'harness', 'src', 'swc-register.js');
const bundledRules = path.join(repoRoot, 'rules');
/** The mock broker keeps about 5 MiB per partition: enough partitions for a pre-loaded topic. */
const PARTITIONS = 24;
/** Generated events in the pre-loaded throughput input (~1.4 KB each: ~3.5 MiB a partition). */
const THROUGHPUT_EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 60_000);
/** Seconds of steady stream in each latency run, and at most this many events (the broker's
 * per-partition limit: a fast stage's half load for 30 s would not fit). */
const LATENCY_SECONDS = 30;
const LATENCY_MAX_EVENTS = 60_000;
/** After the stream, a heartbeat (one tiny event per host every 250 ms) keeps every
 * partition's watermark moving for this long, so the last attacks are released by newer
 * events as in a live fleet, not by the idle flush. */
const LATENCY_TAIL_MS = 8_000;
const ALLOWED_LATENESS_MS = 5_000;
// Logs go to stderr: stdout carries only the figures.
const logger = createLogger({ level: 'error', write: (line) => process.stderr.write(line + '\n') });
const progress = (msg: string) => process.stderr.write(`pipeline bench: ${msg}\n`);

type Outgoing = { key: string; value: string };

function hostId(e: EcsEvent): string {
  return String((e.host as { id?: string } | undefined)?.id ?? '');
}

function eventId(e: EcsEvent): string {
  return String((e.event as { id?: string } | undefined)?.id ?? '');
}

function fleet(seed: string, events: number, attacks: number): { events: EcsEvent[]; labels: Label[] } {
  // 200 hosts at 60 events/s of benign activity: ~53 events per simulated second with the trees.
  const durationMs = Math.max(60_000, Math.round((events / 53) * 1000));
  const f = generateFleet({
    seed,
    hosts: 200,
    durationMs,
    startTime: '2026-01-15T09:00:00.000Z',
    eventsPerSecond: 60,
    attacks: [
      { kind: 'apt_hook_shell', count: Math.ceil(attacks / 2) },
      { kind: 'apt_hook_netcon', count: Math.floor(attacks / 2) },
    ],
  });
  return { events: f.events.slice(0, events), labels: f.labels.filter((l) => l.kind === 'attack') };
}

// --- the bare relay, run as its own process like the services ---------------------------------

/** `node … pipeline.bench.ts --relay BROKERS IN OUT GROUP`: consume IN, produce OUT, nothing else. */
async function relayMain(brokers: string, input: string, output: string, groupId: string): Promise<void> {
  const settings = kafkaSettings.parse({ brokers: brokers.split(','), clientId: 'bench-relay' });
  const bus = new KafkaBus(createKafka(settings, logger), {
    logger,
    maxBytesPerPartition: settings.maxBytesPerPartition,
    sessionTimeoutMs: settings.sessionTimeoutMs,
  });
  await bus.connect();
  const sub = await bus.consume({
    groupId,
    topics: [input],
    onBatch: async (batch) => {
      await bus.produce(
        output,
        batch.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      );
    },
  });
  process.once('SIGTERM', () => void bus.close().finally(() => process.exit(0)));
  while (!sub.consumer.isReady) await sleep(50);
  process.stdout.write('joined\n');
}

if (process.argv[2] === '--relay') {
  relayMain(process.argv[3], process.argv[4], process.argv[5], process.argv[6]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

function spawnRelay(brokers: string[], input: string, output: string, groupId: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--require', register, __filename, '--relay', brokers.join(','), input, output, groupId],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

/** Resolves once the relay process says its consumer joined the group. */
function relayJoined(relay: ChildProcess, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay did not join its group')), timeoutMs);
    relay.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('joined')) {
        clearTimeout(timer);
        resolve();
      }
    });
    relay.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
  });
}

// --- measuring ---------------------------------------------------------------------------------

interface Group {
  groupId: string;
  topic: string;
}

async function committed(admin: Admin, g: Group): Promise<number> {
  const res = await admin.fetchOffsets({ groupId: g.groupId, topics: [g.topic] });
  return res.flatMap((t) => t.partitions).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
}

async function highWater(admin: Admin, topic: string): Promise<number> {
  const res = await admin.fetchTopicOffsets(topic);
  return res.reduce((s, p) => s + Number(p.high), 0);
}

/**
 * Waits for `first` to commit something, then for every group of `chain` to have committed its
 * whole input (the input topic's high-water mark, so a stage's output counts once produced).
 * Returns events/s over that span, counting only what was committed after the clock started.
 */
async function timeDrain(
  admin: Admin,
  first: Group,
  chain: Group[],
  total: number,
  timeoutMs = 300_000,
): Promise<{ eventsPerSecond: number; seconds: number }> {
  const deadline = Date.now() + timeoutMs;
  let start: number | null = null;
  let atStart = 0;
  while (Date.now() < deadline) {
    const polledAt = performance.now();
    if (start === null) {
      const c = await committed(admin, first);
      if (c > 0) {
        start = polledAt;
        atStart = c;
      }
    } else {
      let done = true;
      for (const g of chain) {
        const want = g === chain[0] ? total : await highWater(admin, g.topic);
        if ((await committed(admin, g)) < want) {
          done = false;
          break;
        }
      }
      if (done) {
        const seconds = (polledAt - start) / 1000;
        return { eventsPerSecond: Math.round((total - atStart) / seconds), seconds: round(seconds, 2) };
      }
    }
    await sleep(50);
  }
  throw new Error(`${chain.map((g) => g.groupId).join(' → ')} did not drain in ${timeoutMs} ms`);
}

/** One timed run of a bare relay process over the whole of `input` (a fresh consumer group). */
async function relayThroughput(
  admin: Admin,
  brokers: string[],
  topics: { input: string; output: string },
  groupId: string,
  total: number,
): Promise<{ eventsPerSecond: number; seconds: number }> {
  const relay = spawnRelay(brokers, topics.input, topics.output, groupId);
  try {
    const group = { groupId, topic: topics.input };
    return await timeDrain(admin, group, [group], total);
  } finally {
    await stopProcess(relay, 'SIGTERM', 10_000);
  }
}

/** The relay runs before and after the stage (the machine's load drifts): their mean. */
function relayBaseline(runs: Array<{ eventsPerSecond: number }>): object {
  const rates = runs.map((r) => r.eventsPerSecond);
  return {
    baseline:
      'bare KafkaBus consume→produce relay process over the same pre-loaded topic (mean of a run before and after)',
    baseline_events_per_s: Math.round(rates.reduce((a, b) => a + b, 0) / rates.length),
    baseline_runs_events_per_s: rates,
  };
}

async function preload(bus: KafkaBus, topic: string, records: Outgoing[]): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) await bus.produce(topic, records.slice(i, i + 1000));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function mean(runs: Array<{ eventsPerSecond: number }>): number {
  return runs.reduce((a, r) => a + r.eventsPerSecond, 0) / runs.length;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

interface Latency {
  attacks: number;
  detected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Events/s actually sent. */
  rate: number;
}

const WATCH_HEADER = 'bench-event-id';

/**
 * Streams `events` to `input` at `rate` events/s (50 ms ticks) with `@timestamp` set to the
 * produce time, then times each planted attack from the produce of its last event to its
 * arrival on `output`. `until: 'alert'`: the first alert whose ancestors hold all of the
 * attack's events (the pipeline); `until: 'relayed'`: the copy of that last event (a bare
 * relay, found by a header the relay copies, so the watcher parses nothing).
 */
async function measureLatency(
  bus: KafkaBus,
  topics: { input: string; output: string },
  until: 'alert' | 'relayed',
  input: { events: EcsEvent[]; labels: Label[] },
  rate: number,
): Promise<Latency> {
  const sentAt = new Map<string, number>();
  const watched = new Set(input.labels.flatMap((l) => l.event_ids));
  const alerts: Array<{ at: number; ancestors: string[] }> = [];
  const relayed = new Map<string, number>();
  const watcher = await bus.consume({
    groupId: `bench-watch-${topics.output}`,
    topics: [topics.output],
    onBatch: async (batch: { records: KafkaBusRecord[] }) => {
      const at = Date.now();
      for (const r of batch.records) {
        if (until === 'relayed') {
          const id = r.headers[WATCH_HEADER];
          if (id !== undefined && !relayed.has(id)) relayed.set(id, at);
          continue;
        }
        const alert = JSON.parse(r.value.toString('utf8')) as {
          'kibana.alert.ancestors'?: Array<{ id: string }>;
        };
        alerts.push({ at, ancestors: (alert['kibana.alert.ancestors'] ?? []).map((a) => a.id) });
      }
    },
  });
  try {
    await waitJoined(watcher.consumer);
    const perTick = Math.max(1, Math.round(rate / 20));
    const t0 = Date.now();
    let streamEnd = t0;
    for (let i = 0, tick = 0; i < input.events.length; i += perTick, tick++) {
      const wait = t0 + tick * 50 - Date.now();
      if (wait > 0) await sleep(wait);
      const now = Date.now();
      const stamp = new Date(now).toISOString();
      const records = input.events.slice(i, i + perTick).map((e) => {
        const id = eventId(e);
        const record: KafkaBusOutgoing = {
          key: hostId(e),
          value: JSON.stringify({ ...e, '@timestamp': stamp }),
        };
        if (watched.has(id)) {
          sentAt.set(id, now);
          record.headers = { [WATCH_HEADER]: id };
        }
        return record;
      });
      await bus.produce(topics.input, records);
      streamEnd = now;
    }
    const hosts = [...new Set(input.events.map(hostId))];
    for (let beat = 0; Date.now() < streamEnd + LATENCY_TAIL_MS; beat++) {
      const stamp = new Date().toISOString();
      await bus.produce(
        topics.input,
        hosts.map((h) => ({
          key: h,
          value: JSON.stringify({
            '@timestamp': stamp,
            event: { id: `heartbeat-${beat}-${h}`, kind: 'event', category: ['host'], type: ['info'] },
            host: { id: h },
          }),
        })),
      );
      await sleep(250);
    }
    const lastEvent = (l: Label) =>
      l.event_ids.reduce((a, b) => ((sentAt.get(b) ?? Infinity) >= (sentAt.get(a) ?? Infinity) ? b : a));
    const lastSent = (l: Label) => sentAt.get(lastEvent(l)) ?? Number.POSITIVE_INFINITY;
    const measured = input.labels.filter((l) => lastSent(l) <= streamEnd);
    const latencies = new Map<string, number>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && latencies.size < measured.length) {
      await sleep(250);
      for (const l of measured) {
        if (latencies.has(l.attack_id)) continue;
        const at =
          until === 'relayed'
            ? relayed.get(lastEvent(l))
            : alerts.find((a) => l.event_ids.every((id) => a.ancestors.includes(id)))?.at;
        if (at !== undefined) latencies.set(l.attack_id, at - lastSent(l));
      }
    }
    const sorted = [...latencies.values()].sort((a, b) => a - b);
    return {
      attacks: measured.length,
      detected: sorted.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      rate: Math.round(input.events.length / ((streamEnd - t0) / 1000 + 0.05)),
    };
  } finally {
    await watcher.stop();
  }
}

/** The latency baseline: the same stream at the same rate through a bare relay process. */
async function relayLatency(
  bus: KafkaBus,
  brokers: string[],
  topics: { input: string; output: string },
  input: { events: EcsEvent[]; labels: Label[] },
  rate: number,
): Promise<Latency> {
  const relay = spawnRelay(brokers, topics.input, topics.output, `bench-relay-${topics.input}`);
  try {
    await relayJoined(relay);
    return await measureLatency(bus, topics, 'relayed', input, rate);
  } finally {
    await stopProcess(relay, 'SIGTERM', 5_000);
  }
}

async function waitJoined(consumer: { isReady: boolean }, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!consumer.isReady) {
    if (Date.now() > deadline) throw new Error('consumer did not join its group');
    await sleep(100);
  }
}

function latencyFigure(bench: string, what: string, target: number, stage: Latency, relay: Latency): object {
  return {
    bench,
    case: what,
    target_events_per_s: target,
    sent_events_per_s: stage.rate,
    attacks_measured: stage.attacks,
    attacks_detected: stage.detected,
    allowed_lateness_ms: ALLOWED_LATENESS_MS,
    p50_ms: stage.p50Ms,
    p99_ms: stage.p99Ms,
    max_ms: stage.maxMs,
    baseline:
      "the same stream at the same rate through a bare relay process: produce → arrival of each attack's last event",
    baseline_sent_events_per_s: relay.rate,
    baseline_p50_ms: relay.p50Ms,
    baseline_p99_ms: relay.p99Ms,
    ratio: round(stage.p50Ms / relay.p50Ms, 1),
  };
}

function toRecords(events: EcsEvent[]): Outgoing[] {
  return events.map((e) => ({ key: hostId(e), value: JSON.stringify(e) }));
}

// --- the bench -----------------------------------------------------------------------------------

export default async function pipelineBench(): Promise<object[]> {
  const run = `b${Date.now().toString(36)}`;
  const t = {
    raw: `${run}.raw`,
    events: `${run}.events`,
    candidates: `${run}.candidates`,
    alerts: `${run}.alerts`,
    relayRaw: `${run}.relay.raw`,
    corrEvents: `${run}.c.events`,
    corrCandidates: `${run}.c.candidates`,
    relayCorr: `${run}.relay.c`,
    latencyIn: `${run}.latency.in`,
    latencyOut: `${run}.latency.out`,
    corrLatencyIn: `${run}.c.latency.in`,
    corrLatencyOut: `${run}.c.latency.out`,
    dlq: `${run}.dlq`,
  };
  const big = [
    t.raw,
    t.events,
    t.relayRaw,
    t.corrEvents,
    t.relayCorr,
    t.latencyIn,
    t.latencyOut,
    t.corrLatencyIn,
    t.corrLatencyOut,
  ];
  const small = [t.candidates, t.alerts, t.corrCandidates];
  const kafka = await startKafka({
    topics: [
      ...big.map((name) => ({ name, partitions: PARTITIONS })),
      ...small.map((name) => ({ name, partitions: 4 })),
      { name: t.dlq, partitions: 1 },
    ],
  });
  const redis = await startRedis();
  const settings = kafkaSettings.parse({ brokers: kafka.brokers, clientId: 'bench-pipeline' });
  const client = createKafka(settings, logger);
  const admin = client.admin();
  await admin.connect();
  const bus = new KafkaBus(client, { logger, sessionTimeoutMs: 6000 });
  await bus.connect();
  const services: ServiceProcess[] = [];
  const common = serviceEnv({ brokers: kafka.brokers, redisUrl: redis.url });
  const correlator = async (events: string, candidates: string, group: string) =>
    spawnService('correlator', await freePort(), {
      ...common,
      SEQUENT_TOPICS_EVENTS: events,
      SEQUENT_TOPICS_CANDIDATES: candidates,
      SEQUENT_TOPICS_DLQ: t.dlq,
      SEQUENT_GROUP_ID: group,
      SEQUENT_RULES_PATHS: bundledRules,
      SEQUENT_REORDER_ALLOWED_LATENESS_MS: String(ALLOWED_LATENESS_MS),
    });
  const figures: object[] = [];
  /** `name`: a planted-attack stream at half `eventsPerSecond` through a bare relay, then
   * through the stage between `stage.input` and `stage.output` (the same events, seeded by name). */
  const latencyAtHalfRate = async (
    name: string,
    description: string,
    eventsPerSecond: number,
    relay: { input: string; output: string },
    stage: { input: string; output: string },
  ): Promise<void> => {
    const half = Math.max(50, Math.round(eventsPerSecond / 2));
    const input = fleet(`bench-${name}`, Math.min(LATENCY_MAX_EVENTS, half * LATENCY_SECONDS), 60);
    const relayLat = await relayLatency(bus, kafka.brokers, relay, input, half);
    const lat = await measureLatency(bus, stage, 'alert', input, half);
    progress(`${name} ${JSON.stringify(lat)}, relay ${JSON.stringify(relayLat)}`);
    figures.push(latencyFigure(name, description, half, lat, relayLat));
  };
  try {
    const input = fleet('bench-pipeline', THROUGHPUT_EVENTS, 60);
    const records = toRecords(input.events);
    const bytes = records.reduce((s, r) => s + r.value.length, 0);
    await preload(bus, t.raw, records);
    await preload(bus, t.corrEvents, records);

    progress(`${records.length} events pre-loaded`);
    // 1. Bare relay over the raw topic.
    const relayRaw = [
      await relayThroughput(
        admin,
        kafka.brokers,
        { input: t.raw, output: t.relayRaw },
        `${run}-relay-raw-1`,
        records.length,
      ),
    ];
    progress(`relay ${JSON.stringify(relayRaw[0])}`);

    // 2. The three services: correlator and alerter join first, then ingest meets the full topic.
    services.push(await correlator(t.events, t.candidates, `${run}-correlator`));
    services.push(
      spawnService('alerter', await freePort(), {
        ...common,
        SEQUENT_TOPICS_CANDIDATES: t.candidates,
        SEQUENT_TOPICS_ALERTS: t.alerts,
        SEQUENT_TOPICS_DLQ: t.dlq,
        SEQUENT_GROUP_ID: `${run}-alerter`,
        // Replayed planted attacks come faster than any real fleet's: no per-minute cap.
        SEQUENT_RATE_CAP_WINDOW_SECONDS: '1',
      }),
    );
    await Promise.all(services.map((s) => s.waitReady(120_000)));
    services.push(
      spawnService('ingest', await freePort(), {
        ...common,
        SEQUENT_TOPICS_RAW: t.raw,
        SEQUENT_TOPICS_EVENTS: t.events,
        SEQUENT_TOPICS_DLQ: t.dlq,
        SEQUENT_GROUP_ID: `${run}-ingest`,
      }),
    );
    const pipeline = await timeDrain(
      admin,
      { groupId: `${run}-ingest`, topic: t.raw },
      [
        { groupId: `${run}-ingest`, topic: t.raw },
        { groupId: `${run}-correlator`, topic: t.events },
        { groupId: `${run}-alerter`, topic: t.candidates },
      ],
      records.length,
    );
    relayRaw.push(
      await relayThroughput(
        admin,
        kafka.brokers,
        { input: t.raw, output: t.relayRaw },
        `${run}-relay-raw-2`,
        records.length,
      ),
    );
    figures.push({
      bench: 'pipeline',
      case: 'broker → ingest → correlator (Redis) → alerter → broker, bundled rules, services as processes',
      events: records.length,
      mean_event_bytes: Math.round(bytes / records.length),
      partitions: PARTITIONS,
      events_per_s: pipeline.eventsPerSecond,
      seconds: pipeline.seconds,
      ...relayBaseline(relayRaw),
      ratio: round(pipeline.eventsPerSecond / mean(relayRaw), 3),
    });

    progress(`pipeline ${JSON.stringify(pipeline)}, relay ${JSON.stringify(relayRaw)}`);
    // 3. Latency at half the measured rate, through the running services.
    await latencyAtHalfRate(
      'pipeline-latency',
      'planted attacks (APT hook sequences) in a steady stream at half the measured pipeline rate; last event produced → alert on the alerts topic',
      pipeline.eventsPerSecond,
      { input: t.latencyIn, output: t.latencyOut },
      { input: t.raw, output: t.alerts },
    );
    await Promise.all(services.splice(0).map((s) => s.stop('SIGTERM', 15_000)));

    // 4. One correlator alone: relay baseline, then the correlator, on the same pre-loaded topic.
    const flush = new Redis(redis.url);
    await flush.flushall();
    flush.disconnect();
    const relayCorr = [
      await relayThroughput(
        admin,
        kafka.brokers,
        { input: t.corrEvents, output: t.relayCorr },
        `${run}-relay-c-1`,
        records.length,
      ),
    ];
    services.push(await correlator(t.corrEvents, t.corrCandidates, `${run}-c-correlator`));
    const corr = await timeDrain(
      admin,
      { groupId: `${run}-c-correlator`, topic: t.corrEvents },
      [{ groupId: `${run}-c-correlator`, topic: t.corrEvents }],
      records.length,
    );
    relayCorr.push(
      await relayThroughput(
        admin,
        kafka.brokers,
        { input: t.corrEvents, output: t.relayCorr },
        `${run}-relay-c-2`,
        records.length,
      ),
    );
    figures.push({
      bench: 'correlator',
      case: 'broker → one correlator (Redis state) → broker, bundled rules',
      events: records.length,
      partitions: PARTITIONS,
      events_per_s: corr.eventsPerSecond,
      seconds: corr.seconds,
      ...relayBaseline(relayCorr),
      ratio: round(corr.eventsPerSecond / mean(relayCorr), 3),
      target_ratio: 0.5,
    });
    progress(`relay ${JSON.stringify(relayCorr)}, correlator ${JSON.stringify(corr)}`);
    await latencyAtHalfRate(
      'correlator-latency',
      'planted attacks in a steady stream at half the measured correlator rate; last event produced → candidate on alerts.candidates',
      corr.eventsPerSecond,
      { input: t.corrLatencyIn, output: t.corrLatencyOut },
      { input: t.corrEvents, output: t.corrCandidates },
    );
  } finally {
    await Promise.all(services.map((s) => s.stop('SIGTERM', 15_000)));
    await bus.close().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await kafka.stop();
    await redis.stop();
  }
  return figures;
}

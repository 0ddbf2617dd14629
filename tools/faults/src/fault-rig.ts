/**
 * A pipeline under test for the fault integration tests: its own Redis (persistent, so a restart
 * keeps acknowledged state) and its own broker (faults here must not disturb other test files),
 * correlator and alerter as separate processes, a watcher counting every alert id published, and
 * the expected alert ids from an in-process `hunt` of the same events and rules (the same
 * comparison `npm run chaos` makes). Faults are injected by the tests.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hunt } from '@sequent/engine';
import { generateFleet, type EcsEvent } from '@sequent/generator';
import {
  freePort,
  httpGetText,
  serviceEnv,
  sleep,
  spawnService,
  startKafka,
  startRedis,
  type KafkaHandle,
  type RedisHandle,
  type ServiceProcess,
} from '../../harness/src';
import {
  createKafka,
  createLogger,
  decodeDlqOriginal,
  KafkaBus,
  kafkaSettings,
  type DlqEnvelope,
  type KafkaBusSubscription,
} from '@sequent/platform';
import { loadRules } from '@sequent/rules';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The bundled rules whose alerts do not depend on how partitions interleave, copied to a
 * temporary folder (for these tests and `npm run chaos`): new_terms rules keep global first-seen
 * state, so which host alerts first depends on consumption order, and they cannot be compared
 * alert for alert with a single-process run. */
export function orderIndependentRules(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sequent-faults-rules-'));
  for (const file of readdirSync(path.join(repoRoot, 'rules')).filter((f) => f.endsWith('.toml'))) {
    const full = path.join(repoRoot, 'rules', file);
    const { rules } = loadRules([full]);
    if (rules.length > 0 && rules.every((r) => r.meta.type !== 'new_terms'))
      copyFileSync(full, path.join(dir, file));
  }
  return dir;
}

export function faultFleet(seed: string, events = 4000): EcsEvent[] {
  return generateFleet({
    seed,
    hosts: 40,
    durationMs: Math.round((events / 40) * 1000),
    startTime: '2026-01-15T09:00:00.000Z',
    eventsPerSecond: 40,
    attacks: [
      { kind: 'apt_hook_shell', count: 12 },
      { kind: 'apt_hook_netcon', count: 10 },
      { kind: 'sudo_uid_bypass', count: 10 },
    ],
  }).events;
}

export interface RigOptions {
  name: string;
  /** Extra environment of the alerter (sinks, retries). */
  alerterEnv?: Record<string, string>;
  correlators?: number;
}

export interface Outcome {
  expected: number;
  published: number;
  lost: string[];
  duplicated: string[];
  unexpected: string[];
}

export class FaultRig {
  readonly run: string;
  readonly topics: { events: string; candidates: string; alerts: string; dlq: string; alertsDlq: string };
  redis!: RedisHandle;
  kafka!: KafkaHandle;
  correlators: ServiceProcess[] = [];
  alerter!: ServiceProcess;
  bus!: KafkaBus;
  readonly published = new Map<string, number>();
  readonly alertsDlq: Array<{ reason: string; error: string; original: string }> = [];
  private watcher?: KafkaBusSubscription;
  private dataDir = '';
  rulesDir = '';
  private stopped = false;

  constructor(private readonly options: RigOptions) {
    this.run = `${options.name}-${Date.now().toString(36)}`;
    this.topics = {
      events: `${this.run}.ecs.events`,
      candidates: `${this.run}.alerts.candidates`,
      alerts: `${this.run}.alerts`,
      dlq: `${this.run}.correlator.dlq`,
      alertsDlq: `${this.run}.alerts.dlq`,
    };
  }

  get env() {
    return serviceEnv({ brokers: this.kafka.brokers, redisUrl: this.redis.url, logLevel: 'info' });
  }

  async start(): Promise<void> {
    this.rulesDir = orderIndependentRules();
    this.dataDir = mkdtempSync(path.join(tmpdir(), 'sequent-faults-redis-'));
    this.redis = await startRedis({ dataDir: this.dataDir });
    this.kafka = await startKafka({
      topics: [
        { name: this.topics.events, partitions: 8 },
        { name: this.topics.candidates, partitions: 2 },
        { name: this.topics.alerts, partitions: 2 },
        { name: this.topics.dlq, partitions: 1 },
        { name: this.topics.alertsDlq, partitions: 1 },
      ],
    });
    for (let i = 0; i < (this.options.correlators ?? 1); i++)
      this.correlators.push(await this.startCorrelator());
    this.alerter = await this.startAlerter();
    await Promise.all([...this.correlators, this.alerter].map((s) => s.waitReady(90_000)));
    this.bus = new KafkaBus(
      createKafka(
        kafkaSettings.parse({
          brokers: this.kafka.brokers,
          clientId: `${this.run}-test`,
          sessionTimeoutMs: 6000,
        }),
        createLogger({ level: 'error' }),
      ),
    );
    await this.bus.connect();
    this.watcher = await this.bus.consume({
      groupId: `${this.run}-watcher`,
      topics: [this.topics.alerts, this.topics.alertsDlq],
      onBatch: async (batch) => {
        for (const r of batch.records) {
          const doc = JSON.parse(r.value.toString('utf8')) as Record<string, unknown>;
          if (batch.topic === this.topics.alertsDlq) {
            const env = doc as unknown as DlqEnvelope;
            this.alertsDlq.push({
              reason: env.reason,
              error: env.error,
              original: decodeDlqOriginal(env).toString('utf8'),
            });
            continue;
          }
          if (r.headers['sequent-alert-update'] === 'true') continue;
          const id = String(doc['kibana.alert.uuid']);
          this.published.set(id, (this.published.get(id) ?? 0) + 1);
        }
      },
    });
  }

  async startCorrelator(): Promise<ServiceProcess> {
    return spawnService('correlator', await freePort(), {
      ...this.env,
      SEQUENT_TOPICS_EVENTS: this.topics.events,
      SEQUENT_TOPICS_CANDIDATES: this.topics.candidates,
      SEQUENT_TOPICS_DLQ: this.topics.dlq,
      SEQUENT_GROUP_ID: `${this.run}-correlator`,
      SEQUENT_RULES_PATHS: this.rulesDir,
      SEQUENT_REORDER_IDLE_FLUSH_MS: '2000',
    });
  }

  async startAlerter(): Promise<ServiceProcess> {
    return spawnService('alerter', await freePort(), {
      ...this.env,
      SEQUENT_TOPICS_CANDIDATES: this.topics.candidates,
      SEQUENT_TOPICS_ALERTS: this.topics.alerts,
      SEQUENT_TOPICS_DLQ: this.topics.alertsDlq,
      SEQUENT_GROUP_ID: `${this.run}-alerter`,
      // The stream replays an hour of attacks in seconds: no per-minute cap on what we count.
      SEQUENT_RATE_CAP_WINDOW_SECONDS: '1',
      ...this.options.alerterEnv,
    });
  }

  /** Alert ids an in-process run of the same rules over the same events raises. */
  async expected(events: EcsEvent[]): Promise<Set<string>> {
    const baseline = await hunt(loadRules([this.rulesDir]).rules, events);
    return new Set(baseline.alerts.map((a) => a['kibana.alert.uuid']));
  }

  /** Produces `events` keyed by host in chunks, calling `between(i)` after each chunk. */
  async stream(events: EcsEvent[], chunk = 250, between?: (i: number) => Promise<void>): Promise<void> {
    for (let i = 0; i < events.length; i += chunk) {
      const records = events.slice(i, i + chunk).map((e) => ({
        key: String((e.host as { id?: string }).id),
        value: JSON.stringify(e),
      }));
      await this.bus.produce(this.topics.events, records);
      await between?.(i / chunk);
    }
  }

  /** Waits until the published alert count has not moved for `quietMs` and reached `atLeast`. */
  async settle(atLeast: number, quietMs = 10_000, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let since = Date.now();
    while (Date.now() < deadline) {
      await sleep(1000);
      const n = [...this.published.values()].reduce((a, b) => a + b, 0);
      if (n !== last) {
        last = n;
        since = Date.now();
      }
      if (this.published.size >= atLeast && Date.now() - since >= quietMs) return;
    }
  }

  outcome(expected: Set<string>): Outcome {
    return {
      expected: expected.size,
      published: this.published.size,
      lost: [...expected].filter((id) => !this.published.has(id)),
      duplicated: [...this.published].filter(([, n]) => n > 1).map(([id]) => id),
      unexpected: [...this.published.keys()].filter((id) => !expected.has(id)),
    };
  }

  async ready(s: ServiceProcess): Promise<number> {
    return (await httpGetText(`http://127.0.0.1:${s.httpPort}/readyz`).catch(() => ({ status: 0 }))).status;
  }

  /** Stops everything; resolves with the services' exit codes (SIGTERM). */
  async stop(): Promise<Array<number | null>> {
    if (this.stopped) return [];
    this.stopped = true;
    await this.watcher?.stop().catch(() => undefined);
    await this.bus?.close().catch(() => undefined);
    const codes = await Promise.all(
      [...this.correlators, this.alerter].filter(Boolean).map((s) => s.stop('SIGTERM', 20_000)),
    );
    await this.kafka?.stop();
    await this.redis?.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.rulesDir, { recursive: true, force: true });
    return codes;
  }
}

// Correlator: ecs.events in (one consumer group), alert candidates out, bad input to the DLQ.
// The stage is libs/pipeline's CorrelatorStage (the same code the embedded wiring runs); here it
// gets the Kafka bus, the rules and the Redis state store, so a partition can move to another
// pod without losing a half-matched sequence.
import { Inject, Injectable } from '@nestjs/common';
import { DetectionEngine } from '@sequent/engine';
import { CorrelatorStage, createStageMetrics, runStage, type RunningStage } from '@sequent/pipeline';
import {
  createKafka,
  createRedisClient,
  isRedisReady,
  KafkaBus,
  LagMonitor,
  Metrics,
  RedisStateStore,
  startOpsServer,
  type Lifecycle,
  type Logger,
  type OpsServer,
  type RedisClient,
} from '@sequent/platform';
import { loadRules, type LoadResult } from '@sequent/rules';
import type { CorrelatorConfig } from './config';
import { CorrelatorMetrics } from './correlator-metrics';
import { RulesReloader } from './rules-reload';
import { CONFIG, LOGGER } from './tokens';

@Injectable()
export class CorrelatorService implements Lifecycle {
  readonly metrics = new Metrics({ service: 'correlator' });
  private readonly bus: KafkaBus;
  private running?: RunningStage;
  private redis?: RedisClient;
  private ops?: OpsServer;
  private readonly lag: LagMonitor;
  private reloader?: RulesReloader;
  private engine?: DetectionEngine;
  private readonly rulesLoaded = this.metrics.gauge('sequent_rules_loaded', 'Rules by load status.', [
    'status',
  ]);
  private readonly reloads = this.metrics.counter('sequent_rule_reloads_total', 'Rule reloads by outcome.', [
    'outcome',
  ]);

  constructor(
    @Inject(CONFIG) private readonly config: CorrelatorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const kafka = createKafka(config.kafka, logger);
    this.lag = new LagMonitor({
      kafka,
      metrics: this.metrics,
      stage: 'correlator',
      groupId: config.groupId,
      topics: [config.topics.events],
      logger,
    });
    this.bus = new KafkaBus(kafka, {
      logger,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    });
  }

  private engineFor(loaded: LoadResult): DetectionEngine {
    for (const report of loaded.reports) {
      if (report.status === 'failed')
        this.logger.error('rule failed to load', { source: report.source, errors: report.errors });
    }
    const failed = loaded.reports.filter((r) => r.status === 'failed').length;
    this.logger.info('rules loaded', {
      rules: loaded.rules.length,
      unsupported: loaded.unsupported.length,
      failed,
    });
    this.rulesLoaded.set({ status: 'loaded' }, loaded.rules.length);
    this.rulesLoaded.set({ status: 'unsupported' }, loaded.unsupported.length);
    this.rulesLoaded.set({ status: 'failed' }, failed);
    // Profiling costs one clock read per rule evaluation; it feeds sequent_rule_evaluation_seconds.
    this.engine = new DetectionEngine(loaded.rules, {
      maxKeysPerRule: this.config.engine.maxKeysPerRule,
      profile: true,
    });
    return this.engine;
  }

  async start(): Promise<void> {
    const redis = createRedisClient(this.config.redis, this.logger);
    this.redis = redis;
    const store = new RedisStateStore(redis, {
      keyPrefix: this.config.redis.keyPrefix,
      allowedLatenessMs: this.config.reorder.allowedLatenessMs,
    });
    const observe = new CorrelatorMetrics(this.metrics, store);
    const stage = new CorrelatorStage({
      engine: this.engineFor(loadRules(this.config.rules.paths)),
      store,
      candidatesTopic: this.config.topics.candidates,
      reorder: {
        allowedLatenessMs: this.config.reorder.allowedLatenessMs,
        maxBuffered: this.config.reorder.maxBuffered,
      },
      idleFlushMs: this.config.reorder.idleFlushMs,
      learnBefore: this.config.backfill.learnBefore
        ? Date.parse(this.config.backfill.learnBefore)
        : undefined,
      maxFutureMs: this.config.reorder.maxFutureMs,
      onAlerts: (alerts) => observe.candidates(alerts),
      onBatch: (processor) => {
        observe.partition(processor);
        if (this.engine) observe.rules(this.engine);
      },
    });
    this.ops = await startOpsServer({
      host: this.config.http.host,
      port: this.config.http.port,
      metrics: this.metrics,
      logger: this.logger,
      readiness: {
        kafka: () => this.running !== undefined && this.bus.isReady,
        redis: () => isRedisReady(redis),
      },
    });
    await this.bus.connect();
    this.running = await runStage(this.bus, stage, {
      groupId: this.config.groupId,
      inputTopics: [this.config.topics.events],
      dlqTopic: this.config.topics.dlq,
      metrics: createStageMetrics(this.metrics),
      tickMs: Math.min(1_000, this.config.reorder.idleFlushMs),
      onTickError: (err) =>
        this.logger.warn('idle flush failed; retried on the next tick', { error: err.message }),
    });
    await this.lag.start();
    for (const outcome of ['applied', 'rejected']) this.reloads.inc({ outcome }, 0);
    this.reloader = new RulesReloader({
      paths: this.config.rules.paths,
      intervalMs: this.config.rules.reloadIntervalMs,
      logger: this.logger,
      onReload: async (loaded) => {
        // A reload that lost every rule is far more likely a half-written mount than intent.
        if (loaded.rules.length === 0 && !loaded.ok) {
          this.reloads.inc({ outcome: 'rejected' });
          this.logger.error('rules reload rejected: no rule loaded', { reports: loaded.reports.length });
          return;
        }
        await stage.replaceEngine(this.engineFor(loaded));
        this.reloads.inc({ outcome: 'applied' });
      },
    });
    this.reloader.start();
  }

  async stop(): Promise<void> {
    await this.reloader?.stop();
    await this.lag.stop();
    await this.running?.stop();
    await this.ops?.close();
    await this.bus.close();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

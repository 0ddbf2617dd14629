// Alerter: alert candidates in; deduplicated, suppressed, capped, risk-scored alerts out to the
// `alerts` topic and the sinks; bad input and undeliverable alerts to the DLQ; a gRPC API and
// /metrics on the side.
import { Inject, Injectable } from '@nestjs/common';
import {
  AlertProcessor,
  DEFAULT_ALERTING_CONFIG,
  EventClockEntityRiskStore,
  type EntityRiskStore,
} from '@sequent/alerting';
import {
  createKafka,
  createRedisClient,
  DlqProducer,
  isRedisReady,
  KafkaBus,
  Metrics,
  startOpsServer,
  type Lifecycle,
  type Logger,
  type OpsServer,
  type RedisClient,
} from '@sequent/platform';
import {
  AlerterStage,
  AlertStage,
  createAlerterMetrics,
  createStageMetrics,
  FileSink,
  RedisAlertFeed,
  runStage,
  WebhookSink,
  type AlertSink,
  type RunningStage,
} from '@sequent/pipeline';
import type { AlerterConfig } from './config';
import { RedisAlertDeduper } from './dedupe';
import { startGrpcServer, type GrpcServerHandle } from './grpc-server';
import {
  RedisEntityRiskStore,
  RedisRateCapStore,
  RedisRecentAlerts,
  RedisRiskWatermark,
  RedisSuppressionStore,
} from './redis-stores';
import { CONFIG, LOGGER } from './tokens';

@Injectable()
export class AlerterService implements Lifecycle {
  readonly metrics = new Metrics({ service: 'alerter' });
  private readonly bus: KafkaBus;
  private readonly redis: RedisClient;
  private readonly stage: AlerterStage;
  private running?: RunningStage;
  private readonly feed: RedisAlertFeed;
  private readonly entityRisk: EntityRiskStore;
  private readonly recent: RedisRecentAlerts;
  private ops?: OpsServer;
  private grpc?: GrpcServerHandle;

  constructor(
    @Inject(CONFIG) private readonly config: AlerterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.bus = new KafkaBus(createKafka(config.kafka, logger), {
      logger,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    });
    // lazyConnect is off: the client connects now and retries in the background.
    this.redis = createRedisClient(config.redis, logger);
    const prefix = config.redis.keyPrefix;
    const riskOptions = {
      windowMs: config.risk.windowDays * 24 * 3600 * 1000,
      maxInputs: config.risk.maxInputsPerEntity,
    };
    const riskStore = new RedisEntityRiskStore(this.redis, prefix, riskOptions, config.risk.maxEntities);
    this.entityRisk =
      config.risk.clock === 'event'
        ? new EventClockEntityRiskStore(riskStore, new RedisRiskWatermark(this.redis, prefix))
        : riskStore;
    this.recent = new RedisRecentAlerts(this.redis, prefix, config.recentAlerts);
    this.feed = new RedisAlertFeed(this.redis, `${prefix}alerts:feed`, logger);
    const processor = new AlertProcessor(
      {
        dedupe: new RedisAlertDeduper(this.redis, prefix, config.dedupeTtlSeconds),
        suppression: new RedisSuppressionStore(this.redis, prefix),
        rateCap: new RedisRateCapStore(this.redis, prefix),
        entityRisk: this.entityRisk,
      },
      {
        ...DEFAULT_ALERTING_CONFIG,
        maxCandidateBytes: config.maxCandidateBytes,
        defaultMaxSignals: config.rateCap.defaultMaxSignals,
        rateWindowMs: config.rateCap.windowSeconds * 1000,
        entityRisk: riskOptions,
        buildingBlocksInRisk: config.risk.includeBuildingBlocks,
      },
    );
    const metrics = createAlerterMetrics(this.metrics, {
      topN: config.risk.metricsTopN,
      topEntities: (n) => this.entityRisk.top(n, Date.now()),
    });
    const sinks: AlertSink[] = [];
    if (config.sinks.filePath) sinks.push(new FileSink(config.sinks.filePath));
    for (const w of config.sinks.webhooks)
      sinks.push(new WebhookSink(w, config.sinks.timeoutMs, config.sinks.notifyUpdates));
    const dlq = new DlqProducer(this.bus, config.topics.dlq, 'alerter', this.metrics);
    const stage = new AlertStage({
      processor,
      metrics,
      recent: this.recent,
      feed: this.feed,
      sinks,
      retry: {
        attempts: config.sinks.attempts,
        backoffMs: config.sinks.backoffMs,
        budgetMs: config.sinks.budgetMs,
      },
      deadLetter: (items) => dlq.send(items),
      logger,
    });
    this.stage = new AlerterStage(stage, config.topics.alerts);
  }

  private get ready(): boolean {
    return this.running !== undefined && this.bus.isReady && isRedisReady(this.redis);
  }

  async start(): Promise<void> {
    this.ops = await startOpsServer({
      host: this.config.http.host,
      port: this.config.http.port,
      metrics: this.metrics,
      logger: this.logger,
      readiness: {
        kafka: () => this.running !== undefined && this.bus.isReady,
        redis: () => isRedisReady(this.redis),
      },
    });
    await this.feed.start();
    const g = this.config.grpc;
    if (g.enabled) {
      if ((g.tlsCertFile === undefined) !== (g.tlsKeyFile === undefined))
        throw new Error('set both SEQUENT_GRPC_TLS_CERT_FILE and SEQUENT_GRPC_TLS_KEY_FILE, or neither');
      this.grpc = await startGrpcServer({
        host: g.host,
        port: g.port,
        tls:
          g.tlsCertFile && g.tlsKeyFile
            ? { certFile: g.tlsCertFile, keyFile: g.tlsKeyFile, clientCaFile: g.tlsClientCaFile }
            : undefined,
        authToken: g.authToken,
        protoDir: g.protoDir,
        queries: {
          listAlerts: (offset, size, accept) => this.recent.list(offset, size, accept),
          entityRisk: this.entityRisk,
          feed: this.feed,
        },
        isServing: () => this.ready,
        logger: this.logger,
      });
    }
    await this.bus.connect();
    this.running = await runStage(this.bus, this.stage, {
      groupId: this.config.groupId,
      inputTopics: [this.config.topics.candidates],
      dlqTopic: this.config.topics.dlq,
      metrics: createStageMetrics(this.metrics),
    });
  }

  /** The bound gRPC port (useful with port 0). */
  get grpcPort(): number | undefined {
    return this.grpc?.port;
  }

  get httpPort(): number | undefined {
    return this.ops?.port;
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    await this.grpc?.close();
    await this.ops?.close();
    await this.bus.close();
    await this.feed.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

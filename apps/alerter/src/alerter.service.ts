// Alerter: alert candidates in, deduplicated alerts out, bad input to the DLQ.
import { Inject, Injectable } from '@nestjs/common';
import {
  createKafka,
  createRedisClient,
  DlqProducer,
  isRedisReady,
  KafkaBus,
  Metrics,
  startOpsServer,
  StageWorker,
  type Lifecycle,
  type Logger,
  type OpsServer,
  type RedisClient,
} from '@sequent/platform';
import type { AlerterConfig } from './config';
import { RedisAlertDeduper } from './dedupe';
import { alertBatch } from './stage';
import { CONFIG, LOGGER } from './tokens';

@Injectable()
export class AlerterService implements Lifecycle {
  readonly metrics = new Metrics({ service: 'alerter' });
  private readonly bus: KafkaBus;
  private readonly redis: RedisClient;
  private readonly worker: StageWorker;
  private ops?: OpsServer;

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
    const deduper = new RedisAlertDeduper(this.redis, config.redis.keyPrefix, config.dedupeTtlSeconds);
    const deduplicated = this.metrics.counter(
      'sequent_alerts_deduplicated_total',
      'Candidates dropped as duplicates of an alert already published.',
    );
    this.worker = new StageWorker({
      stage: 'alerter',
      bus: this.bus,
      groupId: config.groupId,
      inputTopics: [config.topics.candidates],
      outputTopic: config.topics.alerts,
      dlq: new DlqProducer(this.bus, config.topics.dlq, 'alerter', this.metrics),
      metrics: this.metrics,
      logger,
      process: async (records) => {
        const result = await alertBatch(records, deduper);
        // Counted when the batch is handled; a redelivered batch counts its duplicates again.
        if (result.duplicates) deduplicated.inc(result.duplicates);
        return result;
      },
    });
  }

  async start(): Promise<void> {
    this.ops = await startOpsServer({
      host: this.config.http.host,
      port: this.config.http.port,
      metrics: this.metrics,
      logger: this.logger,
      readiness: {
        kafka: () => this.bus.isReady && this.worker.isReady,
        redis: () => isRedisReady(this.redis),
      },
    });
    await this.bus.connect();
    await this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.ops?.close();
    await this.bus.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

// Correlator: ecs.events in (one consumer group), alert candidates out, bad input to the DLQ.
// Redis holds the engine state once the real stage lands; the placeholder only checks it is
// reachable (readiness) so the deployment shape is already the final one.
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
import type { CorrelatorConfig } from './config';
import { correlateBatch } from './stage';
import { CONFIG, LOGGER } from './tokens';

@Injectable()
export class CorrelatorService implements Lifecycle {
  readonly metrics = new Metrics({ service: 'correlator' });
  private readonly bus: KafkaBus;
  private readonly worker: StageWorker;
  private redis?: RedisClient;
  private ops?: OpsServer;

  constructor(
    @Inject(CONFIG) private readonly config: CorrelatorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.bus = new KafkaBus(createKafka(config.kafka, logger), {
      logger,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    });
    this.worker = new StageWorker({
      stage: 'correlator',
      bus: this.bus,
      groupId: config.groupId,
      inputTopics: [config.topics.events],
      outputTopic: config.topics.candidates,
      dlq: new DlqProducer(this.bus, config.topics.dlq, 'correlator', this.metrics),
      metrics: this.metrics,
      logger,
      process: async (records) => correlateBatch(records),
    });
  }

  async start(): Promise<void> {
    const redis = createRedisClient(this.config.redis, this.logger);
    this.redis = redis;
    this.ops = await startOpsServer({
      host: this.config.http.host,
      port: this.config.http.port,
      metrics: this.metrics,
      logger: this.logger,
      readiness: {
        kafka: () => this.bus.isReady && this.worker.isReady,
        redis: () => isRedisReady(redis),
      },
    });
    await this.bus.connect();
    await this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.ops?.close();
    await this.bus.close();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

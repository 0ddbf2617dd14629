// Ingest: raw topics and HTTP NDJSON in, ECS events out (keyed by host.id), bad input to the DLQ.
import { Inject, Injectable } from '@nestjs/common';
import { createStageMetrics, IngestStage, runStage, type RunningStage } from '@sequent/pipeline';
import {
  createKafka,
  DlqProducer,
  KafkaBus,
  Metrics,
  startOpsServer,
  type Lifecycle,
  type Logger,
  type OpsServer,
} from '@sequent/platform';
import { CONFIG, LOGGER } from './tokens';
import type { IngestConfig } from './config';
import { createHttpIntake } from './http-intake';

@Injectable()
export class IngestService implements Lifecycle {
  readonly metrics = new Metrics({ service: 'ingest' });
  private readonly bus: KafkaBus;
  private running?: RunningStage;
  private readonly dlq: DlqProducer;
  private readonly stage: IngestStage;
  private ops?: OpsServer;

  constructor(
    @Inject(CONFIG) private readonly config: IngestConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.bus = new KafkaBus(createKafka(config.kafka, logger), {
      logger,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    });
    this.dlq = new DlqProducer(this.bus, config.topics.dlq, 'ingest', this.metrics);
    const rejected = this.metrics.counter(
      'sequent_ingest_rejected_total',
      'Raw records ingest could not normalize, by source topic and reason.',
      ['source', 'reason'],
    );
    this.stage = new IngestStage({
      sources: config.sources,
      eventsTopic: config.topics.events,
      onReject: (source, reason) => rejected.inc({ source, reason }),
    });
  }

  async start(): Promise<void> {
    const { config } = this;
    this.ops = await startOpsServer({
      host: config.http.host,
      port: config.http.port,
      metrics: this.metrics,
      logger: this.logger,
      readiness: {
        kafka: () => this.running !== undefined && this.bus.isReady,
      },
      routes: {
        '/v1/events': createHttpIntake({
          bus: this.bus,
          eventsTopic: config.topics.events,
          dlq: this.dlq,
          metrics: this.metrics,
          logger: this.logger,
          token: config.intake.token,
          maxBodyBytes: config.intake.maxBodyBytes,
          maxInFlightRequests: config.intake.maxInFlightRequests,
          isReady: () => this.bus.producer.isConnected,
          stage: this.stage,
        }),
      },
    });
    await this.bus.connect();
    this.running = await runStage(this.bus, this.stage, {
      groupId: config.groupId,
      inputTopics: [...new Set([...config.topics.raw, ...config.sources.map((s) => s.topic)])],
      dlqTopic: config.topics.dlq,
      metrics: createStageMetrics(this.metrics),
    });
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    await this.ops?.close();
    await this.bus.close();
  }
}

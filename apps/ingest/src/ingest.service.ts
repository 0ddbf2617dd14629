// Ingest: raw topics, HTTP NDJSON and gRPC streams in, ECS events out (keyed by host.id), bad input
// to the DLQ.
import { Inject, Injectable } from '@nestjs/common';
import { createStageMetrics, IngestStage, runStage, type RunningStage } from '@sequent/pipeline';
import {
  createKafka,
  DlqProducer,
  grpcTlsFiles,
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
import { CountedIngestStage } from './counted-stage';
import { startGrpcIntake, type GrpcIntakeHandle } from './grpc-intake';
import { ingestMetrics, type IngestMetrics } from './ingest-metrics';

@Injectable()
export class IngestService implements Lifecycle {
  readonly metrics = new Metrics({ service: 'ingest' });
  private readonly bus: KafkaBus;
  private running?: RunningStage;
  private readonly dlq: DlqProducer;
  private readonly stage: IngestStage;
  private readonly ingestMetrics: IngestMetrics;
  private ops?: OpsServer;
  private grpc?: GrpcIntakeHandle;

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
    this.ingestMetrics = ingestMetrics(this.metrics);
    const { rejected } = this.ingestMetrics;
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
    const g = config.grpc;
    if (g.enabled) {
      this.grpc = await startGrpcIntake({
        host: g.host,
        port: g.port,
        tls: grpcTlsFiles(g),
        authToken: g.authToken ?? config.intake.token,
        protoDir: g.protoDir,
        maxMessageBytes: g.maxMessageBytes,
        maxInFlightBatches: g.maxInFlightBatches,
        maxStreams: g.maxStreams,
        bus: this.bus,
        eventsTopic: config.topics.events,
        dlq: this.dlq,
        metrics: this.ingestMetrics,
        logger: this.logger,
        isReady: () => this.bus.producer.isConnected,
      });
    }
    await this.bus.connect();
    this.running = await runStage(
      this.bus,
      new CountedIngestStage(this.stage, config.sources, this.ingestMetrics),
      {
        groupId: config.groupId,
        inputTopics: [...new Set([...config.topics.raw, ...config.sources.map((s) => s.topic)])],
        dlqTopic: config.topics.dlq,
        metrics: createStageMetrics(this.metrics),
      },
    );
  }

  /** The gRPC intake's bound port (when enabled; useful with SEQUENT_GRPC_PORT=0). */
  get grpcPort(): number | undefined {
    return this.grpc?.port;
  }

  async stop(): Promise<void> {
    // Intakes first: no new events while the consumer drains.
    await this.grpc?.close();
    await this.running?.stop();
    await this.ops?.close();
    await this.bus.close();
  }
}

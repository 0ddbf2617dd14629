// Runs one stage over Kafka: consume a batch, let the stage turn it into output records and
// rejects, produce the outputs, dead-letter the rejects, and only then let the consumer commit.
// A failure to produce fails the batch (it is redelivered), so nothing is dropped silently.
import type { DlqProducer } from './dlq';
import type { KafkaBus, KafkaBusOutgoing, KafkaBusRecord, KafkaBusSubscription } from './kafka-bus';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface StageReject {
  record: KafkaBusRecord;
  /** snake_case, bounded set (metric label). */
  reason: string;
  error: string;
}

export interface StageResult {
  outputs: KafkaBusOutgoing[];
  rejects: StageReject[];
  /** Runs once the outputs are acknowledged, before the offsets are committed (e.g. record alert ids as seen). */
  onProduced?: () => Promise<void>;
}

export type StageFunction = (records: KafkaBusRecord[]) => Promise<StageResult>;

export interface StageWorkerOptions {
  stage: string;
  bus: KafkaBus;
  groupId: string;
  inputTopics: string[];
  outputTopic: string;
  dlq: DlqProducer;
  metrics: Metrics;
  logger: Logger;
  process: StageFunction;
}

/** The per-stage metrics of docs/metrics.md (shared with libs/pipeline's runStage by name). */
export function stageCounters(metrics: Metrics) {
  return {
    messagesIn: metrics.counter('sequent_messages_in_total', 'Messages consumed by a stage.', ['stage']),
    messagesOut: metrics.counter('sequent_messages_out_total', 'Messages produced to the next topic.', [
      'stage',
    ]),
    batchDuration: metrics.histogram(
      'sequent_batch_duration_seconds',
      'Time to handle one consumed batch.',
      ['stage'],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
  };
}

export class StageWorker {
  private subscription?: KafkaBusSubscription;
  private readonly counters: ReturnType<typeof stageCounters>;

  constructor(private readonly options: StageWorkerOptions) {
    this.counters = stageCounters(options.metrics);
  }

  get isReady(): boolean {
    return this.subscription?.consumer.isReady ?? false;
  }

  async start(): Promise<void> {
    const { bus, groupId, inputTopics } = this.options;
    this.subscription = await bus.consume({
      groupId,
      topics: inputTopics,
      onBatch: (b) => this.handle(b.records),
    });
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  private async handle(records: KafkaBusRecord[]): Promise<void> {
    const { stage, logger } = this.options;
    const endTimer = this.counters.batchDuration.startTimer({ stage });
    this.counters.messagesIn.inc({ stage }, records.length);
    const result = await this.options.process(records);
    await this.options.bus.produce(this.options.outputTopic, result.outputs);
    await this.options.dlq.send(
      result.rejects.map((r) => ({
        original: r.record.value,
        reason: r.reason,
        error: r.error,
        source: { topic: r.record.topic, partition: r.record.partition, offset: r.record.offset },
      })),
    );
    await result.onProduced?.();
    this.counters.messagesOut.inc({ stage }, result.outputs.length);
    endTimer();
    if (result.rejects.length) {
      logger.warn('records dead-lettered', {
        count: result.rejects.length,
        reasons: [...new Set(result.rejects.map((r) => r.reason))],
      });
    }
  }
}

// The Kafka implementation of the stage bus (the `Bus` interface of libs/pipeline, matched
// structurally so this lib does not depend on the pipeline): produce through the idempotent
// producer, consume batches with commits after the handler resolves.
import type { Kafka } from 'kafkajs';
import { BatchConsumer, KafkaProducer } from './kafka';
import type { Logger } from './logger';

export interface KafkaBusRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

export interface KafkaBusOutgoing {
  key?: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface KafkaBusConsumeOptions {
  groupId: string;
  topics: string[];
  onBatch(batch: { topic: string; partition: number; records: KafkaBusRecord[] }): Promise<void>;
  onAssign?(topic: string, partition: number): Promise<void>;
  onRevoke?(topic: string, partition: number): Promise<void>;
}

export interface KafkaBusSubscription {
  stop(): Promise<void>;
  readonly consumer: BatchConsumer;
}

export interface KafkaBusOptions {
  logger?: Logger;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  maxWaitTimeMs?: number;
}

function headersToStrings(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

export class KafkaBus {
  readonly producer: KafkaProducer;
  private readonly subscriptions = new Set<BatchConsumer>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaBusOptions = {},
  ) {
    this.producer = new KafkaProducer(kafka);
  }

  /**
   * Ready for /readyz: the producer is connected and every subscription has joined its group
   * (libs/pipeline's runStage, through the Bus interface).
   */
  get isReady(): boolean {
    return this.producer.isConnected && [...this.subscriptions].every((c) => c.isReady);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async produce(topic: string, records: KafkaBusOutgoing[]): Promise<void> {
    await this.producer.send(topic, records);
  }

  /** Starts consuming; resolves once the consumer runs (the group join completes in the background). */
  async consume(options: KafkaBusConsumeOptions): Promise<KafkaBusSubscription> {
    const consumer = new BatchConsumer(this.kafka, {
      groupId: options.groupId,
      topics: options.topics,
      logger: this.options.logger,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      maxWaitTimeMs: this.options.maxWaitTimeMs,
      onAssign: options.onAssign,
      onRevoke: options.onRevoke,
    });
    this.subscriptions.add(consumer);
    await consumer.start((batch) =>
      options.onBatch({
        topic: batch.topic,
        partition: batch.partition,
        records: batch.messages.map((m) => ({
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          key: m.key === null ? null : m.key.toString('utf8'),
          value: m.value ?? Buffer.alloc(0),
          headers: headersToStrings(m.headers),
          timestamp: Number(m.timestamp),
        })),
      }),
    );
    return {
      consumer,
      stop: async () => {
        if (!this.subscriptions.delete(consumer)) return;
        await consumer.stop();
      },
    };
  }

  /** Stops every subscription (each finishes and commits its running batch), then the producer. */
  async close(): Promise<void> {
    const consumers = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.all(consumers.map((c) => c.stop()));
    await this.producer.disconnect();
  }
}

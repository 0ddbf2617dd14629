// Consumer lag per partition (high watermark minus the group's committed offset), polled from
// the broker's admin API and exported as sequent_consumer_lag{stage,topic,partition}. Every pod
// of a group reports the whole group's lag (dashboards take the max per partition), so the
// figure stays right while partitions move between pods.
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface LagMonitorOptions {
  kafka: Kafka;
  metrics: Metrics;
  stage: string;
  groupId: string;
  topics: string[];
  intervalMs?: number;
  logger?: Logger;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export class LagMonitor {
  private admin?: Admin;
  private timer?: NodeJS.Timeout;
  private readonly gauge;

  constructor(private readonly options: LagMonitorOptions) {
    this.gauge = options.metrics.gauge('sequent_consumer_lag', 'High watermark minus committed offset.', [
      'stage',
      'topic',
      'partition',
    ]);
  }

  async start(): Promise<void> {
    this.admin = this.options.kafka.admin();
    await this.admin.connect();
    const poll = () =>
      this.poll().catch((err: Error) =>
        this.options.logger?.warn('consumer lag poll failed', { error: err.message }),
      );
    await poll();
    this.timer = setInterval(poll, this.options.intervalMs ?? 15_000);
    this.timer.unref();
  }

  /** Reads the lag once and updates the gauge. */
  async poll(): Promise<PartitionLag[]> {
    const admin = this.admin;
    if (!admin) throw new Error('LagMonitor is not started');
    const out: PartitionLag[] = [];
    const committed = await admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: this.options.topics,
    });
    for (const { topic, partitions } of committed) {
      const high = new Map(
        (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)] as const),
      );
      for (const p of partitions) {
        const end = high.get(p.partition) ?? 0n;
        // -1: nothing committed yet, so everything up to the high watermark is pending.
        const done = BigInt(p.offset) < 0n ? 0n : BigInt(p.offset);
        const lag = Number(end > done ? end - done : 0n);
        this.gauge.set({ stage: this.options.stage, topic, partition: String(p.partition) }, lag);
        out.push({ topic, partition: p.partition, lag });
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.admin?.disconnect();
  }
}

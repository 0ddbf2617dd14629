/**
 * A stage of the pipeline (ingest, correlator, alerter) and the loop that runs it on a bus.
 * The services run stages on the Kafka bus, the embedded wiring on the memory bus: the
 * stage code is the same (DESIGN.md "One code path, two wirings").
 *
 * Per consumed batch: the stage handles it (the correlator also persists its state and the
 * partition offset here), the runner produces its outputs, then its DLQ entries, and only
 * then returns so the bus commits the offsets. A crash anywhere before the commit replays
 * the batch; alert ids are deterministic, so the alerter drops the replayed duplicates.
 */
import { createDlqEnvelope, type DlqSource } from '@sequent/platform';
import type { Bus, BusBatch, OutgoingRecord, Subscription } from './bus';
import type { StageMetrics } from './stage-metrics';

export type StageName = 'ingest' | 'correlator' | 'alerter';

export interface DlqItem {
  original: Buffer | string | null;
  /** Bounded snake_case reason (a metric label), e.g. `invalid_json`. */
  reason: string;
  error: string;
  source?: DlqSource;
}

export interface StageResult {
  outputs: Array<{ topic: string; records: OutgoingRecord[] }>;
  dlq: DlqItem[];
  /** Runs once the bus has the outputs and DLQ entries, before the offsets are committed
   * (the correlator clears its alert outbox here). */
  afterPublish?: () => Promise<void>;
}

export interface Stage {
  readonly name: StageName;
  handleBatch(batch: BusBatch): Promise<StageResult>;
  /** End of a finite input (the embedded wiring's replay of a file): release whatever the
   * stage still buffers, such as the correlator's reorder buffer. */
  flush?(): Promise<StageResult>;
  /** Called every `tickMs` by the runner: time-driven work such as releasing the reorder
   * buffer of a partition that went quiet (its watermark would otherwise never move). */
  tick?(nowMs: number): Promise<StageResult>;
  onAssign?(topic: string, partition: number): Promise<void>;
  onRevoke?(topic: string, partition: number): Promise<void>;
}

export interface RunStageOptions {
  groupId: string;
  inputTopics: string[];
  dlqTopic: string;
  metrics?: StageMetrics;
  /** Period of the stage's tick (when it has one); default 1 s. */
  tickMs?: number;
  onTickError?: (err: Error) => void;
}

export function dlqRecords(stage: StageName, items: DlqItem[]): OutgoingRecord[] {
  return items.map((item) => {
    const envelope = createDlqEnvelope({ ...item, stage });
    return {
      key: envelope.source ? `${envelope.source.topic}/${envelope.source.partition}` : null,
      value: JSON.stringify(envelope),
    };
  });
}

export interface RunningStage extends Subscription {
  /** Runs the stage's flush (if any) and publishes what it releases. */
  flush(): Promise<void>;
  /** The bus subscription (a Kafka one exposes its consumer's readiness). */
  readonly subscription: Subscription;
}

export async function runStage(bus: Bus, stage: Stage, options: RunStageOptions): Promise<RunningStage> {
  const metrics = options.metrics;
  const publish = async (result: StageResult): Promise<void> => {
    for (const out of result.outputs) {
      if (out.records.length === 0) continue;
      await bus.produce(out.topic, out.records);
      metrics?.messagesOut.inc({ stage: stage.name }, out.records.length);
    }
    if (result.dlq.length > 0) {
      await bus.produce(options.dlqTopic, dlqRecords(stage.name, result.dlq));
      // Counted once the bus has them: the metric never claims a DLQ entry that was lost.
      for (const item of result.dlq) metrics?.dlqMessages.inc({ stage: stage.name, reason: item.reason });
    }
    await result.afterPublish?.();
  };
  const subscription = await bus.consume({
    groupId: options.groupId,
    topics: options.inputTopics,
    onAssign: stage.onAssign?.bind(stage),
    onRevoke: stage.onRevoke?.bind(stage),
    onBatch: async (batch) => {
      const endTimer = metrics?.batchDuration.startTimer({ stage: stage.name });
      metrics?.messagesIn.inc({ stage: stage.name }, batch.records.length);
      await publish(await stage.handleBatch(batch));
      endTimer?.();
    },
  });
  let ticking: Promise<void> = Promise.resolve();
  const timer = stage.tick
    ? setInterval(() => {
        // One tick at a time; a failed publish is retried on the next tick (the stage keeps
        // what it could not hand over), never thrown out of a timer.
        ticking = ticking
          .then(async () => publish(await stage.tick!(Date.now())))
          .catch((err) => options.onTickError?.(err as Error));
      }, options.tickMs ?? 1000)
    : undefined;
  timer?.unref();
  return {
    subscription,
    stop: async () => {
      if (timer) clearInterval(timer);
      await ticking;
      await subscription.stop();
    },
    flush: async () => {
      if (stage.flush) await publish(await stage.flush());
    },
  };
}

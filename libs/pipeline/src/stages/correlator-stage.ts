/**
 * The correlator stage: `ecs.events` in, alert candidates out, one engine partition processor
 * per assigned partition. It follows the delivery protocol of DESIGN.md through the engine's
 * PartitionProcessor: evaluate the batch and commit state + offset + alert outbox to the state
 * store, then the runner publishes the candidates, then the outbox is cleared, then the bus
 * commits offsets. On assignment the partition's state is loaded and alerts of a commit whose
 * produce never finished are published again (their ids are deterministic: the alerter dedupes).
 */
import { DEFAULT_LIMITS, LimitError, parseJsonLimited, type Limits } from '@sequent/ecs';
import {
  eventTimeReader,
  PartitionProcessor,
  type AlertDocument,
  type DetectionEngine,
  type ReorderOptions,
  type StateStore,
} from '@sequent/engine';
import type { BusBatch, OutgoingRecord } from '../bus';
import type { DlqItem, Stage, StageResult } from '../stage';

export interface CorrelatorStageOptions {
  engine: DetectionEngine;
  store: StateStore;
  candidatesTopic: string;
  reorder?: Partial<ReorderOptions>;
  limits?: Limits;
  /** Called after every batch with the partition's processor (metrics: watermark, late events, state size). */
  onBatch?: (processor: PartitionProcessor) => void;
  /** Backfill: events older than this (epoch ms) only teach new_terms history, never alert. */
  learnBefore?: number;
  /** Called with every newly raised alert, once (metrics: candidates by rule). */
  onAlerts?: (alerts: readonly AlertDocument[]) => void;
  /** A partition with buffered events and no new record for this long (wall clock) releases its
   * reorder buffer, so a quiet partition's last events are still evaluated. Default 10 s. */
  idleFlushMs?: number;
  /** Events timed more than this after the wall clock are dead-lettered (`timestamp_in_future`):
   * one such event would move its partition's watermark ahead of every real event, making them
   * all late. Default one day (clock skew); 0 turns the check off. */
  maxFutureMs?: number;
  /** Wall clock (ms), for the future check. */
  now?: () => number;
}

export const DEFAULT_MAX_FUTURE_MS = 86_400_000;

/** One assigned partition: its processor, the alerts committed to the store's outbox but not
 * yet acknowledged as published (the same list, mirrored, so a failed publish is retried by
 * the next batch or tick without a reload), and the work queue that keeps batches and ticks
 * of one partition in order. */
interface PartitionSlot {
  processor: PartitionProcessor;
  unacked: AlertDocument[];
  lastRecordAt: number;
  queue: Promise<unknown>;
}

function candidateRecords(alerts: readonly AlertDocument[]): OutgoingRecord[] {
  // Keyed by the alert id: every copy of one alert reaches the same alerter partition.
  return alerts.map((a) => ({ key: a['kibana.alert.uuid'], value: JSON.stringify(a) }));
}

export class CorrelatorStage implements Stage {
  readonly name = 'correlator' as const;
  private readonly slots = new Map<string, PartitionSlot>();
  private readonly timeOf: (event: unknown) => number | null;

  constructor(private options: CorrelatorStageOptions) {
    this.timeOf = eventTimeReader(options.reorder?.timestampField);
  }

  private static key(topic: string, partition: number): string {
    return `${topic}:${partition}`;
  }

  /** Partitions this stage holds, with their processors (for metrics and tests). */
  get partitions(): ReadonlyMap<string, PartitionProcessor> {
    return new Map([...this.slots].map(([name, slot]) => [name, slot.processor]));
  }

  /**
   * Swaps in a new rule set (a rules reload) without a restart. Every partition reopens from
   * the store under the new engine: state is keyed by each rule's definition, so unchanged
   * rules keep their half-matched sequences, new terms and thresholds, and changed rules start
   * fresh. Waits for in-flight batches of each partition first.
   */
  async replaceEngine(engine: DetectionEngine): Promise<void> {
    this.options = { ...this.options, engine };
    for (const slot of this.slots.values()) {
      await this.serialize(slot, async () => {
        slot.processor = await PartitionProcessor.open(engine, this.options.store, {
          partition: slot.processor.partition,
          ...this.options.reorder,
          learnBefore: this.options.learnBefore,
        });
        slot.unacked = slot.processor.pendingAlerts;
      });
    }
  }

  async onAssign(topic: string, partition: number): Promise<void> {
    const name = CorrelatorStage.key(topic, partition);
    const processor = await PartitionProcessor.open(this.options.engine, this.options.store, {
      partition: name,
      ...this.options.reorder,
      learnBefore: this.options.learnBefore,
    });
    // Alerts an earlier owner committed but may never have published go out with the first batch.
    this.slots.set(name, {
      processor,
      unacked: processor.pendingAlerts,
      lastRecordAt: Date.now(),
      queue: Promise.resolve(),
    });
  }

  async onRevoke(topic: string, partition: number): Promise<void> {
    // Everything a batch changed was committed with its offset: nothing to flush, and the
    // next owner loads the partition (buffered events included) from the store.
    this.slots.delete(CorrelatorStage.key(topic, partition));
  }

  private async slot(topic: string, partition: number): Promise<PartitionSlot> {
    const name = CorrelatorStage.key(topic, partition);
    if (!this.slots.has(name)) await this.onAssign(topic, partition);
    return this.slots.get(name)!;
  }

  /** Runs `work` after everything queued for the slot, so a tick never interleaves a batch. */
  private serialize<T>(slot: PartitionSlot, work: () => Promise<T>): Promise<T> {
    const run = slot.queue.then(work, work);
    slot.queue = run.catch(() => undefined);
    return run;
  }

  /** The candidates to publish: unacknowledged ones first, then `fresh`; acknowledged together. */
  private publishing(
    slots: PartitionSlot[],
    fresh: Map<PartitionSlot, AlertDocument[]>,
  ): Pick<StageResult, 'outputs' | 'afterPublish'> {
    const alerts: AlertDocument[] = [];
    for (const slot of slots) {
      const raised = fresh.get(slot) ?? [];
      if (raised.length > 0) this.options.onAlerts?.(raised);
      slot.unacked = [...slot.unacked, ...raised];
      alerts.push(...slot.unacked);
    }
    return {
      outputs: [{ topic: this.options.candidatesTopic, records: candidateRecords(alerts) }],
      afterPublish: async () => {
        for (const slot of slots) {
          if (slot.unacked.length === 0) continue;
          await slot.processor.ackAlerts();
          slot.unacked = [];
        }
      },
    };
  }

  async handleBatch(batch: BusBatch): Promise<StageResult> {
    const slot = await this.slot(batch.topic, batch.partition);
    slot.lastRecordAt = Date.now();
    const limits = this.options.limits ?? DEFAULT_LIMITS;
    const dlq: DlqItem[] = [];
    const inputs: Array<{ event: unknown; offset: string }> = [];
    const maxFutureMs = this.options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    const now = (this.options.now ?? Date.now)();
    for (const record of batch.records) {
      const source = { topic: record.topic, partition: record.partition, offset: record.offset };
      try {
        const event = parseJsonLimited(record.value.toString('utf8'), limits);
        if (event === null || typeof event !== 'object' || Array.isArray(event)) {
          dlq.push({
            original: record.value,
            reason: 'not_an_object',
            error: 'an ECS event must be a JSON object',
            source,
          });
          continue;
        }
        const time = maxFutureMs > 0 ? this.timeOf(event) : null;
        if (time !== null && time > now + maxFutureMs) {
          dlq.push({
            original: record.value,
            reason: 'timestamp_in_future',
            error: `event time ${new Date(time).toISOString()} is more than ${maxFutureMs} ms ahead of the clock`,
            source,
          });
          continue;
        }
        inputs.push({ event, offset: record.offset });
      } catch (err) {
        const reason = err instanceof LimitError ? err.reason : 'invalid_json';
        dlq.push({ original: record.value, reason, error: (err as Error).message, source });
      }
    }
    const result = await this.serialize(slot, () => slot.processor.processBatch(inputs)).catch((err) => {
      // The store did not take the batch (Redis down): the processor's memory is now ahead of
      // the store. Forget it; the retried batch reopens the partition from the store, which
      // skips what was applied and replays the rest.
      this.forget(slot);
      throw err;
    });
    this.options.onBatch?.(slot.processor);
    return { ...this.publishing([slot], new Map([[slot, result.alerts]])), dlq };
  }

  /** Releases the reorder buffers of partitions that have been quiet for `idleFlushMs`. */
  async tick(nowMs: number): Promise<StageResult> {
    const idleMs = this.options.idleFlushMs ?? 10_000;
    const quiet = [...this.slots.values()].filter(
      (s) => s.processor.buffered > 0 && nowMs - s.lastRecordAt >= idleMs,
    );
    return this.release(quiet, false);
  }

  /** End of a finite input: release every partition's reorder buffer. */
  async flush(): Promise<StageResult> {
    return this.release([...this.slots.values()], true);
  }

  private forget(slot: PartitionSlot): void {
    for (const [name, s] of this.slots) if (s === slot) this.slots.delete(name);
  }

  private async release(slots: PartitionSlot[], endOfInput: boolean): Promise<StageResult> {
    const fresh = new Map<PartitionSlot, AlertDocument[]>();
    for (const slot of slots) {
      const result = await this.serialize(slot, () => slot.processor.flush({ endOfInput })).catch((err) => {
        this.forget(slot);
        throw err;
      });
      fresh.set(slot, result.alerts);
    }
    const withUnacked = [...this.slots.values()].filter((s) => fresh.has(s) || s.unacked.length > 0);
    return { ...this.publishing(withUnacked, fresh), dlq: [] };
  }
}

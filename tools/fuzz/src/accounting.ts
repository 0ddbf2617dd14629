/**
 * Per-record accounting around a pipeline stage: for every record a stage consumes, what became
 * of it. A record is
 * - `dlq` when the stage dead-lettered it (a DLQ entry names its topic/partition/offset),
 * - `processed` when the stage handled it without a DLQ entry: ingest normalized it into at least
 *   one ECS event, or (auditd only) took its record into an audit event still being coalesced;
 *   the correlator handed it to the engine; the alerter decided it (published, deduplicated,
 *   suppressed or rate-capped — checked against the alerter's own counters by the runner),
 * - `lost` otherwise: consumed, no output, no DLQ entry. That is a silent drop.
 * The ingest stage is driven one record at a time so its outputs can be tied to their record.
 */
import type { BusBatch, DlqItem, OutgoingRecord, Stage, StageResult } from '@sequent/pipeline';

export interface StageCounts {
  consumed: number;
  processed: number;
  dlq: number;
  lost: number;
  /** Records produced to the next topic. */
  outputs: number;
  /** DLQ entries with no source record (an audit event ended at flush, a sink failure). */
  unsourcedDlq: number;
  /** Exceptions that escaped the stage. */
  crashes: number;
  /** Per-record outcome, by topic; records not sent by the fuzzer are under `<topic> (from upstream)`. */
  byTopic: Record<string, { processed: number; dlq: number; lost: number }>;
  /** Silently dropped records (first few, for the report). */
  lostSamples: string[];
  /** DLQ reasons and their counts. */
  reasons: Record<string, number>;
}

export function emptyCounts(): StageCounts {
  return {
    consumed: 0,
    processed: 0,
    dlq: 0,
    lost: 0,
    outputs: 0,
    unsourcedDlq: 0,
    crashes: 0,
    byTopic: {},
    lostSamples: [],
    reasons: {},
  };
}

/** Header on the records the fuzzer sends, so a stage's counts tell them from upstream records. */
export const FED_HEADER = 'sequent-fuzz-fed';

const sourceKey = (topic: string, partition: number, offset: string) => `${topic}/${partition}/${offset}`;

export class AccountingStage implements Stage {
  readonly counts = emptyCounts();

  constructor(
    private readonly inner: Stage,
    /** Topics whose records may be absorbed without an immediate output (auditd coalescing). */
    private readonly absorbing: ReadonlySet<string> = new Set(),
  ) {}

  get name() {
    return this.inner.name;
  }

  onAssign = (topic: string, partition: number) =>
    this.inner.onAssign?.(topic, partition) ?? Promise.resolve();
  onRevoke = (topic: string, partition: number) =>
    this.inner.onRevoke?.(topic, partition) ?? Promise.resolve();

  async handleBatch(batch: BusBatch): Promise<StageResult> {
    this.counts.consumed += batch.records.length;
    try {
      if (this.inner.name !== 'ingest')
        return this.account(batch, await this.inner.handleBatch(batch), false);
      // Ingest: one record at a time, so every output is tied to the record that made it.
      const merged: StageResult = { outputs: [], dlq: [] };
      for (const record of batch.records) {
        const one = await this.inner.handleBatch({ ...batch, records: [record] });
        this.account({ ...batch, records: [record] }, one, true);
        merged.outputs.push(...one.outputs);
        merged.dlq.push(...one.dlq);
      }
      return merged;
    } catch (err) {
      this.counts.crashes++;
      throw err;
    }
  }

  async flush(): Promise<StageResult> {
    if (!this.inner.flush) return { outputs: [], dlq: [] };
    const result = await this.inner.flush();
    this.countOutputs(result);
    this.countDlq(result.dlq);
    this.counts.unsourcedDlq += result.dlq.length;
    return result;
  }

  private countOutputs(result: StageResult): number {
    const n = result.outputs.reduce((s, o) => s + o.records.length, 0);
    this.counts.outputs += n;
    return n;
  }

  private countDlq(items: DlqItem[]): void {
    for (const item of items) this.counts.reasons[item.reason] = (this.counts.reasons[item.reason] ?? 0) + 1;
  }

  private account(batch: BusBatch, result: StageResult, perRecord: boolean): StageResult {
    const outputs = this.countOutputs(result);
    this.countDlq(result.dlq);
    const dead = new Set<string>();
    for (const item of result.dlq) {
      if (item.source) dead.add(sourceKey(item.source.topic, item.source.partition, item.source.offset));
      else this.counts.unsourcedDlq++;
    }
    for (const record of batch.records) {
      const from = record.headers[FED_HEADER] ? record.topic : `${record.topic} (from upstream)`;
      const t = (this.counts.byTopic[from] ??= { processed: 0, dlq: 0, lost: 0 });
      if (dead.has(sourceKey(record.topic, record.partition, record.offset))) {
        this.counts.dlq++;
        t.dlq++;
      } else if (!perRecord || outputs > 0 || this.absorbing.has(record.topic)) {
        this.counts.processed++;
        t.processed++;
      } else {
        this.counts.lost++;
        t.lost++;
        if (this.counts.lostSamples.length < 5)
          this.counts.lostSamples.push(JSON.stringify(record.value.toString('utf8').slice(0, 120)));
      }
    }
    return result;
  }
}

export type { OutgoingRecord };

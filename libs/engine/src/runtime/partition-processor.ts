/**
 * One partition's stream through the engine, batch by batch, following the delivery protocol
 * of DESIGN.md: evaluate the batch, then write its state changes together with the batch's
 * last offset and its alerts (an outbox) in one atomic store commit. The caller then produces
 * the returned alerts, calls `ackAlerts`, and commits its consumer offsets. On open, the
 * partition's state is loaded, records at or below the applied offset are skipped, and
 * `pendingAlerts` lists alerts committed but maybe never produced (produce them again: ids
 * are deterministic, the alerter dedupes).
 */
import type { AlertDocument } from '../alerts/alert-document';
import { ReorderBuffer, type ReleasedEvent, type ReorderOptions } from '../ordering/reorder-buffer';
import type { StateStore } from '../state/state-store';
import type { DetectionEngine } from './detection-engine';
import { evaluatedEvent, type EvaluatedEvent } from './evaluated-event';
import { PartitionState } from './partition-state';
import type { RuleRuntime } from './rule-runtime';

export interface ProcessorOptions extends Partial<ReorderOptions> {
  /** The partition's name in the store (e.g. `ecs.events:3`). */
  partition: string;
  /** Backfill: events older than this (epoch ms) only teach new_terms their history and never
   * alert, so a correlator can first replay a past window (e.g. the rules' history windows). */
  learnBefore?: number;
}

export interface InputRecord {
  event: unknown;
  /** The record's position in its partition (Kafka offset). */
  offset?: string | number | bigint;
}

export interface ProcessorStats {
  received: number;
  evaluated: number;
  skippedApplied: number;
  late: number;
  forced: number;
  untimed: number;
  alerts: number;
  evictions: number;
  commits: number;
}

export interface BatchResult {
  alerts: AlertDocument[];
  /** Events evaluated in this batch. */
  evaluated: number;
  /** Records skipped because their offset was already applied. */
  skipped: number;
}

export const DEFAULT_REORDER: ReorderOptions = {
  allowedLatenessMs: 5_000,
  maxBuffered: 50_000,
};

function toBigInt(o: string | number | bigint | undefined): bigint | null {
  if (o === undefined) return null;
  try {
    return BigInt(o);
  } catch {
    return null;
  }
}

export class PartitionProcessor {
  readonly partition: string;
  private readonly buffer: ReorderBuffer;
  private readonly state: PartitionState;
  private applied: bigint | null = null;
  private readonly learnBefore: number;
  /** Alerts committed before this processor opened and not acknowledged as produced. */
  pendingAlerts: AlertDocument[] = [];
  private counters = { received: 0, evaluated: 0, skippedApplied: 0, alerts: 0, commits: 0 };

  private constructor(
    private readonly engine: DetectionEngine,
    private readonly store: StateStore,
    options: ProcessorOptions,
  ) {
    this.partition = options.partition;
    this.learnBefore = options.learnBefore ?? Number.NEGATIVE_INFINITY;
    this.buffer = new ReorderBuffer({ ...DEFAULT_REORDER, ...options });
    this.state = new PartitionState(engine.runtimes, engine.maxKeysPerRule);
  }

  /** Loads the partition's state from the store. */
  static async open(
    engine: DetectionEngine,
    store: StateStore,
    options: ProcessorOptions,
  ): Promise<PartitionProcessor> {
    const p = new PartitionProcessor(engine, store, options);
    const snapshot = await store.loadPartition(options.partition);
    p.applied = toBigInt(snapshot.offset ?? undefined);
    p.buffer.restore({ ...snapshot.clock, events: snapshot.buffered });
    p.state.load(snapshot);
    p.pendingAlerts = snapshot.pendingAlerts;
    return p;
  }

  /** The last offset whose effects are in the store (null before the first). */
  get appliedOffset(): string | null {
    return this.applied === null ? null : this.applied.toString();
  }

  get watermark(): number | null {
    return this.buffer.watermark;
  }

  get newestEventTime(): number | null {
    return this.buffer.newestEventTime;
  }

  get buffered(): number {
    return this.buffer.size;
  }

  stats(): ProcessorStats {
    return {
      ...this.counters,
      late: this.buffer.stats.late,
      forced: this.buffer.stats.forced,
      untimed: this.buffer.stats.untimed,
      evictions: this.state.evictions,
    };
  }

  stateSizes(): { sequences: number; thresholds: number; buffered: number } {
    return { ...this.state.sizes(), buffered: this.buffer.size };
  }

  /**
   * Takes a batch of records: buffers them, evaluates what the watermark releases, commits.
   * With `learnOnly` (backfill), only new_terms history is learned and nothing alerts.
   */
  async processBatch(
    records: readonly InputRecord[],
    options: { learnOnly?: boolean } = {},
  ): Promise<BatchResult> {
    let last: bigint | null = null;
    let skipped = 0;
    for (const r of records) {
      const offset = toBigInt(r.offset);
      if (offset !== null && this.applied !== null && offset <= this.applied) {
        skipped++;
        continue;
      }
      if (offset !== null && (last === null || offset > last)) last = offset;
      this.counters.received++;
      this.state.bufferPushed(this.buffer.push(r.event));
    }
    this.counters.skippedApplied += skipped;
    const result = await this.evaluateReleased(this.buffer.drain(), last, options.learnOnly === true);
    return { ...result, skipped };
  }

  /** Releases and evaluates every buffered event (end of input, or before handing the
   * partition over when no durable store keeps the buffer). */
  async flush(options: { learnOnly?: boolean; endOfInput?: boolean } = {}): Promise<BatchResult> {
    const result = await this.evaluateReleased(
      this.buffer.flush(),
      null,
      options.learnOnly === true,
      options.endOfInput === true,
    );
    return { ...result, skipped: 0 };
  }

  /** The alerts of committed batches have been produced: clear the outbox. */
  async ackAlerts(): Promise<void> {
    this.pendingAlerts = [];
    await this.store.ackAlerts(this.partition);
  }

  /** Picks every event's candidates, reads the batch's new_terms history, then evaluates. */
  private async evaluateWithTerms(
    released: ReleasedEvent[],
    alerts: AlertDocument[],
    learnOnly: boolean,
  ): Promise<void> {
    const batch: Array<{ e: EvaluatedEvent; candidates: readonly RuleRuntime[] }> = [];
    const termKeys = new Set<string>();
    for (const r of released) {
      this.state.bufferReleased(r.seq);
      const e = evaluatedEvent(r.event, r.time);
      const candidates = this.engine.candidates(e.event, e.index);
      // Gated sequence rules may want events no index entry selects (see DetectionEngine).
      if (candidates.length === 0 && !this.engine.hasGatedRules) continue;
      batch.push({ e, candidates });
      if (candidates.length > 0) this.engine.termKeys(e, candidates, termKeys);
    }
    if (termKeys.size > 0) this.state.terms = await this.store.getTerms([...termKeys]);
    for (const { e, candidates } of batch)
      this.engine.evaluate(e, candidates, this.state, alerts, learnOnly || e.time < this.learnBefore);
  }

  private async evaluateReleased(
    released: ReleasedEvent[],
    offset: bigint | null,
    learnOnly: boolean,
    endOfInput = false,
  ): Promise<Omit<BatchResult, 'skipped'>> {
    const alerts: AlertDocument[] = [];
    // new_terms rules read their history from the store before the batch is evaluated, so
    // their candidates are picked up front; otherwise each event's are picked as it is
    // evaluated, where the index and the rules share the event's field reads.
    if (this.engine.hasNewTermsRules) await this.evaluateWithTerms(released, alerts, learnOnly);
    else
      for (const r of released) {
        this.state.bufferReleased(r.seq);
        const e = evaluatedEvent(r.event, r.time);
        this.engine.evaluate(e, null, this.state, alerts, learnOnly || e.time < this.learnBefore);
      }
    this.counters.evaluated += released.length;
    const clock = this.buffer.clock();
    if (clock.lastReleasedTime !== null) this.state.sweep(clock.lastReleasedTime);
    if (!learnOnly) this.engine.advanceTime(clock.lastReleasedTime, this.state, alerts, endOfInput);
    const changes = this.state.takeChanges(offset !== null ? offset.toString() : this.appliedOffset, clock);
    changes.alerts = alerts;
    await this.store.commit(this.partition, changes);
    if (offset !== null) this.applied = offset;
    this.counters.commits++;
    this.counters.alerts += alerts.length;
    return { alerts, evaluated: released.length };
  }
}

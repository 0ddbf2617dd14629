/**
 * The working state of one partition: per rule, the pending sequences (by join key) and the
 * threshold groups, each bounded (least recently written evicted, counted), plus the
 * new_terms records the current batch read from the store. Every write is recorded, so a
 * batch ends with exactly the changes the durable store must apply.
 */
import type { BufferedEvent } from '../ordering/reorder-buffer';
import { BoundedMap } from '../state/bounded-map';
import {
  splitStateKey,
  stateKey,
  type PartitionClock,
  type PartitionSnapshot,
  type StateChanges,
  type TermRecord,
  type ThresholdGroupState,
} from '../state/state-store';
import { insertInRuleOrder, type RuleRuntime } from './rule-runtime';
import type { SequenceRuleState } from './sequence-runner';
import { TrackedSequenceState } from './tracked-sequence-state';

function emptyChanges(): StateChanges {
  return {
    offset: null,
    clock: { maxEventTime: null, lastReleasedTime: null, nextSeq: 0 },
    bufferAdded: [],
    bufferRemoved: [],
    sequences: new Map(),
    thresholds: new Map(),
    terms: new Map(),
    alerts: [],
    ttlMs: { sequences: new Map(), thresholds: new Map(), terms: new Map() },
  };
}

const ANY_CATEGORY: readonly string[] = ['*'];

export class PartitionState {
  /** The sequence rules, and their states by rule ordinal (the engine's per-event lookup). */
  private readonly sequenceRules: RuleRuntime[] = [];
  private readonly sequenceByOrdinal: TrackedSequenceState[] = [];
  private readonly thresholdMaps = new Map<RuleRuntime, BoundedMap<ThresholdGroupState>>();
  /** new_terms records known in this batch (read from the store, then updated). */
  terms = new Map<string, TermRecord>();
  private changes = emptyChanges();
  /** Buffered events added in this batch and not yet released, by seq. */
  private bufferAdded = new Map<number, BufferedEvent>();
  private bufferRemoved: number[] = [];
  /** The sequence rules whose states were handed out for change since the last `takeChanges`. */
  private dirtySequences: RuleRuntime[] = [];
  private readonly dirtyMark: Uint8Array;
  private thresholdEvictions = 0;

  constructor(
    private readonly runtimes: readonly RuleRuntime[],
    maxKeysPerRule: number,
  ) {
    this.dirtyMark = new Uint8Array(runtimes.reduce((n, rt) => Math.max(n, rt.ordinal + 1), 0));
    for (const rt of runtimes) {
      if (rt.kind === 'sequence') {
        this.sequenceRules.push(rt);
        this.sequenceByOrdinal[rt.ordinal] = new TrackedSequenceState(rt.sequence!.createState());
      } else if (rt.kind === 'threshold') {
        this.thresholdMaps.set(
          rt,
          new BoundedMap<ThresholdGroupState>(maxKeysPerRule, (k) => {
            this.thresholdEvictions++;
            this.changes.thresholds.set(stateKey(rt.ruleKey, k), null);
          }),
        );
      }
    }
  }

  /** Restores the partition from its snapshot; state of rules no longer loaded (or changed)
   * is dropped, and the drop is part of the next commit. */
  load(snapshot: PartitionSnapshot): void {
    const byKey = new Map<string, RuleRuntime>();
    for (const rt of this.runtimes) byKey.set(rt.ruleKey, rt);
    const sequenceEntries = new Map<RuleRuntime, Array<[string, unknown]>>();
    for (const [full, value] of snapshot.sequences) {
      const [ruleKey, key] = splitStateKey(full);
      const rt = byKey.get(ruleKey);
      if (rt && rt.kind === 'sequence') {
        const list = sequenceEntries.get(rt) ?? [];
        list.push([key, value]);
        sequenceEntries.set(rt, list);
      } else this.changes.sequences.set(full, null);
    }
    for (const [rt, entries] of sequenceEntries) {
      this.sequenceByOrdinal[rt.ordinal] = TrackedSequenceState.fromEntries(
        rt.sequence!.createState(),
        entries,
      );
      if (rt.gated) this.updateGated(rt);
    }
    for (const [full, value] of snapshot.thresholds) {
      const [ruleKey, key] = splitStateKey(full);
      const rt = byKey.get(ruleKey);
      const map = rt && this.thresholdMaps.get(rt);
      if (map) map.set(key, value);
      else this.changes.thresholds.set(full, null);
    }
  }

  /** The rule's sequence state, for reading and changing: the change is recorded. */
  sequenceState(rt: RuleRuntime): SequenceRuleState {
    if (this.dirtyMark[rt.ordinal] === 0) {
      this.dirtyMark[rt.ordinal] = 1;
      this.dirtySequences.push(rt);
    }
    return this.sequenceByOrdinal[rt.ordinal].state;
  }

  /** Gated sequence rules (filed by their starting stages) whose pending state lets a later
   * stage act: the engine tries them on every event of those stages' categories. */
  readonly activeGated = new Set<RuleRuntime>();
  /** The same rules by category of the stages that can act (`*`: any category). */
  readonly activeGatedByCategory = new Map<string, RuleRuntime[]>();
  /** Per gated rule (by ordinal): the bits of the categories it is listed under. */
  private readonly gatedBits: number[] = [];

  /** Lists the gated rule under the categories of the stages its state lets act now (after
   * the matcher ran: a partial opened, advanced, completed or expired). */
  updateGated(rt: RuleRuntime): void {
    const tracked = this.sequenceByOrdinal[rt.ordinal];
    const runner = rt.sequence!;
    // A rule whose stages name no category read from event.category (any, or Kibana's
    // category override): every event, while it has pending state.
    const byStage = rt.categories.length > 0;
    const bits = tracked.keyCount === 0 ? 0 : byStage ? runner.liveCategoryBits(tracked.state) : 1;
    const before = this.gatedBits[rt.ordinal] ?? 0;
    if (bits === before) return;
    this.gatedBits[rt.ordinal] = bits;
    if (bits !== 0) this.activeGated.add(rt);
    else this.activeGated.delete(rt);
    const names = byStage ? runner.categories : ANY_CATEGORY;
    for (let i = 0; i < names.length; i++) {
      const bit = 1 << i;
      if ((bits & bit) !== 0 && (before & bit) === 0) {
        let list = this.activeGatedByCategory.get(names[i]);
        if (!list) this.activeGatedByCategory.set(names[i], (list = []));
        // Kept in rule order (the engine merges them into an event's candidates).
        insertInRuleOrder(list, rt);
      } else if ((bits & bit) === 0 && (before & bit) !== 0) {
        const list = this.activeGatedByCategory.get(names[i]);
        const at = list ? list.indexOf(rt) : -1;
        if (at >= 0) list!.splice(at, 1);
      }
    }
  }

  /** Rules with pending sequence state, with when they were last swept. */
  pendingSequences(): Array<[RuleRuntime, TrackedSequenceState]> {
    const out: Array<[RuleRuntime, TrackedSequenceState]> = [];
    for (const rt of this.sequenceRules) {
      const st = this.sequenceByOrdinal[rt.ordinal];
      if (st.keyCount > 0) out.push([rt, st]);
    }
    return out;
  }

  threshold(rt: RuleRuntime, key: string): ThresholdGroupState | undefined {
    return this.thresholdMaps.get(rt)!.get(key);
  }

  setThreshold(rt: RuleRuntime, key: string, value: ThresholdGroupState): void {
    this.thresholdMaps.get(rt)!.set(key, value);
    this.changes.thresholds.set(stateKey(rt.ruleKey, key), value);
    this.changes.ttlMs.thresholds.set(rt.ruleKey, rt.retentionMs);
  }

  setTerm(rt: RuleRuntime, key: string, record: TermRecord): void {
    this.terms.set(key, record);
    this.changes.terms.set(key, record);
    this.changes.ttlMs.terms.set(rt.ruleKey, rt.retentionMs);
  }

  bufferPushed(e: BufferedEvent): void {
    this.bufferAdded.set(e.seq, e);
  }

  bufferReleased(seq: number): void {
    if (!this.bufferAdded.delete(seq)) this.bufferRemoved.push(seq);
  }

  /** Drops threshold windows closed at event time `now` (sequences expire in their matcher). */
  sweep(now: number): void {
    for (const [rt, map] of this.thresholdMaps) {
      const windowMs = rt.retentionMs;
      for (const k of map.sweep((v) => v.windowStart + windowMs <= now))
        this.changes.thresholds.set(stateKey(rt.ruleKey, k), null);
    }
  }

  /** The batch's changes (and a fresh accumulator for the next batch). */
  takeChanges(offset: string | null, clock: PartitionClock): StateChanges {
    const c = this.changes;
    for (const rt of this.dirtySequences) {
      this.dirtyMark[rt.ordinal] = 0;
      for (const [sub, value] of this.sequenceByOrdinal[rt.ordinal].takeChanges())
        c.sequences.set(stateKey(rt.ruleKey, sub), value);
      c.ttlMs.sequences.set(rt.ruleKey, rt.retentionMs);
    }
    this.dirtySequences = [];
    c.offset = offset;
    c.clock = clock;
    c.bufferAdded = [...this.bufferAdded.values()];
    c.bufferRemoved = this.bufferRemoved;
    this.changes = emptyChanges();
    this.bufferAdded = new Map();
    this.bufferRemoved = [];
    this.terms = new Map();
    return c;
  }

  /** Evicted keys: sequence join keys (counted by the matcher) and threshold groups. */
  get evictions(): number {
    let n = this.thresholdEvictions;
    for (const rt of this.sequenceRules) n += this.sequenceByOrdinal[rt.ordinal].state.stats.evictedKeys;
    return n;
  }

  sizes(): { sequences: number; thresholds: number } {
    let sequences = 0;
    let thresholds = 0;
    for (const rt of this.sequenceRules) sequences += this.sequenceByOrdinal[rt.ordinal].keyCount;
    for (const m of this.thresholdMaps.values()) thresholds += m.size;
    return { sequences, thresholds };
  }
}

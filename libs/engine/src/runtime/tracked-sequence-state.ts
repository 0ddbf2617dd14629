/**
 * A sequence rule's matcher state (one JSON value, see ../eql) made persistable key by key:
 * the matcher records in `state.changed` every join key it creates, changes in place or
 * deletes, so a batch writes only the join keys it touched (plus the small scalar part),
 * never the whole state. Sub-keys in the store: `m` for the scalar part, `k<join key>` for
 * one join key.
 */
import type { SequenceRuleState } from './sequence-runner';

type KeyRecord = Record<string, unknown>;

export const SEQUENCE_META = 'm';
export const SEQUENCE_KEY_PREFIX = 'k';

export class TrackedSequenceState {
  readonly state: SequenceRuleState;
  private readonly touched = new Set<string>();
  /** Event time of the last expiry sweep. */
  lastAdvance = Number.NEGATIVE_INFINITY;

  constructor(base: SequenceRuleState) {
    this.state = base;
    this.state.changed = this.touched;
  }

  /** Rebuilds from stored sub-keys (`m`, `k...`); `fresh` gives an empty state. */
  static fromEntries(
    fresh: SequenceRuleState,
    entries: ReadonlyArray<[string, unknown]>,
  ): TrackedSequenceState {
    let meta: Partial<SequenceRuleState> = {};
    const keys: KeyRecord = {};
    for (const [sub, value] of entries) {
      if (sub === SEQUENCE_META) meta = value as Partial<SequenceRuleState>;
      else if (sub.startsWith(SEQUENCE_KEY_PREFIX)) keys[sub.slice(SEQUENCE_KEY_PREFIX.length)] = value;
    }
    const state: SequenceRuleState = {
      ...fresh,
      ...meta,
      keys: keys as SequenceRuleState['keys'],
      keyCount: Object.keys(keys).length,
      // Unknown until the first sweep walks the restored keys.
      sweepAt: undefined,
    };
    const tracked = new TrackedSequenceState(state);
    tracked.storedEmpty = entries.length === 0;
    return tracked;
  }

  get keyCount(): number {
    return this.state.keyCount;
  }

  /** The sub-keys changed since the last call (`null` = deleted). */
  takeChanges(): Array<[string, unknown]> {
    const out: Array<[string, unknown]> = [];
    const keys = this.state.keys as KeyRecord;
    for (const k of this.touched) {
      const v = Object.prototype.hasOwnProperty.call(keys, k) ? keys[k] : null;
      out.push([SEQUENCE_KEY_PREFIX + k, v]);
    }
    // The scalar part (counters, ordinals) only needs writing along with key changes; an
    // empty rule writes its deletion once, not on every batch that merely looked at it.
    const empty = this.state.keyCount === 0;
    if (this.touched.size > 0 || empty !== this.storedEmpty) {
      if (empty) out.push([SEQUENCE_META, null]);
      else {
        const { keys: _keys, changed: _changed, sweepAt: _sweepAt, ...meta } = this.state;
        out.push([SEQUENCE_META, meta]);
      }
      this.storedEmpty = empty;
    }
    this.touched.clear();
    return out;
  }

  /** Whether the store holds no scalar part for this rule (as far as this process knows). */
  private storedEmpty = true;
}

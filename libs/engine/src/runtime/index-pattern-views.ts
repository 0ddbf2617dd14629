/**
 * The rule index's view for an event's guard mask narrowed to the rules whose index patterns
 * accept the event's index: one per guard mask and index name (a stream has few of each).
 * The view leaves out the rules of other data streams, so their fields are not read and no
 * candidate needs its index pattern checked afterwards.
 */
import type { RuleRuntime } from './rule-runtime';

/** Index names kept per guard mask; past it (hostile `_index` values) the caller checks
 * index patterns per candidate, as without this cache. */
const MAX_INDEXES_PER_MASK = 32;

export class IndexPatternViews<View> {
  /** Per guard mask and index name: the view (null: the rule index gave none). */
  private readonly byMask = new WeakMap<Uint8Array, Map<string | null, View | null>>();

  constructor(
    private readonly runtimes: readonly RuleRuntime[],
    private readonly accepts: (rt: RuleRuntime, index: string | null) => boolean,
    private readonly viewOf: (allowed: Uint8Array) => View | undefined,
  ) {}

  /** The view of `mask` without the rules whose index patterns reject `index`; undefined
   * past the bounds (here, or the rule index's). */
  viewFor(mask: Uint8Array, index: string | null): View | undefined {
    let byIndex = this.byMask.get(mask);
    if (byIndex === undefined) this.byMask.set(mask, (byIndex = new Map()));
    let view = byIndex.get(index);
    if (view === undefined) {
      if (byIndex.size >= MAX_INDEXES_PER_MASK) return undefined;
      const narrowed = mask.slice();
      for (const rt of this.runtimes)
        if (narrowed[rt.ordinal] === 1 && !this.accepts(rt, index)) narrowed[rt.ordinal] = 0;
      view = this.viewOf(narrowed) ?? null;
      byIndex.set(index, view);
    }
    return view ?? undefined;
  }
}

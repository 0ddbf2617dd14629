/**
 * Guard masks narrowed to the rules whose index patterns accept an event's index: one per
 * guard mask and index name (a stream has few of each). The rule index's view for the
 * narrowed mask leaves out the rules of other data streams, so their fields are not read and
 * no candidate needs its index pattern checked afterwards.
 */
import type { RuleRuntime } from './rule-runtime';

/** Index names kept per guard mask; past it (hostile `_index` values) the caller checks
 * index patterns per candidate, as without this cache. */
const MAX_INDEXES_PER_MASK = 32;

export class IndexPatternMasks {
  private readonly byMask = new WeakMap<Uint8Array, Map<string | null, Uint8Array>>();
  /** The last answer: consecutive events mostly share mask and index. */
  private lastMask: Uint8Array | null = null;
  private lastIndex: string | null = null;
  private lastNarrowed: Uint8Array | null = null;

  constructor(
    private readonly runtimes: readonly RuleRuntime[],
    private readonly accepts: (rt: RuleRuntime, index: string | null) => boolean,
  ) {}

  /** `mask` without the rules whose index patterns reject `index`; undefined past the bound. */
  narrow(mask: Uint8Array, index: string | null): Uint8Array | undefined {
    if (mask === this.lastMask && index === this.lastIndex) return this.lastNarrowed!;
    let byIndex = this.byMask.get(mask);
    if (byIndex === undefined) this.byMask.set(mask, (byIndex = new Map()));
    let narrowed = byIndex.get(index);
    if (narrowed === undefined) {
      if (byIndex.size >= MAX_INDEXES_PER_MASK) return undefined;
      narrowed = mask.slice();
      for (const rt of this.runtimes)
        if (narrowed[rt.ordinal] === 1 && !this.accepts(rt, index)) narrowed[rt.ordinal] = 0;
      byIndex.set(index, narrowed);
    }
    this.lastMask = mask;
    this.lastIndex = index;
    this.lastNarrowed = narrowed;
    return narrowed;
  }
}

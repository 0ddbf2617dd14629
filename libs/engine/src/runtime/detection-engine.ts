/**
 * The rule runtime: every loaded rule, indexed by its pre-filter hints, evaluated on events
 * released in event-time order. Stateless itself; the state it reads and writes belongs to
 * the partition (`PartitionState`), so one engine serves every partition of a pod, the
 * embedded wiring and `sequent hunt` alike.
 *
 * Per event: the guards' mask, narrowed to the rules whose index patterns accept the event's
 * index (once per mask and index name) → the rules of that view that can match (category /
 * literal index), plus gated sequences waiting for the event's category → by kind: filter
 * rules (KQL queries, EQL event queries) alert on a match; sequences advance the matcher;
 * new_terms compare the event's terms with the history window; threshold rules count the
 * event into its groups' windows. Alerts pass the rule's exceptions (already folded into the
 * rule's filters by @sequent/rules; checked again on the alert's source document, which is
 * what Kibana does).
 */
import { setField, type Doc } from '@sequent/ecs';
import { compileEqlFieldGetter, enterEventScope, leaveEventScope, type CompiledRule } from '@sequent/rules';
import { buildAlert, type AlertDocument } from '../alerts/alert-document';
import { stateKey, type EventRef } from '../state/state-store';
import { refOf, type EvaluatedEvent } from './evaluated-event';
import { GuardTable, guardOf } from './guards';
import { IndexPatternViews } from './index-pattern-views';
import { eventTerms, isNewTerm, recordTerm } from './new-terms';
import type { PartitionState } from './partition-state';
import { RuleIndex, type IndexView } from './rule-index';
import {
  buildRuntime,
  insertInRuleOrder,
  isSkipped,
  type RuleRuntime,
  type RuntimeBuildOptions,
  type SkippedRule,
} from './rule-runtime';
import { countThreshold, thresholdGroups } from './threshold';

export interface DetectionEngineOptions extends RuntimeBuildOptions {
  /** Most keys (join keys, threshold groups) of one rule held per partition. */
  maxKeysPerRule?: number;
  /** Alert time (epoch ms); the wall clock by default. */
  now?: () => number;
  /** Measure evaluation time per rule (costs a clock read per evaluation). */
  profile?: boolean;
  /** File rules by literal values of their queries (default true; false: categories only,
   * which tests use as the reference the index must agree with). */
  literalHints?: boolean;
  /** Drop candidates whose guards (event.type, event.action, ... requirements) the event
   * fails before evaluating them (default true; false: the reference tests compare with). */
  guards?: boolean;
  /** Told when a rule throws on an event (the engine counts it and carries on). */
  onRuleError?: (rule: RuleRuntime, error: unknown) => void;
}

const INDEX_CACHE_LIMIT = 4096;

const readCategory = compileEqlFieldGetter('event.category');

// Bound once: called through the package's re-exports, each call per event went through two
// export getters that V8 would not inline.
const enterScope = enterEventScope;
const leaveScope = leaveEventScope;

export class DetectionEngine {
  readonly runtimes: RuleRuntime[] = [];
  readonly skipped: SkippedRule[] = [];
  readonly maxKeysPerRule: number;
  private readonly index: RuleIndex;
  private readonly guards: GuardTable;
  private readonly views: IndexPatternViews<IndexView>;
  private readonly now: () => number;
  private readonly profile: boolean;

  /** Marks for de-duplication in activeGatedFor. */
  private gatedEpoch = -1e15;
  /** Rule evaluations that threw (each counted on its rule too). */
  errors = 0;
  private readonly onRuleError?: (rule: RuleRuntime, error: unknown) => void;
  /** Whether some sequence rule is filed by its starting stages only. */
  readonly hasGatedRules: boolean;
  /** Whether some rule is a new_terms rule (its history is read from the store per batch). */
  readonly hasNewTermsRules: boolean;

  constructor(rules: readonly CompiledRule[], options: DetectionEngineOptions = {}) {
    rules.forEach((rule, i) => {
      const rt = buildRuntime(rule, i, options);
      if (isSkipped(rt)) this.skipped.push(rt);
      else this.runtimes.push(rt);
    });
    this.index =
      options.literalHints === false
        ? new RuleIndex(this.runtimes, () => undefined)
        : new RuleIndex(this.runtimes);
    this.hasGatedRules = this.runtimes.some((rt) => rt.gated);
    this.hasNewTermsRules = this.runtimes.some((rt) => rt.kind === 'new_terms');
    const guards = new Array<ReturnType<typeof guardOf> | undefined>(rules.length);
    if (options.guards !== false) for (const rt of this.runtimes) guards[rt.ordinal] = guardOf(rt.rule);
    this.guards = new GuardTable(guards);
    this.views = new IndexPatternViews(
      this.runtimes,
      (rt, index) => this.matchesIndex(rt, index),
      (allowed) => this.index.viewFor(allowed),
    );
    this.maxKeysPerRule = options.maxKeysPerRule ?? 100_000;
    this.now = options.now ?? Date.now;
    this.profile = options.profile === true;
    this.onRuleError = options.onRuleError;
  }

  /**
   * Per-rule counters, the `n` most expensive first (evaluation time when profiling, else
   * evaluations): bounded metric labels for "rule evaluation time, top-N rules only".
   */
  topRules(
    n = 10,
  ): Array<{ rule_id: string; name: string; evaluations: number; alerts: number; timeMs: number }> {
    const key = (rt: RuleRuntime) => (this.profile ? rt.stats.timeMs : rt.stats.evaluations);
    return [...this.runtimes]
      .sort((a, b) => key(b) - key(a))
      .slice(0, n)
      .map((rt) => ({ rule_id: rt.meta.rule_id, name: rt.meta.name, ...rt.stats }));
  }

  /**
   * The rules worth trying on this event (pre-filter, guards and index patterns). The guards
   * go first: the event's mask (one cached lookup) selects the index's view of only the rules
   * it lets through, so the index reads only the fields those rules are filed by and merges
   * only their lists; a process end event, which no exec rule can use, reads next to nothing.
   */
  candidates(event: unknown, index: string | null): readonly RuleRuntime[] {
    return this.candidatesWithMask(event, index, this.maskOf(event));
  }

  /** The guard mask of the event (null: no rule has a guard). */
  private maskOf(event: unknown): Uint8Array | null {
    return this.guards.active ? this.guards.maskFor(event) : null;
  }

  private candidatesWithMask(
    event: unknown,
    index: string | null,
    mask: Uint8Array | null,
  ): readonly RuleRuntime[] {
    // The view of the guard mask narrowed to the rules reading this index: it lets through
    // exactly the usable rules, so its candidates need no further check.
    const view = mask === null ? undefined : this.views.viewFor(mask, index);
    const all = this.index.candidates(event, view);
    if (all.length === 0 || view !== undefined) return all;
    return this.keepUsable(all, mask, index);
  }

  /** The rules of `all` that pass the mask (null: all do) and match the index pattern. */
  private keepUsable(
    all: readonly RuleRuntime[],
    mask: Uint8Array | null,
    index: string | null,
  ): readonly RuleRuntime[] {
    // When every candidate passes: no new array.
    let i = 0;
    while (i < all.length && this.keeps(all[i], mask, index)) i++;
    if (i === all.length) return all;
    const out = all.slice(0, i);
    for (i++; i < all.length; i++) if (this.keeps(all[i], mask, index)) out.push(all[i]);
    return out;
  }

  private keeps(rt: RuleRuntime, mask: Uint8Array | null, index: string | null): boolean {
    return (mask === null || mask[rt.ordinal] === 1) && this.matchesIndex(rt, index);
  }

  private matchesIndex(rt: RuleRuntime, index: string | null): boolean {
    if (rt.lastIndex === index) return rt.lastIndexOk;
    let ok = rt.indexCache.get(index);
    if (ok === undefined) {
      ok = rt.rule.matchesIndex(index);
      if (rt.indexCache.size >= INDEX_CACHE_LIMIT) rt.indexCache.clear();
      rt.indexCache.set(index, ok);
    }
    rt.lastIndex = index;
    rt.lastIndexOk = ok;
    return ok;
  }

  /** The new_terms term keys an event needs from the store, per candidate rule. */
  termKeys(e: EvaluatedEvent, candidates: readonly RuleRuntime[], out: Set<string>): void {
    enterScope();
    try {
      for (const rt of candidates) {
        if (rt.kind !== 'new_terms') continue;
        const found = this.termsOf(rt, e.event);
        (e.terms ??= new Map()).set(rt, found);
        for (const t of found) out.add(t.key);
      }
    } finally {
      leaveScope();
    }
  }

  /**
   * Evaluates one event against its candidate rules (null: picked here), writing state into
   * `state` and alerts into `alerts`. With `learnOnly`, only new_terms history is updated (backfill) and nothing
   * alerts.
   */
  evaluate(
    e: EvaluatedEvent,
    candidates: readonly RuleRuntime[] | null,
    state: PartitionState,
    alerts: AlertDocument[],
    learnOnly = false,
  ): void {
    // Field reads and tests shared by several rules (and by the index, when it picks the
    // candidates here: `candidates` null) run once for this event.
    enterScope();
    try {
      // One mask for the index and the active gated rules (when either needs it).
      const wantsGated = state.activeGated.size > 0 && !learnOnly;
      const mask = candidates === null || wantsGated ? this.maskOf(e.event) : null;
      const chosen = candidates ?? this.candidatesWithMask(e.event, e.index, mask);
      const gated = wantsGated ? this.activeGatedFor(e, chosen, state, mask) : 0;
      if (chosen.length === 0 && gated === 0) return;
      this.evaluateRules(chosen, this.gatedScratch, gated, e, state, alerts, learnOnly);
    } finally {
      leaveScope();
    }
  }

  /** Evaluates `rules` and the first `moreCount` of `more` (both in rule order, disjoint) in
   * rule order. `more` are gated sequence rules the index did not select for the event. */
  private evaluateRules(
    rules: readonly RuleRuntime[],
    more: readonly RuleRuntime[],
    moreCount: number,
    e: EvaluatedEvent,
    state: PartitionState,
    alerts: AlertDocument[],
    learnOnly: boolean,
  ): void {
    let i = 0;
    let j = 0;
    while (i < rules.length || j < moreCount) {
      const fromIndex = j === moreCount || (i < rules.length && rules[i].ordinal < more[j].ordinal);
      const rt = fromIndex ? rules[i++] : more[j++];
      if (learnOnly && rt.kind !== 'new_terms') continue;
      const t0 = this.profile ? performance.now() : 0;
      rt.stats.evaluations++;
      const before = alerts.length;
      try {
        this.evaluateRule(rt, e, state, alerts, learnOnly, !fromIndex);
      } catch (err) {
        // One rule failing on one event (an evaluator bug, a hostile value) must not stop the
        // partition: the event still reaches every other rule; the failure is counted.
        rt.stats.errors++;
        this.errors++;
        this.onRuleError?.(rt, err);
      }
      if (rt.kind !== 'sequence') rt.stats.alerts += alerts.length - before;
      if (this.profile) rt.stats.timeMs += performance.now() - t0;
    }
  }

  private evaluateRule(
    rt: RuleRuntime,
    e: EvaluatedEvent,
    state: PartitionState,
    alerts: AlertDocument[],
    learnOnly: boolean,
    laterStagesOnly: boolean,
  ): void {
    {
      switch (rt.kind) {
        case 'filter':
          if (rt.condition!(e.event)) this.emitOne(rt, rt.filterAlertKind!, e, alerts);
          break;
        case 'sequence': {
          const runner = rt.sequence!;
          // A gated rule the index did not select: its starting stages cannot match the event.
          for (const events of runner.onEvent(state.sequenceState(rt), e, laterStagesOnly)) {
            // The matcher may also settle older sequences here (its periodic sweep): only a
            // sequence this event completed carries this event's fields (and has its ref).
            const byThis = e.ref !== null && events[events.length - 1] === e.ref;
            this.emitSequence(rt, events, byThis ? e.event : undefined, alerts);
          }
          if (rt.gated) state.updateGated(rt);
          break;
        }
        case 'new_terms':
          this.evaluateNewTerms(rt, e, state, alerts, learnOnly);
          break;
        case 'threshold':
          this.evaluateThreshold(rt, e, state, alerts);
          break;
      }
    }
  }

  /** The active gated rules of the event being evaluated, in rule order: the first
   * `activeGatedFor` entries (one array reused from event to event). */
  private readonly gatedScratch: RuleRuntime[] = [];
  private gatedCount = 0;

  /** Puts the gated sequence rules not among `candidates` that have pending state in this
   * partition and can use the event (category, guards, index pattern) in `gatedScratch`, in
   * rule order, and returns how many. */
  private activeGatedFor(
    e: EvaluatedEvent,
    candidates: readonly RuleRuntime[],
    state: PartitionState,
    mask: Uint8Array | null,
  ): number {
    this.gatedCount = 0;
    const epoch = ++this.gatedEpoch;
    // (index loops: this runs per event, and for-of here allocated an iterator result per rule)
    for (let i = 0; i < candidates.length; i++) if (candidates[i].gated) candidates[i].mark = epoch;
    const byCategory = state.activeGatedByCategory;
    const category = readCategory(e.event);
    if (typeof category === 'string') this.addGated(byCategory.get(category.toLowerCase()), e, mask, epoch);
    else if (Array.isArray(category))
      for (let i = 0; i < category.length; i++) {
        const c: unknown = category[i];
        if (typeof c === 'string') this.addGated(byCategory.get(c.toLowerCase()), e, mask, epoch);
      }
    this.addGated(byCategory.get('*'), e, mask, epoch);
    return this.gatedCount;
  }

  /** Adds the usable rules of `list` to `gatedScratch`, keeping it in rule order. */
  private addGated(
    list: readonly RuleRuntime[] | undefined,
    e: EvaluatedEvent,
    mask: Uint8Array | null,
    epoch: number,
  ): void {
    if (!list) return;
    const out = this.gatedScratch;
    for (let i = 0; i < list.length; i++) {
      const rt = list[i];
      if (rt.mark === epoch) continue;
      rt.mark = epoch;
      if (mask !== null && mask[rt.ordinal] !== 1) continue;
      if (!this.matchesIndex(rt, e.index)) continue;
      this.gatedCount = insertInRuleOrder(out, rt, this.gatedCount);
    }
  }

  private emitOne(rt: RuleRuntime, kind: 'query' | 'eql', e: EvaluatedEvent, alerts: AlertDocument[]): void {
    if (rt.rule.isExcepted(e.event)) return;
    alerts.push(
      buildAlert({
        rule: rt.meta,
        kind,
        events: [refOf(e)],
        source: e.event,
        originalTime: e.time,
        now: this.now(),
      }),
    );
  }

  /**
   * One alert per sequence, carrying every event as an ancestor and the ECS fields of the
   * event that completed it. Each stage's filter already excludes excepted events (exceptions
   * are part of the rule's filters); the check here covers what the alert carries. A sequence
   * settled by the passage of time (a trailing missing-event stage) has no event in hand: its
   * alert carries the ancestors only.
   */
  private emitSequence(rt: RuleRuntime, events: EventRef[], last: unknown, alerts: AlertDocument[]): void {
    if (last !== undefined && rt.rule.isExcepted(last)) return;
    alerts.push(
      buildAlert({
        rule: rt.meta,
        kind: 'sequence',
        events,
        source: last ?? {},
        originalTime: events[0]?.time ?? 0,
        now: this.now(),
      }),
    );
    rt.stats.alerts++;
  }

  /** Event time reached `now`: sequence rules expire pending state and settle sequences that
   * waited on a trailing missing stage (their alerts go to `alerts`); with `endOfInput`
   * every waiting sequence is settled. */
  advanceTime(now: number | null, state: PartitionState, alerts: AlertDocument[], endOfInput = false): void {
    for (const [rt, tracked] of state.pendingSequences()) {
      const runner = rt.sequence!;
      const done: EventRef[][] = [];
      // Sweeping walks every pending key: do it when event time moved by a fair part of maxspan.
      const every = Math.max(1000, (runner.maxspanMs ?? 0) / 4);
      if (now !== null && (endOfInput || now - tracked.lastAdvance >= every)) {
        tracked.lastAdvance = now;
        done.push(...runner.advance(state.sequenceState(rt), now));
      }
      if (endOfInput) done.push(...runner.flush(state.sequenceState(rt)));
      for (const events of done) this.emitSequence(rt, events, undefined, alerts);
      if (rt.gated) state.updateGated(rt);
    }
  }

  /** The terms (and their state keys) an event gives a new_terms rule: none unless its
   * condition holds. */
  private termsOf(rt: RuleRuntime, event: unknown): Array<{ tuple: string[]; key: string }> {
    if (!rt.condition!(event)) return [];
    return eventTerms(event, rt.termGetters!).map((tuple) => ({
      tuple,
      key: stateKey(rt.ruleKey, JSON.stringify(tuple)),
    }));
  }

  private evaluateNewTerms(
    rt: RuleRuntime,
    e: EvaluatedEvent,
    state: PartitionState,
    alerts: AlertDocument[],
    learnOnly: boolean,
  ): void {
    const settings = rt.rule.newTerms!;
    for (const { tuple, key } of e.terms?.get(rt) ?? this.termsOf(rt, e.event)) {
      const record = state.terms.get(key);
      const fresh = isNewTerm(record, e.time, settings.historyWindowMs);
      state.setTerm(rt, key, recordTerm(record, e.time));
      if (!fresh || learnOnly || rt.rule.isExcepted(e.event)) continue;
      alerts.push(
        buildAlert({
          rule: rt.meta,
          kind: 'new_terms',
          events: [refOf(e)],
          source: e.event,
          originalTime: e.time,
          now: this.now(),
          newTerms: tuple,
          newTermsPeriod: Math.floor(e.time / settings.historyWindowMs),
          extra: { newTermsFields: settings.fields, historyWindowMs: settings.historyWindowMs },
        }),
      );
    }
  }

  private evaluateThreshold(
    rt: RuleRuntime,
    e: EvaluatedEvent,
    state: PartitionState,
    alerts: AlertDocument[],
  ): void {
    if (!rt.condition!(e.event)) return;
    const settings = rt.rule.threshold!;
    for (const group of thresholdGroups(e.event, settings.fields, rt.groupGetters!)) {
      const counted = countThreshold(
        state.threshold(rt, group.key),
        e.time,
        e.event,
        settings,
        rt.cardinalityGetters!,
      );
      if (!counted) continue;
      state.setThreshold(rt, group.key, counted.state);
      if (!counted.reached) continue;
      // Kibana's threshold alerts carry the group-by fields, not a whole source event.
      const source: Doc = {};
      for (const t of group.terms) setField(source, t.field, t.value);
      alerts.push(
        buildAlert({
          rule: rt.meta,
          kind: 'threshold',
          events: [refOf(e)],
          source,
          originalTime: e.time,
          now: this.now(),
          threshold: {
            terms: group.terms,
            count: counted.state.count,
            from: new Date(counted.state.windowStart).toISOString(),
            windowStart: counted.state.windowStart,
            ...(settings.cardinality
              ? {
                  cardinality: settings.cardinality.map((c) => ({
                    field: c.field,
                    value: counted.state.distinct[c.field]?.length ?? 0,
                  })),
                }
              : {}),
          },
          extra: {
            threshold: {
              field: settings.fields,
              value: settings.value,
              ...(settings.cardinality ? { cardinality: settings.cardinality } : {}),
            },
          },
        }),
      );
    }
  }
}

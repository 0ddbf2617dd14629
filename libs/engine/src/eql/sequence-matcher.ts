/**
 * The EQL sequence matcher: one algorithm for batch search and for streaming.
 *
 * Elasticsearch's semantics (its SequenceMatcher, run over events in timestamp/tiebreaker
 * order):
 * - Each positive stage is a state. A stage-0 match opens a partial sequence; a match of
 *   stage i advances the partial sequence of the same join key waiting at stage i-1.
 * - Per join key and stage only ONE partial sequence is pending: the newest replaces an older
 *   one at the same stage.
 * - `maxspan` bounds the time from the first to the last event (`>` rejects, equal passes).
 * - `until` cancels the pending sequences of its key (including ones the same event just
 *   advanced: Elasticsearch's until check is inclusive on the left).
 * - Missing events `![...]` never affect matching; a sequence completed by its positive
 *   stages is kept only if no event of a missing stage with the same keys occurs where it
 *   must not (between its neighbours; before/after it for leading/trailing stages, with
 *   `maxspan` deciding how far).
 * - `with runs=N` repeats a stage N times.
 * - A join key with a null value never joins.
 *
 * The state is a plain JSON value (`EqlSequenceState`) so it can live in memory or in Redis.
 * Event references (`ref`) are stored as given: pass something serializable (an id, an
 * index, the event itself) when the state must be persisted.
 */
import type { EqlEventCondition, EqlKeyExpression, EqlSequenceQuery, EqlStage } from './types';
import { compareEqlJoinKeys, fillSingleKeyTuple, multiValuedKeyTuples } from './join-keys';
import {
  compareEqlOrdinal,
  compareEqlTime,
  eqlMillisBetween,
  type EqlTime,
  type EqlOrdinal,
  type EqlTiebreaker,
} from './ordinal';

export interface EqlSequenceMatcherOptions {
  /** Join keys tracked at once; beyond it the least recently active key is evicted (counted). */
  maxKeys?: number;
  /** Sequences per key completed by their positive stages but waiting for a trailing missing stage. */
  maxAwaitingPerKey?: number;
  /** Sweep expired state (maxspan) every this many events. */
  sweepEvery?: number;
  /**
   * How far the stream's time may run ahead of one key's own events before that key's pending
   * sequences expire by the stream's time. A partition interleaves many hosts: when one of them
   * runs ahead (a backlog replayed, a clock or a forged timestamp in the future), the others'
   * events arrive behind the watermark, and expiring their pending sequences by it would blind
   * them. Within this skew a key's partial sequences expire by its own newer events (and the
   * key bound); beyond it, by the stream's time less the skew. Completing a sequence still
   * checks maxspan exactly. Default one hour: longer skews keep more state (bounded by maxKeys).
   */
  maxKeySkewMs?: number;
  /**
   * Most distinct last join-key values remembered per position of the held partial sequences
   * (the check that skips looking up tuples no partial ends in); past it that position is
   * looked up for every tuple until it holds nothing again. Default 10,000.
   */
  maxHeldValues?: number;
  /**
   * Test every stage's condition on every event, even of stages that cannot act (no partial
   * sequence held before them), and look up every key tuple, even one that no held partial
   * ends in: the reference the skipping is tested against. Default false.
   */
  testEveryStage?: boolean;
}

const DEFAULT_OPTIONS: Required<EqlSequenceMatcherOptions> = {
  maxKeys: 1_000_000,
  maxAwaitingPerKey: 1_000,
  sweepEvery: 1_024,
  maxKeySkewMs: 3_600_000,
  maxHeldValues: 10_000,
  testEveryStage: false,
};

interface PlanStage {
  /** `<category> where` (null: `any where`). */
  category: string | null;
  condition: EqlEventCondition;
  inCategory?: EqlEventCondition;
  keys: EqlKeyExpression[];
  /** Per key: an optional field (`?field`) joins on null. */
  optionalKeys?: boolean[];
  source: string;
  /** The stage's one reusable tuple (see keyTuples). */
  scratch: unknown[][];
}

/** A compiled sequence query prepared for matching (stages expanded for `runs`). */
export interface EqlSequencePlan {
  /** Every stage after `runs` expansion, in order; `missing` marks `![...]` stages. */
  stages: (PlanStage & { missing: boolean })[];
  /** Indices (into `stages`) of the positive stages. */
  positive: number[];
  /** Missing stages before the first positive stage. */
  leading: number[];
  /** Missing stages between positive stages: `gap` j lies between positive j and j+1. */
  middle: { stage: number; gap: number }[];
  /** Missing stages after the last positive stage. */
  trailing: number[];
  until?: PlanStage;
  /** The distinct conditions of the stages and `until` (runs repeat one), each tested once
   * per event; `conditionOf[i]` indexes stage i's, `untilCondition` until's (-1: none). */
  conditions: EqlEventCondition[];
  conditionOf: number[];
  untilCondition: number;
  /** Per distinct condition used by positive stages past the first only: those stages'
   * positions. Such a condition is tested only when one of its stages could advance a held
   * partial with the event's join key (see `keyGatedHit`); null for any other condition. */
  keyGates: (number[] | null)[];
  /** Scratch: per distinct condition, whether the current event matched it. */
  hits: boolean[];
  /** Scratch: per distinct condition, whether some stage using it can change the state now
   * (for the state whose `Held` has the id `liveFor.held`, at its `version`). */
  live: boolean[];
  /** Scratch: the same, counting the stages past the starting ones only (see
   * `EqlSequenceInput.laterStagesOnly`). */
  liveLater: boolean[];
  liveFor?: { held: number; version: number };
  /** Undefined when unbounded. */
  maxspanMs?: number;
  options: Required<EqlSequenceMatcherOptions>;
}

/** One matched event. */
export interface EqlSequenceEventMatch extends EqlOrdinal {
  ref: unknown;
}

interface Partial {
  /** Matches of the positive stages so far. */
  m: EqlSequenceEventMatch[];
  /** Latest leading missing event strictly before the start (null: none). */
  lead: EqlTime | null;
  /** Earliest middle missing event seen after the last match (current gap only). */
  taint: EqlTime | null;
  /** A middle missing event occurred inside a gap: dropped on completion. */
  bad: boolean;
}

interface Awaiting {
  p: Partial;
}

interface LeadingSeen {
  last: EqlTime;
  /** Latest timestamp strictly before `last`. */
  prev: EqlTime | null;
}

interface KeyState {
  k: unknown[];
  /** Arrival number of the last event that touched this key (least-recently-used eviction). */
  at: number;
  /** Pending partial sequence per positive position (0..P-2). */
  p: (Partial | null)[];
  lead?: LeadingSeen;
  wait?: Awaiting[];
}

export interface EqlSequenceStats {
  completed: number;
  rejectedMaxspan: number;
  cancelledUntil: number;
  rejectedMissing: number;
  /** Pending sequences dropped because maxspan can no longer be met. */
  expired: number;
  /** Join keys evicted (with their pending sequences) because of `maxKeys`. */
  evictedKeys: number;
  /** Sequences evicted because of `maxAwaitingPerKey`. */
  evictedAwaiting: number;
  /** Events older than one already processed (matched as if in order; the caller's reorder buffer should prevent them). */
  late?: number;
}

/** The whole matcher state: a plain JSON value. */
export interface EqlSequenceState {
  v: 1;
  keys: Record<string, KeyState>;
  keyCount: number;
  seq: number;
  sinceSweep: number;
  /** Event time of the last sweep (absent before the first). */
  lastSweep?: EqlTime;
  /** Latest event time processed. */
  now: EqlTime | null;
  stats: EqlSequenceStats;
  /**
   * Not part of the persisted value: when its owner sets it, the matcher adds the id of every
   * join key it creates, changes (in place included) or deletes, so the owner persists
   * exactly those keys.
   */
  changed?: Set<string>;
  /**
   * Not persisted either: the earliest event time (ms) at which a sweep could expire or
   * settle anything, kept as a lower bound while state is added; absent when unknown (a
   * restored state), which makes the next sweep walk every key and compute it.
   */
  sweepAt?: number;
}

/** A completed sequence. */
export interface EqlCompletedSequence {
  joinKeys: unknown[];
  /** One entry per stage (after `runs` expansion); `null` for a missing-event stage. */
  events: (EqlSequenceEventMatch | null)[];
  /** Ordinal of the last positive event: Elasticsearch orders sequences by it. */
  last: EqlOrdinal;
}

export interface EqlSequenceInput {
  event: unknown;
  ref: unknown;
  time: EqlTime;
  tiebreaker?: EqlTiebreaker;
  /**
   * The caller knows that no starting stage (a leading missing stage or the first positive
   * one) can match the event: a pre-filter that files the rule by its starting stages did not
   * select it. Their conditions are then not tested. Default false.
   */
  laterStagesOnly?: boolean;
}

function expandStage(stage: EqlStage): (PlanStage & { missing: boolean })[] {
  const runs = Number.isInteger(stage.runs) && stage.runs > 1 ? stage.runs : 1;
  const one = {
    category: stage.category,
    condition: stage.condition,
    inCategory: stage.inCategory,
    keys: stage.keys,
    optionalKeys: stage.optionalKeys,
    source: stage.source,
    missing: stage.missing,
    scratch: scratchFor(stage.keys),
  };
  return Array.from({ length: runs }, () => one);
}

export function planEqlSequence(
  query: EqlSequenceQuery,
  matcherOptions: EqlSequenceMatcherOptions = {},
): EqlSequencePlan {
  const stages = query.stages.flatMap(expandStage);
  const positive: number[] = [];
  stages.forEach((s, i) => {
    if (!s.missing) positive.push(i);
  });
  if (positive.length === 0)
    throw new Error('a sequence needs at least one stage that is not a missing event');
  const first = positive[0];
  const lastPos = positive[positive.length - 1];
  const leading: number[] = [];
  const trailing: number[] = [];
  const middle: { stage: number; gap: number }[] = [];
  stages.forEach((s, i) => {
    if (!s.missing) return;
    if (i < first) leading.push(i);
    else if (i > lastPos) trailing.push(i);
    else middle.push({ stage: i, gap: positive.filter((p) => p < i).length - 1 });
  });
  const maxspan = query.maxspanMs;
  const conditions: EqlEventCondition[] = [];
  const conditionIndex = (c: EqlEventCondition): number => {
    const i = conditions.indexOf(c);
    return i >= 0 ? i : conditions.push(c) - 1;
  };
  const conditionOf = stages.map((s) => conditionIndex(s.condition));
  const untilCondition = query.until ? conditionIndex(query.until.condition) : -1;
  const options = { ...DEFAULT_OPTIONS, ...stripUndefined(matcherOptions) };
  // (none under testEveryStage, the reference: every condition is tested)
  const keyGates: (number[] | null)[] = conditions.map(() => (options.testEveryStage ? null : []));
  positive.forEach((stage, j) => {
    if (j > 0) keyGates[conditionOf[stage]]?.push(j);
  });
  const ungated = [first, ...leading, ...middle.map((m) => m.stage), ...trailing].map((i) => conditionOf[i]);
  if (untilCondition >= 0) ungated.push(untilCondition);
  for (const c of ungated) keyGates[c] = null;
  return {
    stages,
    conditions,
    conditionOf,
    untilCondition,
    keyGates,
    hits: conditions.map(() => false),
    live: conditions.map(() => false),
    liveLater: conditions.map(() => false),
    positive,
    leading,
    middle,
    trailing,
    until: query.until
      ? {
          category: query.until.category,
          condition: query.until.condition,
          keys: query.until.keys,
          optionalKeys: query.until.optionalKeys,
          source: query.until.source,
          scratch: scratchFor(query.until.keys),
        }
      : undefined,
    maxspanMs: maxspan !== undefined && maxspan > 0 ? maxspan : undefined,
    options,
  };
}

function stripUndefined<T extends object>(o: T): OptionalFields<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as OptionalFields<T>;
}
type OptionalFields<T> = { [K in keyof T]?: T[K] };

export function createEqlSequenceState(): EqlSequenceState {
  return {
    v: 1,
    keys: {},
    keyCount: 0,
    seq: 0,
    sinceSweep: 0,
    now: null,
    stats: {
      completed: 0,
      rejectedMaxspan: 0,
      cancelledUntil: 0,
      rejectedMissing: 0,
      expired: 0,
      evictedKeys: 0,
      evictedAwaiting: 0,
    },
  };
}

/**
 * The event's join-key tuples for a stage. The usual case, every key one scalar value, is
 * written into the stage's own scratch tuple (most tuples are only looked up, and miss), so
 * the caller must copy a tuple it keeps (touchKey does) and finish with it before the same
 * stage's next call.
 */
function keyTuples(stage: PlanStage, event: unknown): unknown[][] {
  if (fillSingleKeyTuple(stage.keys, event, stage.scratch[0])) return stage.scratch;
  return multiValuedKeyTuples(stage.keys, stage.optionalKeys, event);
}

function scratchFor(keys: readonly unknown[]): unknown[][] {
  return [new Array<unknown>(keys.length).fill(null)];
}

/**
 * The state key of a join-key tuple: injective, and never the name of an `Object.prototype`
 * member (ids are empty or start with `s`, `n` or `[`), so plain property access is safe.
 */
function keyId(values: unknown[]): string {
  if (values.length === 0) return '';
  if (values.length === 1) {
    const v = values[0];
    if (typeof v === 'string') return 's' + v;
    if (typeof v === 'number') return 'n' + v;
  }
  return JSON.stringify(values);
}

function getKey(state: EqlSequenceState, id: string): KeyState | undefined {
  return state.keys[id];
}

/** Something in the state may expire or settle at event time `ms` (see `sweepAt`). */
function dueBy(state: EqlSequenceState, ms: number): void {
  if (state.sweepAt !== undefined && ms < state.sweepAt) state.sweepAt = ms;
}

/**
 * A partial sequence of `ks` was stored with its newest match at `now`: it expires by the
 * stream's time past maxspan and the key skew; and the key's other partials that maxspan no
 * longer allows by this key's own time expire here, as the next sweep would expire them (the
 * key's clock is its newest match: `now`). Expiring them here spares a sweep of every key.
 */
function partialStored(
  plan: EqlSequencePlan,
  state: EqlSequenceState,
  id: string,
  ks: KeyState,
  p: Partial,
  now: EqlTime,
): void {
  if (plan.maxspanMs === undefined) return;
  dueBy(state, p.m[0].ms + plan.maxspanMs + plan.options.maxKeySkewMs);
  for (let j = 0; j < ks.p.length; j++) {
    const q = ks.p[j];
    if (q && q !== p && exceedsMaxspan(plan, q.m[0], now)) {
      setPartial(state, ks, j, null);
      state.stats.expired++;
      keyChanged(state, id);
    }
  }
}

/**
 * What is held at each position (`p[j]`) of a state's partial sequences: how many keys hold
 * one, and the last join-key value of those keys (with counts). A stage that advances position
 * j-1 can do nothing while none is held there, so its condition is not even tested; and an
 * event whose key tuple ends in a value no key holds there cannot advance anything, so its
 * key is never built nor looked up (see `processEqlSequenceEvent`). Kept beside the state
 * rather than in it (the state is persisted as it is), keyed by its `keys` object: a restored
 * or copied state has a new one, and this is taken afresh from its keys.
 */
interface Held {
  /** Unique per Held (plans remember which one their liveness was computed for). */
  id: number;
  counts: number[];
  /** Bumped whenever a count turns zero or non-zero (what liveness depends on). */
  version: number;
  /** Per position, the last join-key values held there with their counts; null while more
   * distinct values are held than `maxHeldValues` (a flood of keys: the memory is not spent,
   * and every tuple is looked up), until the position holds nothing again. */
  lastValues: (Map<unknown, number> | null)[];
  maxValues: number;
}

const heldByState = new WeakMap<Record<string, KeyState>, Held>();
let heldIds = 0;

function heldOf(plan: EqlSequencePlan, state: EqlSequenceState): Held {
  let held = heldByState.get(state.keys);
  if (held === undefined) {
    const positions = Math.max(plan.positive.length - 1, 0);
    held = {
      id: ++heldIds,
      counts: new Array<number>(positions).fill(0),
      version: 0,
      lastValues: Array.from({ length: positions }, () => new Map<unknown, number>()),
      maxValues: plan.options.maxHeldValues,
    };
    for (const id in state.keys) {
      const ks = state.keys[id];
      for (let j = 0; j < ks.p.length && j < positions; j++) if (ks.p[j]) hold(held, ks, j, 1);
    }
    heldByState.set(state.keys, held);
  }
  return held;
}

/** Counts one more (+1) or one less (-1) partial held by `ks` at position j. */
function hold(held: Held, ks: KeyState, j: number, delta: 1 | -1): void {
  const before = held.counts[j];
  held.counts[j] += delta;
  if (before === 0 || held.counts[j] === 0) held.version++;
  if (held.counts[j] === 0) {
    // Nothing held: the values are known again (none).
    const values = held.lastValues[j];
    if (values === null) held.lastValues[j] = new Map();
    else if (values.size > 0) values.clear();
    return;
  }
  const values = held.lastValues[j];
  if (values === null || ks.k.length === 0) return;
  const last = ks.k[ks.k.length - 1];
  const n = (values.get(last) ?? 0) + delta;
  if (n <= 0) values.delete(last);
  else if (n === 1 && values.size >= held.maxValues) held.lastValues[j] = null;
  else values.set(last, n);
}

/** Every write of a partial sequence slot goes through here, keeping `Held` exact. */
function setPartial(state: EqlSequenceState, ks: KeyState, j: number, p: Partial | null): void {
  const held = heldByState.get(state.keys);
  if (held !== undefined) {
    if (p && !ks.p[j]) hold(held, ks, j, 1);
    else if (!p && ks.p[j]) hold(held, ks, j, -1);
  }
  ks.p[j] = p;
}

/** A key leaves the state with whatever partial sequences it holds. */
function forgetKey(state: EqlSequenceState, id: string): void {
  const held = heldByState.get(state.keys);
  if (held !== undefined) {
    const ks = state.keys[id];
    for (let j = 0; j < ks.p.length; j++) if (ks.p[j]) hold(held, ks, j, -1);
  }
  delete state.keys[id];
}

/** Records that the key's state was created, changed or deleted (see `changed`). */
function keyChanged(state: EqlSequenceState, id: string): void {
  state.changed?.add(id);
}

/** Returns the key's state, creating it (and evicting least recently used keys) if needed. */
function touchKey(plan: EqlSequencePlan, state: EqlSequenceState, id: string, values: unknown[]): KeyState {
  let ks = getKey(state, id);
  keyChanged(state, id);
  if (ks) {
    ks.at = state.seq;
    return ks;
  }
  // (a copy: `values` may be a stage's scratch tuple, see keyTuples)
  ks = { k: values.slice(), at: state.seq, p: new Array(Math.max(plan.positive.length - 1, 0)).fill(null) };
  state.keys[id] = ks;
  state.keyCount++;
  if (state.keyCount > plan.options.maxKeys) evictKeys(plan, state, id);
  return ks;
}

/**
 * Over `maxKeys`: drops the least recently active tenth of the keys at once (so eviction
 * costs O(log n) per key amortised), never the key being created.
 */
function evictKeys(plan: EqlSequencePlan, state: EqlSequenceState, keep: string): void {
  const target = Math.max(0, Math.floor(plan.options.maxKeys * 0.9));
  const byAge = Object.keys(state.keys)
    .filter((id) => id !== keep)
    .sort((a, b) => state.keys[a].at - state.keys[b].at);
  for (const id of byAge) {
    if (state.keyCount <= target) break;
    forgetKey(state, id);
    keyChanged(state, id);
    state.keyCount--;
    state.stats.evictedKeys++;
  }
}

function dropKeyIfEmpty(state: EqlSequenceState, id: string, ks: KeyState): void {
  if (state.keys[id] !== ks) return; // already evicted
  if (ks.lead || (ks.wait && ks.wait.length > 0)) return;
  for (const p of ks.p) if (p) return;
  forgetKey(state, id);
  keyChanged(state, id);
  state.keyCount--;
}

function exceedsMaxspan(plan: EqlSequencePlan, from: EqlTime, to: EqlTime): boolean {
  return plan.maxspanMs !== undefined && eqlMillisBetween(from, to) > plan.maxspanMs;
}

/** Sets `plan.live` (which conditions some stage could act on, given the held partials) and
 * `plan.liveLater` (the same without the starting stages). */
function markLive(plan: EqlSequencePlan, held: Held): void {
  // Unchanged since the last event of the same state: nothing turned zero or non-zero.
  const last = plan.liveFor;
  if (last !== undefined && last.held === held.id && last.version === held.version) return;
  if (last === undefined) plan.liveFor = { held: held.id, version: held.version };
  else {
    last.held = held.id;
    last.version = held.version;
  }
  const live = plan.live;
  const later = plan.liveLater;
  if (plan.options.testEveryStage) {
    live.fill(true);
    later.fill(true);
    return;
  }
  live.fill(false);
  later.fill(false);
  visitLaterLiveStages(plan, held, (stage) => {
    const c = stage < 0 ? plan.untilCondition : plan.conditionOf[stage];
    live[c] = true;
    later[c] = true;
  });
  live[plan.conditionOf[plan.positive[0]]] = true;
  for (const m of plan.leading) live[plan.conditionOf[m]] = true;
}

/**
 * The stages past the starting ones (the leading missing stages and the first positive one)
 * that the partials `held` holds let act on an event: positive stage j while a partial waits
 * at j-1, a middle missing stage while one waits across its gap, the trailing missing stages
 * always, and `until` (visited as -1) while any partial is held.
 */
function visitLaterLiveStages(plan: EqlSequencePlan, held: Held, visit: (stage: number) => void): void {
  const pending = held.counts;
  let anyHeld = false;
  for (let j = 0; j < pending.length; j++) if (pending[j] > 0) anyHeld = true;
  const positive = plan.positive;
  for (let j = 1; j < positive.length; j++) if (pending[j - 1] > 0) visit(positive[j]);
  for (const { stage, gap } of plan.middle) if (pending[gap] > 0) visit(stage);
  for (const m of plan.trailing) visit(m);
  if (plan.until && anyHeld) visit(-1);
}

/**
 * The stages past the starting ones that can act on the next event of this state (see
 * visitLaterLiveStages; -1 is `until`): what a caller that routes events to the matcher by
 * their starting stages must still route to it.
 */
export function visitEqlLaterLiveStages(
  plan: EqlSequencePlan,
  state: EqlSequenceState,
  visit: (stage: number) => void,
): void {
  visitLaterLiveStages(plan, heldOf(plan, state), visit);
}

/**
 * Processes one event (events must arrive in timestamp/tiebreaker order) and returns the
 * sequences it completes.
 */
export function processEqlSequenceEvent(
  plan: EqlSequencePlan,
  state: EqlSequenceState,
  input: EqlSequenceInput,
): EqlCompletedSequence[] {
  // Each distinct condition once; an event no stage (nor until) accepts cannot change the
  // state, so it returns before allocating anything (most events, for most rules).
  //
  // Only conditions of stages that can change the state are tested: a positive stage past the
  // first advances partial sequences held at the position before it, a middle missing stage
  // marks those held in its gap, and `until` cancels any (or one this event opens). While
  // no key holds one there (the counts of `heldOf`), the stage is skipped: a broad later
  // stage (`process where event.type == "start"`) costs nothing until an earlier one matched.
  const event = input.event;
  const hits = plan.hits;
  const held = heldOf(plan, state);
  markLive(plan, held);
  const live = input.laterStagesOnly === true ? plan.liveLater : plan.live;
  let any = false;
  for (let i = 0; i < plan.conditions.length; i++) {
    const gate = plan.keyGates[i];
    hits[i] =
      live[i] && (gate === null ? plan.conditions[i](event) : keyGatedHit(plan, held, gate, i, event));
    if (hits[i]) any = true;
  }
  if (plan.until && !live[plan.untilCondition] && hits[plan.conditionOf[plan.positive[0]]]) {
    // `until` also cancels what this very event opens at the first stage.
    hits[plan.untilCondition] = plan.conditions[plan.untilCondition](event);
  }
  if (!any) return NONE;
  // The event's time, for comparisons; its match (with its ref, which the caller may make on
  // demand) only once a stage keeps it: most hits of a broad later stage find no partial.
  const now = input.time;
  let ord: EqlSequenceEventMatch | undefined;
  // (moved in place: the state is the matcher's own, and this runs for most hit events)
  if (!state.now) state.now = { ms: now.ms, ns: now.ns };
  else if (compareEqlTime(now, state.now) > 0) {
    state.now.ms = now.ms;
    state.now.ns = now.ns;
  } else if (compareEqlTime(now, state.now) < 0) state.stats.late = (state.stats.late ?? 0) + 1;
  // Completed sequences go to one scratch list, copied out only when there are some.
  const out = completedScratch;
  out.length = 0;
  const P = plan.positive.length;

  // Positive stages, last first, so that one event never advances a sequence it just moved.
  for (let j = P - 1; j >= 0; j--) {
    const stage = plan.stages[plan.positive[j]];
    if (!hits[plan.conditionOf[plan.positive[j]]]) continue;
    const holding = j > 0 && !plan.options.testEveryStage ? (held.lastValues[j - 1] ?? undefined) : undefined;
    for (const values of keyTuples(stage, event)) {
      // No key holding a partial at j-1 ends in this value: nothing to advance.
      if (holding !== undefined && !endsLikeHeld(values, holding)) continue;
      const id = keyId(values);
      if (j === 0) {
        const ks = touchKey(plan, state, id, values);
        ord ??= matchOf(state, input);
        const partial: Partial = { m: [ord], lead: leadingBefore(ks, now), taint: null, bad: false };
        if (P === 1) complete(plan, state, ks, partial, out);
        else {
          setPartial(state, ks, 0, partial);
          partialStored(plan, state, id, ks, partial, now);
        }
        continue;
      }
      const ks = getKey(state, id);
      const prev = ks?.p[j - 1];
      if (!ks || !prev) continue;
      setPartial(state, ks, j - 1, null);
      keyChanged(state, id);
      if (exceedsMaxspan(plan, prev.m[0], now)) {
        state.stats.rejectedMaxspan++;
        dropKeyIfEmpty(state, id, ks);
        continue;
      }
      touchKey(plan, state, id, values);
      if (prev.taint && compareEqlTime(prev.taint, now) < 0) prev.bad = true;
      prev.taint = null;
      // A partial sequence is owned by one key; copy the match list so keys never share it.
      ord ??= matchOf(state, input);
      const advanced: Partial = { ...prev, m: [...prev.m, ord] };
      if (j === P - 1) complete(plan, state, ks, advanced, out);
      else {
        setPartial(state, ks, j, advanced);
        partialStored(plan, state, id, ks, advanced, now);
      }
    }
  }

  // Missing-event stages.
  for (const m of plan.leading) {
    const stage = plan.stages[m];
    if (!hits[plan.conditionOf[m]]) continue;
    for (const values of keyTuples(stage, event)) {
      const ks = touchKey(plan, state, keyId(values), values);
      if (!ks.lead) ks.lead = { last: { ms: now.ms, ns: now.ns }, prev: null };
      else if (compareEqlTime(now, ks.lead.last) > 0)
        ks.lead = { last: { ms: now.ms, ns: now.ns }, prev: ks.lead.last };
      if (plan.maxspanMs !== undefined) dueBy(state, ks.lead.last.ms + plan.maxspanMs);
    }
  }
  for (const { stage: m, gap } of plan.middle) {
    const stage = plan.stages[m];
    if (!hits[plan.conditionOf[m]]) continue;
    for (const values of keyTuples(stage, event)) {
      const id = keyId(values);
      const partial = getKey(state, id)?.p[gap];
      if (!partial) continue;
      const lastMatch = partial.m[partial.m.length - 1];
      if (compareEqlTime(now, lastMatch) > 0 && (!partial.taint || compareEqlTime(now, partial.taint) < 0)) {
        partial.taint = { ms: now.ms, ns: now.ns };
        keyChanged(state, id);
      }
    }
  }
  for (const m of plan.trailing) {
    const stage = plan.stages[m];
    if (!hits[plan.conditionOf[m]]) continue;
    for (const values of keyTuples(stage, event)) {
      const id = keyId(values);
      const ks = getKey(state, id);
      if (!ks?.wait) continue;
      keyChanged(state, id);
      const keep: Awaiting[] = [];
      for (const w of ks.wait) {
        const end = w.p.m[w.p.m.length - 1];
        if (compareEqlTime(now, end) > 0) decide(plan, state, ks, w.p, now, out);
        else keep.push(w);
      }
      ks.wait = keep.length > 0 ? keep : undefined;
      dropKeyIfEmpty(state, id, ks);
    }
  }

  // until: cancels the pending sequences of its key.
  if (plan.until && hits[plan.untilCondition]) {
    for (const values of keyTuples(plan.until, event)) {
      const id = keyId(values);
      const ks = getKey(state, id);
      if (!ks) continue;
      for (let j = 0; j < ks.p.length; j++) {
        if (ks.p[j]) {
          setPartial(state, ks, j, null);
          state.stats.cancelledUntil++;
          keyChanged(state, id);
        }
      }
      dropKeyIfEmpty(state, id, ks);
    }
  }

  // A sweep walks every key, so it runs at most every `sweepEvery` events and every half
  // maxspan of event time: its cost stays a small fraction per event however many keys there are.
  if (++state.sinceSweep >= plan.options.sweepEvery && sweepDue(plan, state)) {
    state.sinceSweep = 0;
    state.lastSweep = state.now ? { ms: state.now.ms, ns: state.now.ns } : undefined;
    out.push(...advanceEqlSequenceTime(plan, state, state.now));
  }
  if (out.length === 0) return NONE;
  const done = out.slice();
  out.length = 0;
  return done;
}

/** processEqlSequenceEvent's list of completed sequences (it never runs re-entrantly). */
const completedScratch: EqlCompletedSequence[] = [];

/**
 * Condition `c` of positive stages past the first (at positions `gate`): it can change the
 * state only if the event's join key tuple ends in a value some key holding a partial before
 * one of these stages ends in (the check the stage loop makes before looking a key up). The
 * category, then that check, go before the condition itself, which for broad later stages
 * with long exclusion lists is the dearer test.
 */
function keyGatedHit(plan: EqlSequencePlan, held: Held, gate: number[], c: number, event: unknown): boolean {
  const first = plan.stages[plan.positive[gate[0]]];
  if (first.inCategory !== undefined && !first.inCategory(event)) return false;
  for (let g = 0; g < gate.length; g++) {
    const holding = held.lastValues[gate[g] - 1];
    if (holding === null || mayAdvance(plan.stages[plan.positive[gate[g]]], event, holding))
      return plan.conditions[c](event);
  }
  return false;
}

/** Whether some join key tuple of the event could find a partial `holding` counts. */
function mayAdvance(stage: PlanStage, event: unknown, holding: Map<unknown, number>): boolean {
  for (const values of keyTuples(stage, event)) if (endsLikeHeld(values, holding)) return true;
  return false;
}

/** Whether a key tuple could be one holding a partial at a position: it has no keys, or it
 * ends in a last value some key holding one there ends in (`Held.lastValues`). */
function endsLikeHeld(values: unknown[], holding: Map<unknown, number>): boolean {
  return values.length === 0 || holding.has(values[values.length - 1]);
}

/** The event as a stage keeps it: its time, tiebreaker, arrival number and ref. */
function matchOf(state: EqlSequenceState, input: EqlSequenceInput): EqlSequenceEventMatch {
  return {
    ms: input.time.ms,
    ns: input.time.ns,
    tb: input.tiebreaker ?? null,
    seq: state.seq++,
    ref: input.ref,
  };
}

/** What an event that concerns no stage completes (shared, never written to). */
const NONE: EqlCompletedSequence[] = Object.freeze([]) as unknown as EqlCompletedSequence[];

function sweepDue(plan: EqlSequencePlan, state: EqlSequenceState): boolean {
  if (plan.maxspanMs === undefined || !state.now) return false;
  return !state.lastSweep || eqlMillisBetween(state.lastSweep, state.now) >= plan.maxspanMs / 2;
}

function leadingBefore(ks: KeyState, start: EqlTime): EqlTime | null {
  if (!ks.lead) return null;
  if (compareEqlTime(ks.lead.last, start) < 0) return ks.lead.last;
  return ks.lead.prev;
}

/** The positive stages matched: keep, drop, or wait for a trailing missing stage. */
function complete(
  plan: EqlSequencePlan,
  state: EqlSequenceState,
  ks: KeyState,
  p: Partial,
  out: EqlCompletedSequence[],
): void {
  if (plan.trailing.length === 0) {
    decide(plan, state, ks, p, null, out);
    return;
  }
  if (plan.leading.length > 0 && p.lead === null) {
    // Elasticsearch keeps it whatever follows: no leading event at all.
    decide(plan, state, ks, p, null, out);
    return;
  }
  if (!ks.wait) ks.wait = [];
  ks.wait.push({ p });
  const from = plan.leading.length > 0 ? p.lead : p.m[0];
  dueBy(state, from === null ? Number.NEGATIVE_INFINITY : from.ms + (plan.maxspanMs ?? 0));
  if (ks.wait.length > plan.options.maxAwaitingPerKey) {
    ks.wait.shift();
    state.stats.evictedAwaiting++;
  }
}

/**
 * Elasticsearch's verdict for a sequence whose positive stages matched, given the latest
 * leading missing event before it and the first trailing one after it (null: none).
 */
function decide(
  plan: EqlSequencePlan,
  state: EqlSequenceState,
  ks: KeyState,
  p: Partial,
  firstTrailing: EqlTime | null,
  out: EqlCompletedSequence[],
): void {
  let keep: boolean;
  const start = p.m[0];
  const end = p.m[p.m.length - 1];
  const bigger = (a: EqlTime | null, b: EqlTime | null) =>
    a === null || b === null || exceedsMaxspan(plan, a, b);
  const hasLead = plan.leading.length > 0;
  const hasTrail = plan.trailing.length > 0;
  if (p.bad) keep = false;
  else if (hasLead && hasTrail)
    keep = p.lead === null || firstTrailing === null || bigger(p.lead, firstTrailing);
  else if (hasLead) keep = p.lead === null || bigger(p.lead, end);
  else if (hasTrail) keep = firstTrailing === null || bigger(start, firstTrailing);
  else keep = true;
  if (!keep) {
    state.stats.rejectedMissing++;
    return;
  }
  state.stats.completed++;
  const events: (EqlSequenceEventMatch | null)[] = plan.stages.map(() => null);
  plan.positive.forEach((stageIndex, j) => {
    events[stageIndex] = p.m[j];
  });
  out.push({ joinKeys: ks.k, events, last: end });
}

/**
 * Moves event time to `now` (the watermark): drops pending sequences that maxspan can no
 * longer complete, forgets leading missing events too old to matter, and settles sequences
 * waiting for a trailing missing stage when no later event can change their verdict.
 */
export function advanceEqlSequenceTime(
  plan: EqlSequencePlan,
  state: EqlSequenceState,
  now: EqlTime | null,
): EqlCompletedSequence[] {
  const out: EqlCompletedSequence[] = [];
  if (!now || plan.maxspanMs === undefined) return out;
  // Walking every key is the cost of a sweep: skip it while nothing can have expired.
  if (state.sweepAt !== undefined && now.ms < state.sweepAt) return out;
  const maxspan = plan.maxspanMs;
  let next = Number.POSITIVE_INFINITY;
  // The stream's time less the key skew: each key's partials expire by its own newest match
  // when that is later (see keyClock).
  const behind: EqlTime = { ms: now.ms - plan.options.maxKeySkewMs, ns: now.ns };
  for (const id of Object.keys(state.keys)) {
    const ks = state.keys[id];
    const keyNow = keyClock(ks, behind);
    for (let j = 0; j < ks.p.length; j++) {
      const p = ks.p[j];
      if (p && exceedsMaxspan(plan, p.m[0], keyNow)) {
        setPartial(state, ks, j, null);
        state.stats.expired++;
        keyChanged(state, id);
      }
    }
    if (ks.lead && exceedsMaxspan(plan, ks.lead.last, now)) {
      ks.lead = undefined;
      keyChanged(state, id);
    }
    if (ks.wait) {
      keyChanged(state, id);
      const keep: Awaiting[] = [];
      for (const w of ks.wait) {
        const from = plan.leading.length > 0 ? w.p.lead : w.p.m[0];
        // Any trailing event from now on is beyond maxspan: the verdict is "keep".
        if (from === null || exceedsMaxspan(plan, from, now)) decide(plan, state, ks, w.p, null, out);
        else keep.push(w);
      }
      ks.wait = keep.length > 0 ? keep : undefined;
    }
    next = Math.min(next, nextExpiry(plan, ks, maxspan));
    dropKeyIfEmpty(state, id, ks);
  }
  state.sweepAt = next;
  return out;
}

/** When the key's remaining state can next expire or settle by the stream's time (ms). */
function nextExpiry(plan: EqlSequencePlan, ks: KeyState, maxspan: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const p of ks.p) if (p) next = Math.min(next, p.m[0].ms + maxspan + plan.options.maxKeySkewMs);
  if (ks.lead) next = Math.min(next, ks.lead.last.ms + maxspan);
  for (const w of ks.wait ?? []) {
    const from = plan.leading.length > 0 ? w.p.lead : w.p.m[0];
    next = Math.min(next, from === null ? Number.NEGATIVE_INFINITY : from.ms + maxspan);
  }
  return next;
}

/** The time a key's partial sequences expire by: the key's own newest matched event, or the
 * stream's time less `maxKeySkewMs` once the stream has run further ahead than that. */
function keyClock(ks: KeyState, behind: EqlTime): EqlTime {
  let newest: EqlTime = behind;
  for (let j = 0; j < ks.p.length; j++) {
    const p = ks.p[j];
    if (!p) continue;
    const last = p.m[p.m.length - 1];
    if (compareEqlTime(last, newest) > 0) newest = last;
  }
  return newest;
}

/** End of input: settles every sequence still waiting for a trailing missing stage. */
export function flushEqlSequenceState(
  plan: EqlSequencePlan,
  state: EqlSequenceState,
): EqlCompletedSequence[] {
  const out: EqlCompletedSequence[] = [];
  for (const id of Object.keys(state.keys)) {
    const ks = state.keys[id];
    if (!ks.wait) continue;
    for (const w of ks.wait) decide(plan, state, ks, w.p, null, out);
    ks.wait = undefined;
    keyChanged(state, id);
    dropKeyIfEmpty(state, id, ks);
  }
  return out;
}

/** Orders completed sequences as Elasticsearch returns them (by their last positive event). */
export function sortEqlCompletedSequences(sequences: EqlCompletedSequence[]): EqlCompletedSequence[] {
  // Sequences ending on the same event (multi-valued keys) follow their join keys' order.
  return [...sequences].sort(
    (a, b) => compareEqlOrdinal(a.last, b.last) || compareEqlJoinKeys(a.joinKeys, b.joinKeys),
  );
}

/** A stateful convenience wrapper over the functions above (state stays a plain JSON value). */
export class EqlSequenceMatcher {
  readonly plan: EqlSequencePlan;
  state: EqlSequenceState;

  constructor(query: EqlSequenceQuery, options: EqlSequenceMatcherOptions = {}, state?: EqlSequenceState) {
    this.plan = planEqlSequence(query, options);
    this.state = state ?? createEqlSequenceState();
  }

  process(input: EqlSequenceInput): EqlCompletedSequence[] {
    return processEqlSequenceEvent(this.plan, this.state, input);
  }

  advanceTime(now: EqlTime): EqlCompletedSequence[] {
    return advanceEqlSequenceTime(this.plan, this.state, now);
  }

  flush(): EqlCompletedSequence[] {
    return flushEqlSequenceState(this.plan, this.state);
  }

  get stats(): EqlSequenceStats {
    return this.state.stats;
  }
}

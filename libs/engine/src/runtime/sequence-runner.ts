/**
 * Runs an EQL sequence rule in the stream with the one sequence matcher of `../eql` (shared
 * with `sequent search`, Elasticsearch's semantics: per-stage join keys, maxspan, until,
 * runs, missing events). The matcher's state is one plain JSON value per rule and partition,
 * persisted as such by the state store.
 *
 * Events that no stage (positive, missing or until) accepts never reach the matcher: they
 * cannot change its state, and skipping them keeps a rule's state untouched (so not written)
 * by batches that do not concern it.
 */
import {
  advanceEqlSequenceTime,
  createEqlSequenceState,
  flushEqlSequenceState,
  planEqlSequence,
  processEqlSequenceEvent,
  visitEqlLaterLiveStages,
  type EqlCompletedSequence,
  type EqlSequencePlan,
  type EqlSequenceState,
} from '../eql/sequence-matcher';
import type { EventRef } from '../state/state-store';
import { refOf, type EvaluatedEvent } from './evaluated-event';
import type { CompiledSequenceQuery } from './eql-types';

export type SequenceRuleState = EqlSequenceState;

export class SequenceRunner {
  readonly plan: EqlSequencePlan;
  readonly maxspanMs: number | undefined;

  /** The distinct categories of the stages (lower-cased; `*`: a stage of any category), in
   * the order of their bits in `liveCategoryBits`. */
  readonly categories: string[] = [];
  /** Per stage, and for `until` last, the bit of its category. */
  private readonly stageBits: number[];
  private readonly untilBit: number;
  /** Scratch of `liveCategoryBits` (its visitor is bound once). */
  private bits = 0;
  private readonly addStageBit = (stage: number): void => {
    this.bits |= stage < 0 ? this.untilBit : this.stageBits[stage];
  };

  constructor(query: CompiledSequenceQuery, maxKeys: number) {
    this.plan = planEqlSequence(query, { maxKeys });
    this.maxspanMs = this.plan.maxspanMs;
    const nameOf = (category: string | null): string => (category === null ? '*' : category.toLowerCase());
    const names = [
      ...this.plan.stages.map((s) => s.category),
      ...(this.plan.until ? [this.plan.until.category] : []),
    ].map(nameOf);
    // One bit per distinct category; past 31 (never in practice) one for all, as `*`.
    this.categories.push(...new Set(names));
    if (this.categories.length > 31) this.categories.splice(0, this.categories.length, '*');
    const bitOf = (category: string | null): number => {
      const i = this.categories.indexOf(nameOf(category));
      return 1 << (i < 0 ? 0 : i);
    };
    this.stageBits = this.plan.stages.map((s) => bitOf(s.category));
    this.untilBit = this.plan.until ? bitOf(this.plan.until.category) : 0;
  }

  /**
   * The categories (bits over `categories`) of the stages past the starting ones that the
   * state's pending partials let act on the next event: a caller that hands the rule only the
   * events its starting stages may match (the rule index) must also hand it the events of
   * these categories.
   */
  liveCategoryBits(state: SequenceRuleState): number {
    this.bits = 0;
    visitEqlLaterLiveStages(this.plan, state, this.addStageBit);
    return this.bits;
  }

  createState(): SequenceRuleState {
    return createEqlSequenceState();
  }

  /** Whether any stage could use the event. */
  concerns(event: unknown): boolean {
    // The plan's distinct stage and until conditions (what the matcher tests per event).
    for (const c of this.plan.conditions) if (c(event)) return true;
    return false;
  }

  /** Reused for every event: the matcher copies what it keeps (most events concern no stage,
   * and allocating an input per rule per event was most of their cost). Its `ref` is read only
   * when some stage takes the event, and only then is the event's reference made. */
  private readonly input = new MatcherInput();

  /** `laterStagesOnly`: the rule index did not select the rule for the event, so none of its
   * starting stages can match it (see EqlSequenceInput). */
  onEvent(state: SequenceRuleState, e: EvaluatedEvent, laterStagesOnly = false): EventRef[][] {
    const input = this.input;
    input.current = e;
    input.laterStagesOnly = laterStagesOnly;
    input.event = e.event;
    input.time.ms = e.time;
    let done: ReturnType<typeof processEqlSequenceEvent>;
    try {
      done = processEqlSequenceEvent(this.plan, state, input);
    } finally {
      input.current = null;
      input.event = undefined;
    }
    return done.length === 0 ? NO_SEQUENCES : refsOf(done);
  }

  /** Event time moved to `now`: expire what maxspan can no longer complete, settle sequences
   * waiting on a trailing missing stage. */
  advance(state: SequenceRuleState, now: number): EventRef[][] {
    return refsOf(advanceEqlSequenceTime(this.plan, state, { ms: now, ns: 0 }));
  }

  /** End of input: settle every sequence still waiting. */
  flush(state: SequenceRuleState): EventRef[][] {
    return refsOf(flushEqlSequenceState(this.plan, state));
  }
}

/** The matcher's input for one event, whose `ref` is made on first read. */
class MatcherInput {
  current: EvaluatedEvent | null = null;
  event: unknown = undefined;
  laterStagesOnly = false;
  readonly time = { ms: 0, ns: 0 };

  get ref(): EventRef {
    return refOf(this.current!);
  }
}

const NO_SEQUENCES: EventRef[][] = [];

function refsOf(done: EqlCompletedSequence[]): EventRef[][] {
  return done.map((s) => s.events.filter((m) => m !== null).map((m) => m!.ref as EventRef));
}

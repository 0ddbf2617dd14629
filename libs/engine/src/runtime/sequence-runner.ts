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
  type EqlCompletedSequence,
  type EqlSequencePlan,
  type EqlSequenceState,
} from '../eql/sequence-matcher';
import type { EventRef } from '../state/state-store';
import type { CompiledSequenceQuery } from './eql-types';

export type SequenceRuleState = EqlSequenceState;

export class SequenceRunner {
  readonly plan: EqlSequencePlan;
  readonly maxspanMs: number | undefined;

  constructor(query: CompiledSequenceQuery, maxKeys: number) {
    this.plan = planEqlSequence(query, { maxKeys });
    this.maxspanMs = this.plan.maxspanMs;
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
   * and allocating an input per rule per event was most of their cost). */
  private readonly input: { event: unknown; ref: unknown; time: { ms: number; ns: number } } = {
    event: undefined,
    ref: undefined,
    time: { ms: 0, ns: 0 },
  };

  onEvent(state: SequenceRuleState, event: unknown, ref: EventRef): EventRef[][] {
    const input = this.input;
    input.event = event;
    input.ref = ref;
    input.time.ms = ref.time;
    let done: ReturnType<typeof processEqlSequenceEvent>;
    try {
      done = processEqlSequenceEvent(this.plan, state, input);
    } finally {
      input.event = undefined;
      input.ref = undefined;
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

const NO_SEQUENCES: EventRef[][] = [];

function refsOf(done: EqlCompletedSequence[]): EventRef[][] {
  return done.map((s) => s.events.filter((m) => m !== null).map((m) => m!.ref as EventRef));
}

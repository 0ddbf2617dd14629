/**
 * The compiled form of an EQL query: the contract between the EQL compiler (libs/rules/src/eql)
 * and the matchers that run it (libs/engine: batch `sequent search` and the streaming evaluator).
 *
 * Everything here is a plain value or a pure function over one event, so the matchers never
 * re-read the query text and their state stays serializable.
 */

/** A document predicate over one event. EQL `null` counts as false. */
export type EventCondition = (event: unknown) => boolean;

/** One join key (`by` field) read from one event: its raw value (an array when multi-valued); `null` when missing. */
export type KeyExpression = (event: unknown) => unknown;

export interface CompiledStage {
  /** The stage's event category (`process where ...`) as written (rules write it lower-case;
   * `condition` compares it exactly, as Elasticsearch does); null for `any`. */
  category: string | null;
  /** The full stage filter, category test included. */
  condition: EventCondition;
  /** The category test alone (absent for `any`): a cheap necessary condition of `condition`,
   * for a matcher that checks something else (its join keys) before the whole filter. */
  inCategory?: EventCondition;
  /** Join keys of this stage: shared `by` keys first, then the stage's own `by` keys. */
  keys: KeyExpression[];
  /** `with runs=N` on this stage (1 when absent). */
  runs: number;
  /** A missing-event stage `![...]` of a sequence. */
  missing: boolean;
  /** The stage text, for error messages and explain output. */
  source: string;
  /**
   * Necessary conditions for pre-filtering (added by the compiler; absent = unknown): the stage
   * can only match an event in which, for EVERY entry, `field` has one of `values` (any value of
   * a multi-valued field; compared lower-cased when `caseInsensitive`, the values then being
   * lower-case already). Drawn from top-level `and` conjuncts such as `process.name in (...)`,
   * `event.action == "exec"` or `file.name : "x"`; never from negations or wildcards.
   */
  literals?: StageLiteral[];
  /** Present when some join key is an optional field (`?field`): one flag per entry of `keys`.
   * Elasticsearch joins optional keys on null instead of dropping the event. */
  optionalKeys?: boolean[];
}

export interface StageLiteral {
  field: string;
  values: string[];
  caseInsensitive: boolean;
}

export type CompiledPipe = { kind: 'head'; count: number } | { kind: 'tail'; count: number };

interface CompiledBase {
  /** The query text as given. */
  source: string;
  pipes: CompiledPipe[];
  /** Field that orders events (default `@timestamp`) and optional tiebreaker field. */
  timestampField: string;
  tiebreakerField?: string;
}

/** `<category> where <condition>`: one stage, no keys. */
export interface CompiledEventQuery extends CompiledBase {
  kind: 'event';
  stages: [CompiledStage];
}

/** `sequence [by k] [with maxspan=...] [stage]... [until [stage]]`. */
export interface CompiledSequenceQuery extends CompiledBase {
  kind: 'sequence';
  stages: CompiledStage[];
  /** Max time from the first to the last event of a sequence, in ms; undefined = unbounded. */
  maxspanMs?: number;
  until?: CompiledStage;
}

/** `sample by k [stage]...`. */
export interface CompiledSampleQuery extends CompiledBase {
  kind: 'sample';
  stages: CompiledStage[];
}

export type CompiledEql = CompiledEventQuery | CompiledSequenceQuery | CompiledSampleQuery;

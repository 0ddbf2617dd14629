/**
 * The compiled EQL shapes the matchers consume.
 *
 * These mirror the contract in `libs/rules/src/eql/compiled.ts` (CompiledEql) structurally:
 * TypeScript is structural, so the compiler's objects are accepted as they are. They are
 * restated here (only the members the matchers read) so the engine does not depend on the
 * rules library's internal layout.
 */

/** A document predicate over one event. EQL `null` counts as false. */
export type EqlEventCondition = (event: unknown) => boolean;

/** One join-key expression evaluated on one event; `null`/`undefined` when missing. */
export type EqlKeyExpression = (event: unknown) => unknown;

export interface EqlStage {
  category: string | null;
  condition: EqlEventCondition;
  /** The category test alone (absent: any category), a necessary condition of `condition`. */
  inCategory?: EqlEventCondition;
  keys: EqlKeyExpression[];
  /** `with runs=N` (1 when absent). */
  runs: number;
  /** A missing-event stage `![...]`. */
  missing: boolean;
  source: string;
  /**
   * Optional: per key, whether it is an optional field (`?field`). Optional keys join on
   * `null` (Elasticsearch samples); when absent every key is required (a null key never joins).
   */
  optionalKeys?: boolean[];
}

export type EqlPipe = { kind: 'head'; count: number } | { kind: 'tail'; count: number };

interface EqlQueryBase {
  source: string;
  pipes: EqlPipe[];
  timestampField: string;
  tiebreakerField?: string;
}

export interface EqlEventQuery extends EqlQueryBase {
  kind: 'event';
  stages: [EqlStage] | EqlStage[];
}

export interface EqlSequenceQuery extends EqlQueryBase {
  kind: 'sequence';
  stages: EqlStage[];
  maxspanMs?: number;
  until?: EqlStage;
}

export interface EqlSampleQuery extends EqlQueryBase {
  kind: 'sample';
  stages: EqlStage[];
}

export type EqlQuery = EqlEventQuery | EqlSequenceQuery | EqlSampleQuery;

/** The placeholder Elasticsearch returns for the stage of a missing event `![...]`. */
export interface MissingEventPlaceholder {
  missing: true;
}

/** Result shapes of `sequent search` (Elasticsearch's `hits` shapes). */
export interface EqlEventsResult {
  events: unknown[];
}
export interface EqlSequencesResult {
  sequences: { join_keys: unknown[]; events: unknown[] }[];
}
export interface EqlSamplesResult {
  samples: { join_keys: unknown[]; events: unknown[] }[];
}
export type EqlSearchResult = EqlEventsResult | EqlSequencesResult | EqlSamplesResult;

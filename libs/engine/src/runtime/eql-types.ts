/**
 * The compiled-EQL types, reached through the CompiledRule seam of @sequent/rules (its EQL
 * module is not re-exported from the package index).
 */
import type { RuleMatcher } from '@sequent/rules';

export type CompiledEql = Extract<RuleMatcher, { kind: 'eql' }>['eql'];
export type CompiledSequenceQuery = Extract<CompiledEql, { kind: 'sequence' }>;
export type CompiledEventQuery = Extract<CompiledEql, { kind: 'event' }>;
export type CompiledStage = CompiledSequenceQuery['stages'][number];

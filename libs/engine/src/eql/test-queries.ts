/**
 * Hand-built compiled queries for the matcher's unit and property tests, so the matcher can
 * be tested without the EQL parser.
 */
import { compileFieldGetter } from '@sequent/ecs';
import type { EqlEventQuery, EqlPipe, EqlSampleQuery, EqlSequenceQuery, EqlStage } from './types';

export interface StageSpec {
  where: (event: Record<string, unknown>) => boolean;
  by?: string[];
  runs?: number;
  missing?: boolean;
  optional?: boolean[];
}

export function stage(spec: StageSpec, sharedBy: string[] = []): EqlStage {
  const keys = [...sharedBy, ...(spec.by ?? [])].map((f) => compileFieldGetter(f));
  return {
    category: null,
    condition: (e) => e !== null && typeof e === 'object' && spec.where(e as Record<string, unknown>),
    keys,
    runs: spec.runs ?? 1,
    missing: spec.missing ?? false,
    source: spec.where.toString(),
    optionalKeys: spec.optional,
  };
}

const base = { timestampField: '@timestamp', tiebreakerField: undefined as string | undefined };

export function eventQuery(where: StageSpec['where'], pipes: EqlPipe[] = []): EqlEventQuery {
  return { ...base, kind: 'event', source: 'test', pipes, stages: [stage({ where })] };
}

export function sequenceQuery(
  stages: StageSpec[],
  opts: { by?: string[]; maxspanMs?: number; until?: StageSpec; pipes?: EqlPipe[] } = {},
): EqlSequenceQuery {
  return {
    ...base,
    kind: 'sequence',
    source: 'test',
    pipes: opts.pipes ?? [],
    stages: stages.map((s) => stage(s, opts.by)),
    maxspanMs: opts.maxspanMs,
    until: opts.until ? stage(opts.until, opts.by) : undefined,
  };
}

export function sampleQuery(
  stages: StageSpec[],
  opts: { by?: string[]; pipes?: EqlPipe[] } = {},
): EqlSampleQuery {
  return {
    ...base,
    kind: 'sample',
    source: 'test',
    pipes: opts.pipes ?? [],
    stages: stages.map((s) => stage(s, opts.by)),
  };
}

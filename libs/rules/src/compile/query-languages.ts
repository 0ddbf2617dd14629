/**
 * The seam to the query languages: KQL (`../kql`) and EQL (`../eql`) compilers are injected
 * through `QueryLanguages`, so rule compilation can be tested on its own and the loader wires
 * the real ones (./default-languages).
 */
import type { Condition, PrefilterHints, RuleMatcher } from '../compiled-rule';
import { categoriesFromStages } from './prefilter';

export type CompiledEqlQuery = Extract<RuleMatcher, { kind: 'eql' }>['eql'];

/** Rule settings that change how EQL reads events (Kibana's EQL rule fields). */
export interface EqlRuleOptions {
  /** `event_category_override`: the field `<category> where` tests instead of event.category. */
  eventCategoryField?: string;
  timestampField?: string;
  tiebreakerField?: string;
}

export interface QueryLanguages {
  kql(query: string): Condition;
  eql(query: string, options: EqlRuleOptions): CompiledEqlQuery;
}

interface StageLike {
  category?: string | null;
  condition?: Condition;
}

/** The stages of a compiled EQL query whose events matter (incl. `until` and missing stages). */
function stagesOf(eql: CompiledEqlQuery): StageLike[] | undefined {
  const e = eql as unknown as { stages?: unknown; until?: unknown };
  if (!Array.isArray(e.stages)) return undefined;
  const stages = [...(e.stages as StageLike[])];
  if (e.until !== undefined && e.until !== null) stages.push(e.until as StageLike);
  return stages;
}

/** Event categories an event must have for an EQL rule to use it (empty hint when unsure). */
export function eqlPrefilter(eql: CompiledEqlQuery): PrefilterHints {
  const stages = stagesOf(eql);
  if (!stages || stages.some((s) => !('category' in s))) return {};
  return categoriesFromStages(stages.map((s) => s.category));
}

/**
 * Restricts every stage of an EQL query to events that also pass `filter` (the rule's Kibana
 * filters, which Kibana sends with the EQL search as a query-DSL filter).
 */
export function withEventFilter(eql: CompiledEqlQuery, filter: Condition): CompiledEqlQuery {
  const wrap = (stage: unknown): unknown => {
    const s = stage as StageLike;
    if (typeof s?.condition !== 'function')
      throw new Error('the compiled EQL query has a stage without a condition');
    const inner = s.condition;
    return { ...s, condition: (doc: unknown) => filter(doc) && inner(doc) };
  };
  const e = eql as unknown as { stages?: unknown[]; until?: unknown };
  if (!Array.isArray(e.stages)) throw new Error('filters cannot be applied to this compiled EQL query');
  const out: Record<string, unknown> = {
    ...(eql as unknown as Record<string, unknown>),
    stages: e.stages.map(wrap),
  };
  if (e.until !== undefined && e.until !== null) out.until = wrap(e.until);
  return out as unknown as CompiledEqlQuery;
}

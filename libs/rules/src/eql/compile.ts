/**
 * `compileEql`: EQL text → the CompiledEql contract (./compiled) the matchers run.
 * `compileEqlCondition`: a bare condition or `<category> where <condition>` → one predicate
 * (what `sequent match` checks documents against).
 */
import { compileEqlFieldGetter } from './field-access';
import type { EventFilterNode, ExprNode, QueryNode, StageNode } from './ast';
import type { CompiledEql, CompiledPipe, CompiledStage, EventCondition } from './compiled';
import { compileCondition } from './condition';
import { compileKey } from './evaluate';
import { stageLiterals } from './literals';
import { parseConditionText, parseStatement } from './parser';
import { Verifier } from './verify';

export interface EqlCompileOptions {
  /** Field `<category> where` tests (Kibana's `event_category_override`); default `event.category`. */
  eventCategoryField?: string;
  /** Field that orders events; default `@timestamp`. */
  timestampField?: string;
  tiebreakerField?: string;
}

const DEFAULT_CATEGORY_FIELD = 'event.category';
const DEFAULT_TIMESTAMP_FIELD = '@timestamp';

/** Parses and verifies an EQL statement (throws EqlSyntaxError / EqlVerificationError). */
export function parseEql(text: string): QueryNode {
  const query = parseStatement(text);
  new Verifier(text).query(query);
  return query;
}

export function compileEql(text: string, options: EqlCompileOptions = {}): CompiledEql {
  const query = parseEql(text);
  const categoryField = options.eventCategoryField || DEFAULT_CATEGORY_FIELD;
  const base = {
    source: text,
    pipes: query.pipes.map((p): CompiledPipe => ({ kind: p.kind, count: p.count })),
    timestampField: options.timestampField || DEFAULT_TIMESTAMP_FIELD,
    ...(options.tiebreakerField ? { tiebreakerField: options.tiebreakerField } : {}),
  };
  const slice = (s: { start: number; end: number }): string => text.slice(s.start, s.end);
  switch (query.kind) {
    case 'event': {
      const stage = compileStage(query.filter, [], 1, false, slice(query.filter.span), categoryField);
      return { ...base, kind: 'event', stages: [stage] };
    }
    case 'sequence': {
      const stage = (s: StageNode): CompiledStage =>
        compileStage(s.filter, [...query.keys, ...s.keys], s.runs, s.missing, slice(s.span), categoryField);
      return {
        ...base,
        kind: 'sequence',
        stages: query.stages.map(stage),
        ...(query.maxspan ? { maxspanMs: query.maxspan.ms } : {}),
        ...(query.until ? { until: stage(query.until) } : {}),
      };
    }
    case 'sample':
      return {
        ...base,
        kind: 'sample',
        stages: query.stages.map((s) =>
          compileStage(s.filter, [...query.keys, ...s.keys], s.runs, false, slice(s.span), categoryField),
        ),
      };
  }
}

/** A condition for single documents: `<condition>`, `<category> where <condition>` or `any where ...`. */
export function compileEqlCondition(text: string, options: EqlCompileOptions = {}): EventCondition {
  const { category, condition } = parseConditionText(text);
  new Verifier(text).condition(condition);
  return withCategory(
    category ?? null,
    compileCondition(condition),
    options.eventCategoryField || DEFAULT_CATEGORY_FIELD,
  );
}

function compileStage(
  filter: EventFilterNode,
  keys: ExprNode[],
  runs: number,
  missing: boolean,
  source: string,
  categoryField: string,
): CompiledStage {
  const optionalKeys = keys.map((k) => k.kind === 'field' && k.optional);
  const inCategory = categoryTest(filter.category, categoryField);
  return {
    category: filter.category,
    condition: inCategoryAnd(inCategory, compileCondition(filter.condition)),
    ...(inCategory === undefined ? {} : { inCategory }),
    keys: keys.map(compileKey),
    runs,
    missing,
    source,
    literals: stageLiterals(filter.condition),
    ...(optionalKeys.some(Boolean) ? { optionalKeys } : {}),
  };
}

/** `process where ...` holds when the category field (any of its values) is exactly `process`. */
function withCategory(
  category: string | null,
  condition: EventCondition,
  categoryField: string,
): EventCondition {
  return inCategoryAnd(categoryTest(category, categoryField), condition);
}

function inCategoryAnd(inCategory: EventCondition | undefined, condition: EventCondition): EventCondition {
  return inCategory === undefined ? condition : (event) => inCategory(event) && condition(event);
}

/** The category test of `<category> where` (undefined for `any`). */
function categoryTest(category: string | null, categoryField: string): EventCondition | undefined {
  if (category === null) return undefined;
  const get = compileEqlFieldGetter(categoryField);
  return (event) => {
    const v = get(event);
    return v === category || (Array.isArray(v) && v.includes(category));
  };
}

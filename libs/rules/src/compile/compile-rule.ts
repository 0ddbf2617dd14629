/**
 * RuleDefinition → CompiledRule (what the engine runs) or UnsupportedRule (loaded, reported,
 * never run: ES|QL, machine learning, indicator match, Lucene queries).
 */
import type {
  CompiledRule,
  Condition,
  PrefilterHints,
  RuleMatcher,
  RuleMeta,
  UnsupportedRule,
} from '../compiled-rule';
import { compileExceptionItems } from '../exceptions/compile-exceptions';
import type { ValueLists } from '../exceptions/value-lists';
import { compileIndexPatterns, DEFAULT_SECURITY_INDEX } from '../index-pattern/index-pattern';
import type { RuleDefinition } from '../schema/definition';
import type { ExceptionItem } from '../schema/exception-schema';
import { DEFAULT_FROM, DEFAULT_INTERVAL, parseLookbackMs, thresholdWindowMs } from './duration';
import { categoriesFromKql } from './prefilter';
import { compileKibanaFilters } from './query-dsl';
import { eqlPrefilter, withEventFilter, type CompiledEqlQuery, type QueryLanguages } from './query-languages';
import { uuidFromRuleId } from './rule-uuid';

export interface CompileContext {
  /** The KQL and EQL compilers (see ./query-languages for the defaults). */
  languages: QueryLanguages;
  /** The exception items of the lists the rule references (resolved by the loader). */
  exceptionItems?: readonly ExceptionItem[];
  valueLists?: ValueLists;
  /** Epoch ms: expired exception items are dropped relative to it (default: now). */
  now?: number;
  /** Where the rule came from, recorded in `meta.source`. */
  source?: string;
}

/** A rule that could not be compiled; `field` names the offending field. */
export class RuleCompileError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'RuleCompileError';
  }
}

export function isUnsupportedRule(r: CompiledRule | UnsupportedRule): r is UnsupportedRule {
  return 'reason' in r && !('matcher' in r);
}

const UNSUPPORTED_TYPES: Partial<Record<RuleMeta['type'], string>> = {
  esql: 'ES|QL rules run a query pipeline over an index; the stream evaluates EQL and KQL only',
  machine_learning:
    'machine learning rules read anomaly-detection job results, which the stream does not produce',
  threat_match:
    'indicator match rules join events with a threat-intelligence index, which the stream does not hold',
};

export function ruleMeta(def: RuleDefinition, source?: string): RuleMeta {
  const meta: RuleMeta = {
    rule_id: def.rule_id,
    uuid: def.id ?? uuidFromRuleId(def.rule_id),
    name: def.name,
    description: def.description,
    type: def.type,
    version: def.version,
    risk_score: def.risk_score,
    severity: def.severity,
    risk_score_mapping: def.risk_score_mapping.map((m) => ({ ...m })),
    severity_mapping: def.severity_mapping.map((m) => ({ ...m })),
    tags: [...def.tags],
    threat: structuredClone(def.threat),
    references: [...def.references],
    author: [...def.author],
    index: def.index ? [...def.index] : [],
    max_signals: def.max_signals,
  };
  const optional = {
    language: def.language,
    rule_name_override: def.rule_name_override,
    timestamp_override: def.timestamp_override,
    building_block_type: def.building_block_type,
    note: def.note,
    setup: def.setup,
    license: def.license,
    // Kibana's defaults, so that alerts always state the schedule the rule was written for.
    from: def.from ?? DEFAULT_FROM,
    interval: def.interval ?? DEFAULT_INTERVAL,
    query: def.query,
    data_view_id: def.data_view_id,
    event_category_override: def.event_category_override,
    tiebreaker_field: def.tiebreaker_field,
    timestamp_field: def.timestamp_field,
    source,
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (meta as unknown as Record<string, unknown>)[k] = v;
  if (def.alert_suppression) meta.alert_suppression = structuredClone(def.alert_suppression);
  if (def.investigation_fields) meta.investigation_fields = [...def.investigation_fields];
  if (def.required_fields)
    meta.required_fields = def.required_fields.map((f) => ({ name: f.name, type: f.type }));
  return meta;
}

const always: Condition = () => true;

export function compileRule(def: RuleDefinition, ctx: CompileContext): CompiledRule | UnsupportedRule {
  const meta = ruleMeta(def, ctx.source);
  const unsupportedType = UNSUPPORTED_TYPES[def.type];
  if (unsupportedType) return { meta, reason: unsupportedType };
  if (def.language === 'lucene')
    return { meta, reason: 'Lucene query syntax is not supported (KQL and EQL are)' };

  const filters = compileKibanaFilters(def.filters);
  if (filters.issues.length > 0) {
    const first = filters.issues[0];
    throw new RuleCompileError(first.path.join('.'), `expected ${first.expected}`);
  }

  let isExcepted: Condition;
  try {
    isExcepted = compileExceptionItems(ctx.exceptionItems ?? [], {
      valueLists: ctx.valueLists,
      now: ctx.now,
    });
  } catch (err) {
    throw new RuleCompileError('exceptions_list', (err as Error).message);
  }

  // Kibana sends the rule's filters and its exceptions (as must_not) with every search the
  // rule makes, so an event they exclude is invisible to the rule: it cannot fill a sequence
  // stage, teach a new term or count towards a threshold. They are folded into the matcher
  // for that reason; `isExcepted` stays available for checks on candidate alerts.
  const hasFilters = def.filters.length > 0;
  const hasExceptions = (ctx.exceptionItems ?? []).length > 0;
  const filterCondition = filters.condition;
  const eventFilter: Condition | undefined =
    hasFilters && hasExceptions
      ? (doc) => filterCondition(doc) && !isExcepted(doc)
      : hasFilters
        ? filterCondition
        : hasExceptions
          ? (doc) => !isExcepted(doc)
          : undefined;

  let matcher: RuleMatcher;
  let prefilter: PrefilterHints;
  const query = def.query ?? '';
  if (def.type === 'eql') {
    let eql: CompiledEqlQuery;
    try {
      eql = ctx.languages.eql(query, {
        eventCategoryField: def.event_category_override,
        timestampField: def.timestamp_field,
        tiebreakerField: def.tiebreaker_field,
      });
    } catch (err) {
      throw new RuleCompileError('query', `EQL: ${(err as Error).message}`);
    }
    if (eventFilter) eql = withEventFilter(eql, eventFilter);
    matcher = { kind: 'eql', eql };
    prefilter = def.event_category_override ? {} : eqlPrefilter(eql);
  } else {
    let condition: Condition;
    if (query.trim() === '') condition = always;
    else {
      try {
        condition = ctx.languages.kql(query);
      } catch (err) {
        throw new RuleCompileError('query', `KQL: ${(err as Error).message}`);
      }
    }
    if (eventFilter) {
      const q = condition;
      condition = (doc) => q(doc) && eventFilter(doc);
    }
    matcher = { kind: 'filter', condition };
    prefilter = categoriesFromKql(query);
  }

  const compiled: CompiledRule = {
    meta,
    matchesIndex: compileIndexPatterns(
      def.index && def.index.length > 0 ? def.index : DEFAULT_SECURITY_INDEX,
    ),
    matcher,
    isExcepted,
    prefilter,
  };
  if (def.type === 'new_terms') {
    const windowMs = parseLookbackMs(def.history_window_start ?? '');
    if (!def.new_terms_fields || windowMs === undefined)
      throw new RuleCompileError(
        'new_terms',
        'expected new terms fields and a history window such as now-7d',
      );
    compiled.newTerms = { fields: [...def.new_terms_fields], historyWindowMs: windowMs };
  }
  if (def.type === 'threshold') {
    if (!def.threshold) throw new RuleCompileError('threshold', 'expected a threshold (field, value)');
    compiled.threshold = {
      fields: [...def.threshold.field],
      value: def.threshold.value,
      windowMs: thresholdWindowMs(def.from, def.interval),
      ...(def.threshold.cardinality.length > 0
        ? { cardinality: def.threshold.cardinality.map((c) => ({ ...c })) }
        : {}),
    };
  }
  return compiled;
}

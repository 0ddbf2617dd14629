/**
 * A rule made ready to run: its kind, the pieces its kind needs (condition, sequence matcher,
 * term or group getters), a cache of index-pattern answers, and the key that names its state
 * (changes when the rule's logic changes, so a reloaded rule that changed starts fresh and an
 * unchanged one keeps its state).
 */
import { compileFieldGetter, type FieldGetter } from '@sequent/ecs';
import type { CompiledRule, Condition, RuleMeta } from '@sequent/rules';
import { canonicalJson, sha256Hex } from '../event/event-id';
import { SequenceRunner } from './sequence-runner';

export const DEFAULT_MAX_KEYS_PER_RULE = 100_000;

export type RuleKind = 'filter' | 'sequence' | 'new_terms' | 'threshold';

export interface RuleStats {
  evaluations: number;
  alerts: number;
  /** Evaluation time in ms (only when the engine profiles). */
  timeMs: number;
  /** Evaluations that threw. */
  errors: number;
}

export interface RuleRuntime {
  ordinal: number;
  rule: CompiledRule;
  meta: RuleMeta;
  ruleKey: string;
  kind: RuleKind;
  /** filter, new_terms, threshold and EQL event queries. */
  condition?: Condition;
  /** The alert kind for filter rules: `query` (KQL) or `eql` (an EQL event query). */
  filterAlertKind?: 'query' | 'eql';
  sequence?: SequenceRunner;
  termGetters?: FieldGetter[];
  groupGetters?: FieldGetter[];
  cardinalityGetters?: FieldGetter[];
  /** How long (event time) its state may matter: the TTL hint for durable stores. */
  retentionMs: number;
  indexCache: Map<string | null, boolean>;
  /** The last index answered (events of one stream mostly share a few indices). */
  lastIndex: string | null | undefined;
  lastIndexOk: boolean;
  stats: RuleStats;
  /** Scratch mark the engine uses to de-duplicate the active gated rules of an event. */
  mark: number;
  /** Filed in the rule index by its starting stages only (sequences). */
  gated: boolean;
  /** Lower-cased prefilter categories (empty: any). */
  categories: string[];
}

export interface RuntimeBuildOptions {
  /** Most join keys one sequence rule tracks per partition (least recently active evicted). */
  maxKeysPerRule?: number;
  /** Retention for sequences without maxspan (ms of event time): the durable store's TTL. */
  unboundedSequenceRetentionMs?: number;
}

/** A rule the engine loaded but will not run, and why. */
export interface SkippedRule {
  meta: RuleMeta;
  reason: string;
}

/** The state key of a rule: its identity and everything that shapes its state. */
export function ruleStateKey(rule: CompiledRule): string {
  const m = rule.meta;
  return sha256Hex(
    canonicalJson({
      uuid: m.uuid,
      version: m.version,
      type: m.type,
      language: m.language ?? null,
      query: m.query ?? null,
      index: m.index,
      newTerms: rule.newTerms ?? null,
      threshold: rule.threshold ?? null,
    }),
  ).slice(0, 20);
}

export function buildRuntime(
  rule: CompiledRule,
  ordinal: number,
  options: RuntimeBuildOptions = {},
): RuleRuntime | SkippedRule {
  const base = {
    ordinal,
    rule,
    meta: rule.meta,
    ruleKey: ruleStateKey(rule),
    retentionMs: 0,
    indexCache: new Map<string | null, boolean>(),
    lastIndex: undefined,
    lastIndexOk: false,
    stats: { evaluations: 0, alerts: 0, timeMs: 0, errors: 0 },
    mark: 0,
    gated: false,
    categories: (rule.prefilter.categories ?? []).map((c) => c.toLowerCase()),
  };
  const matcher = rule.matcher;
  if (matcher.kind === 'eql') {
    const eql = matcher.eql;
    if (eql.kind === 'event') {
      return { ...base, kind: 'filter', condition: eql.stages[0].condition, filterAlertKind: 'eql' };
    }
    if (eql.kind === 'sample')
      return { meta: rule.meta, reason: 'EQL sample queries are not run in the stream' };
    let sequence: SequenceRunner;
    try {
      sequence = new SequenceRunner(eql, options.maxKeysPerRule ?? DEFAULT_MAX_KEYS_PER_RULE);
    } catch (err) {
      return { meta: rule.meta, reason: `sequence: ${(err as Error).message}` };
    }
    return {
      ...base,
      kind: 'sequence',
      sequence,
      retentionMs: sequence.maxspanMs ?? options.unboundedSequenceRetentionMs ?? 86_400_000,
    };
  }
  const condition = matcher.condition;
  if (rule.meta.type === 'new_terms') {
    if (!rule.newTerms) return { meta: rule.meta, reason: 'new_terms rule without new terms settings' };
    return {
      ...base,
      kind: 'new_terms',
      condition,
      termGetters: rule.newTerms.fields.map(compileFieldGetter),
      retentionMs: rule.newTerms.historyWindowMs,
    };
  }
  if (rule.meta.type === 'threshold') {
    if (!rule.threshold) return { meta: rule.meta, reason: 'threshold rule without threshold settings' };
    return {
      ...base,
      kind: 'threshold',
      condition,
      groupGetters: rule.threshold.fields.map(compileFieldGetter),
      cardinalityGetters: (rule.threshold.cardinality ?? []).map((c) => compileFieldGetter(c.field)),
      retentionMs: rule.threshold.windowMs,
    };
  }
  return { ...base, kind: 'filter', condition, filterAlertKind: 'query' };
}

/**
 * Inserts `rt` into the first `length` entries of `list` (all of it by default), which are in
 * rule order, keeping that order (lists are short); returns the new length.
 */
export function insertInRuleOrder(list: RuleRuntime[], rt: RuleRuntime, length = list.length): number {
  let at = length;
  while (at > 0 && list[at - 1].ordinal > rt.ordinal) {
    list[at] = list[at - 1];
    at--;
  }
  list[at] = rt;
  return length + 1;
}

export function isSkipped(r: RuleRuntime | SkippedRule): r is SkippedRule {
  return 'reason' in r;
}

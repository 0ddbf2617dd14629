/**
 * Raw rule object (from TOML, NDJSON or JSON) → RuleDefinition, or the list of its problems.
 */
import { isForbiddenSegment } from '@sequent/ecs';
import type { RuleMeta, RuleType, ThreatEntry } from '../compiled-rule';
import type { RuleDefinition } from './definition';
import { formatIssue } from './issues';
import { fromZodIssues } from './issues';
import {
  LANGUAGES_BY_TYPE,
  ruleSchema,
  ruleSemanticIssues,
  type RawRule,
  type RuleIssue,
} from './rule-schema';

export interface RuleValidationContext {
  /** Where the rule came from (file, or file:line for NDJSON). */
  source: string;
  /** Prefix for field paths in messages, e.g. `rule` for TOML (`rule.risk_score`). */
  pathPrefix?: string;
}

/** What we could read of a rule even when it is invalid, for reports. */
export interface RuleIdentity {
  rule_id?: string;
  name?: string;
  type?: string;
  language?: string;
}

export type RuleValidationResult =
  | { ok: true; definition: RuleDefinition; identity: RuleIdentity }
  | { ok: false; errors: string[]; identity: RuleIdentity };

export function identityOf(raw: unknown): RuleIdentity {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const r = raw as Record<string, unknown>;
  const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const type = s(r.type);
  const language =
    s(r.language) ??
    (type && type in LANGUAGES_BY_TYPE
      ? LANGUAGES_BY_TYPE[type as keyof typeof LANGUAGES_BY_TYPE][0]
      : undefined);
  return { rule_id: s(r.rule_id), name: s(r.name), type, language };
}

export function validateRuleObject(raw: unknown, ctx: RuleValidationContext): RuleValidationResult {
  const identity = identityOf(raw);
  const fmt = (i: RuleIssue): string => formatIssue(i, ctx.source, identity.rule_id, ctx.pathPrefix);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, identity, errors: [fmt({ path: [], expected: 'a rule object', got: raw })] };
  }
  const parsed = ruleSchema.safeParse(raw, { reportInput: true });
  const issues: RuleIssue[] = parsed.success ? [] : fromZodIssues(parsed.error.issues, raw);
  const seen = new Set(issues.map((i) => i.path.join('.')));
  for (const extra of ruleSemanticIssues(raw as Record<string, unknown>)) {
    if (!seen.has(extra.path.join('.'))) issues.push(extra);
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, identity, errors: issues.map(fmt) };
  return { ok: true, identity, definition: normalize(parsed.data) };
}

const KNOWN_KEYS = new Set([
  'rule_id', 'id', 'name', 'description', 'type', 'language', 'query', 'index', 'data_view_id', 'filters', 'from',
  'to', 'interval', 'max_signals', 'risk_score', 'risk_score_mapping', 'severity', 'severity_mapping',
  'rule_name_override', 'timestamp_override', 'timestamp_override_fallback_disabled', 'building_block_type',
  'alert_suppression', 'new_terms', 'new_terms_fields', 'history_window_start', 'threshold', 'threat', 'tags',
  'author', 'references', 'false_positives', 'note', 'setup', 'license', 'required_fields', 'investigation_fields',
  'exceptions_list', 'version', 'enabled', 'event_category_override', 'tiebreaker_field', 'timestamp_field',
]); // prettier-ignore

function normalize(r: RawRule): RuleDefinition {
  const type = r.type as RuleType;
  const languages = LANGUAGES_BY_TYPE[r.type];
  const extra: Record<string, unknown> = {};
  // `__proto__` & co. are dropped: assigning them would re-parent the object.
  for (const [k, v] of Object.entries(r)) if (!KNOWN_KEYS.has(k) && !isForbiddenSegment(k)) extra[k] = v;

  const def: RuleDefinition = {
    rule_id: r.rule_id,
    name: r.name,
    description: r.description,
    type,
    filters: r.filters ?? [],
    max_signals: r.max_signals ?? 100,
    risk_score: r.risk_score,
    risk_score_mapping: (r.risk_score_mapping ?? []).map((m) => ({
      field: m.field,
      operator: 'equals' as const,
      value: m.value ?? '',
      ...(m.risk_score !== undefined ? { risk_score: m.risk_score } : {}),
    })),
    severity: r.severity,
    severity_mapping: (r.severity_mapping ?? []).map((m) => ({
      field: m.field,
      operator: 'equals' as const,
      value: m.value,
      severity: m.severity,
    })),
    threat: (r.threat ?? []) as ThreatEntry[],
    tags: r.tags ?? [],
    author: r.author ?? [],
    references: r.references ?? [],
    false_positives: r.false_positives ?? [],
    exceptions_list: r.exceptions_list ?? [],
    version: r.version ?? 1,
    extra,
  };
  const language = r.language ?? languages[0];
  if (language !== undefined && languages.length > 0) def.language = language;
  copyDefined(def, r, [
    'id', 'query', 'index', 'data_view_id', 'from', 'to', 'interval', 'rule_name_override', 'timestamp_override',
    'timestamp_override_fallback_disabled', 'building_block_type', 'note', 'setup', 'license', 'enabled',
    'event_category_override', 'tiebreaker_field', 'timestamp_field',
  ]); // prettier-ignore
  if (r.required_fields) def.required_fields = r.required_fields.map((f) => ({ ...f }));

  if (r.alert_suppression) def.alert_suppression = normalizeSuppression(r.alert_suppression);
  if (r.new_terms) {
    def.new_terms_fields = [...r.new_terms.value];
    def.history_window_start = r.new_terms.history_window_start[0].value;
  } else {
    if (r.new_terms_fields) def.new_terms_fields = [...r.new_terms_fields];
    if (r.history_window_start) def.history_window_start = r.history_window_start;
  }
  if (r.threshold) {
    const field = r.threshold.field;
    def.threshold = {
      field: (Array.isArray(field) ? field : [field]).filter((f) => f.trim() !== ''),
      value: r.threshold.value,
      cardinality: (r.threshold.cardinality ?? []).map((c) => ({ field: c.field, value: c.value })),
    };
  }
  if (r.investigation_fields) {
    def.investigation_fields = Array.isArray(r.investigation_fields)
      ? [...r.investigation_fields]
      : [...r.investigation_fields.field_names];
  }
  return def;
}

function normalizeSuppression(s: NonNullable<RawRule['alert_suppression']>): RuleMeta['alert_suppression'] {
  return {
    group_by: s.group_by ? [...s.group_by] : [],
    ...(s.duration ? { duration: { value: s.duration.value, unit: s.duration.unit } } : {}),
    missing_fields_strategy: s.missing_fields_strategy ?? 'suppress',
  };
}

function copyDefined<K extends keyof RuleDefinition & keyof RawRule>(
  target: RuleDefinition,
  source: RawRule,
  keys: K[],
): void {
  for (const k of keys) {
    const v = source[k];
    if (v !== undefined) (target as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
  }
}

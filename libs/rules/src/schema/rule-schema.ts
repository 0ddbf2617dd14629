/**
 * The fields of a rule that the engine or the alerter use, validated with zod. The schema
 * accepts both spellings rules come in: Kibana's API / export format (`new_terms_fields`,
 * `history_window_start`, `investigation_fields: {field_names}`) and detection-rules TOML
 * (`[rule.new_terms]` with `field`/`value`/`history_window_start`). Unknown extra fields are
 * allowed: real rules carry many we do not need (related_integrations, actions, meta, ...).
 *
 * Type-dependent requirements (a query for query-like rules, `threshold` for threshold
 * rules, the language a type allows, date-math syntax, filters the evaluator supports) are
 * checked in one refinement so that every bad field yields its own issue.
 */
import { z } from 'zod';
import { compileKibanaFilters } from '../compile/query-dsl';
import { parseLookbackMs, parseTimeSpanMs } from '../compile/duration';
import { exceptionListRefSchema } from './exception-schema';

const nonEmpty = z.string().min(1);
const stringList = z.array(z.string());
/** Integers say so in errors even when the input is not a number at all. */
const integer = (): z.ZodInt =>
  z.int({ error: (iss) => (iss.code === 'invalid_type' ? 'an integer' : undefined) });

export const RULE_TYPES = [
  'query',
  'eql',
  'new_terms',
  'threshold',
  'esql',
  'machine_learning',
  'threat_match',
] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

const severity = z.enum(SEVERITIES);
const riskScore = integer().min(0).max(100);

const threatRef = z.looseObject({ id: nonEmpty, name: nonEmpty, reference: z.string().optional() });
const threatSchema = z.looseObject({
  framework: nonEmpty,
  tactic: threatRef,
  technique: z.array(threatRef.extend({ subtechnique: z.array(threatRef).optional() })).optional(),
});

const alertSuppressionSchema = z.looseObject({
  group_by: z.array(nonEmpty).min(1).max(3).optional(),
  duration: z.looseObject({ value: integer().min(1), unit: z.enum(['s', 'm', 'h']) }).optional(),
  missing_fields_strategy: z.enum(['suppress', 'doNotSuppress']).optional(),
});

const newTermsTomlSchema = z.looseObject({
  field: z.literal('new_terms_fields'),
  value: z.array(nonEmpty).min(1).max(3),
  history_window_start: z
    .array(z.looseObject({ field: z.literal('history_window_start'), value: nonEmpty }))
    .min(1)
    .max(1),
});

const thresholdSchema = z.looseObject({
  field: z.union([z.string(), z.array(z.string()).max(5)], {
    error: 'a field name or a list of up to 5 field names',
  }),
  value: integer().min(1),
  cardinality: z.array(z.looseObject({ field: nonEmpty, value: integer().min(0) })).optional(),
});

export const ruleSchema = z.looseObject({
  rule_id: nonEmpty,
  id: z.string().optional(),
  name: nonEmpty,
  description: z.string(),
  type: z.enum(RULE_TYPES),
  language: z.string().optional(),
  query: z.string().optional(),
  index: z.array(nonEmpty).optional(),
  data_view_id: z.string().optional(),
  filters: z.array(z.unknown()).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  interval: z.string().optional(),
  max_signals: integer().min(1).optional(),
  risk_score: riskScore,
  risk_score_mapping: z
    .array(
      z.looseObject({
        field: nonEmpty,
        operator: z.literal('equals').optional(),
        value: z.string().optional(),
        risk_score: riskScore.optional(),
      }),
    )
    .optional(),
  severity,
  severity_mapping: z
    .array(
      z.looseObject({
        field: nonEmpty,
        operator: z.literal('equals').optional(),
        value: z.string(),
        severity,
      }),
    )
    .optional(),
  rule_name_override: nonEmpty.optional(),
  timestamp_override: nonEmpty.optional(),
  timestamp_override_fallback_disabled: z.boolean().optional(),
  building_block_type: nonEmpty.optional(),
  alert_suppression: alertSuppressionSchema.optional(),
  new_terms: newTermsTomlSchema.optional(),
  new_terms_fields: z.array(nonEmpty).min(1).max(3).optional(),
  history_window_start: nonEmpty.optional(),
  threshold: thresholdSchema.optional(),
  threat: z.array(threatSchema).optional(),
  tags: stringList.optional(),
  author: stringList.optional(),
  references: stringList.optional(),
  false_positives: stringList.optional(),
  note: z.string().optional(),
  setup: z.string().optional(),
  license: z.string().optional(),
  required_fields: z
    .array(z.looseObject({ name: nonEmpty, type: nonEmpty, ecs: z.boolean().optional() }))
    .optional(),
  investigation_fields: z
    .union([z.array(nonEmpty), z.looseObject({ field_names: z.array(nonEmpty) })], {
      error: 'a list of field names or {field_names: [...]}',
    })
    .optional(),
  exceptions_list: z.array(exceptionListRefSchema).optional(),
  version: integer().min(1).optional(),
  enabled: z.boolean().optional(),
  event_category_override: nonEmpty.optional(),
  tiebreaker_field: nonEmpty.optional(),
  timestamp_field: nonEmpty.optional(),
});

/** A problem found in a rule, with the path of the offending field. */
export interface RuleIssue {
  path: Array<string | number>;
  /** What the field should have been ("a number between 0 and 100"). */
  expected: string;
  /** What it was (undefined: missing). */
  got: unknown;
}

/**
 * Cross-field and syntax checks zod cannot express per field. Runs on the raw object even when
 * other fields failed, so that every bad field is reported; it reads each field only when it
 * has the expected basic type (type errors are zod's to report).
 */
export function ruleSemanticIssues(raw: Record<string, unknown>): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const issue = (path: Array<string | number>, expected: string, got: unknown): void => {
    issues.push({ path, expected, got });
  };
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

  const type = str(raw.type);
  const known = type !== undefined && (RULE_TYPES as readonly string[]).includes(type);
  const ruleType = known ? (type as RuleTypeName) : undefined;
  const language = str(raw.language);
  const query = str(raw.query);

  if (ruleType) {
    const allowed = LANGUAGES_BY_TYPE[ruleType];
    if (allowed.length > 0 && language !== undefined && !allowed.includes(language))
      issue(
        ['language'],
        `${allowed.map((l) => `"${l}"`).join(' or ')} for rule type "${ruleType}"`,
        language,
      );
    if (QUERY_REQUIRED.has(ruleType) && raw.query !== undefined && query !== undefined && query.trim() === '')
      issue(['query'], `a non-empty query for rule type "${ruleType}"`, query);
    if (QUERY_REQUIRED.has(ruleType) && raw.query === undefined)
      issue(['query'], `a non-empty query for rule type "${ruleType}"`, undefined);
  }

  if (ruleType === 'new_terms') {
    const toml = obj(raw.new_terms);
    if (raw.new_terms === undefined && raw.new_terms_fields === undefined)
      issue(['new_terms_fields'], 'the new terms fields ([rule.new_terms] or new_terms_fields)', undefined);
    if (raw.new_terms === undefined && raw.history_window_start === undefined)
      issue(['history_window_start'], 'a history window such as "now-7d"', undefined);
    const tomlWindow = Array.isArray(toml?.history_window_start)
      ? obj(toml.history_window_start[0])
      : undefined;
    const windowStart = toml ? str(tomlWindow?.value) : str(raw.history_window_start);
    if (windowStart !== undefined && parseLookbackMs(windowStart) === undefined)
      issue(
        toml ? ['new_terms', 'history_window_start', 0, 'value'] : ['history_window_start'],
        'date math of the form now-<n><unit> (e.g. "now-7d")',
        windowStart,
      );
  }

  if (ruleType === 'threshold' && raw.threshold === undefined)
    issue(['threshold'], 'a threshold (field, value) for rule type "threshold"', undefined);

  const suppression = obj(raw.alert_suppression);
  if (suppression && ruleType && ruleType !== 'threshold' && suppression.group_by === undefined)
    issue(['alert_suppression', 'group_by'], 'a list of 1 to 3 field names', undefined);

  const from = str(raw.from);
  if (from !== undefined && parseLookbackMs(from) === undefined)
    issue(['from'], 'date math of the form now-<n><unit> (e.g. "now-9m")', from);
  const interval = str(raw.interval);
  if (interval !== undefined && parseTimeSpanMs(interval) === undefined)
    issue(['interval'], 'a time span of the form <n><unit> (e.g. "5m")', interval);

  // Filters are evaluated only for the types the stream runs; the others load as unsupported
  // whatever their filters hold.
  if (Array.isArray(raw.filters) && !(ruleType && NOT_RUN_TYPES.has(ruleType))) {
    for (const f of compileKibanaFilters(raw.filters).issues) issue(f.path, f.expected, f.got);
  }
  return issues;
}

type RuleTypeName = (typeof RULE_TYPES)[number];

export type RawRule = z.infer<typeof ruleSchema>;

/** Languages each type accepts (the first is Kibana's default). */
export const LANGUAGES_BY_TYPE: Record<RuleTypeName, string[]> = {
  query: ['kuery', 'lucene'],
  threshold: ['kuery', 'lucene'],
  new_terms: ['kuery', 'lucene'],
  threat_match: ['kuery', 'lucene'],
  eql: ['eql'],
  esql: ['esql'],
  machine_learning: [],
};

const QUERY_REQUIRED = new Set<string>(['eql', 'esql', 'new_terms']);

/** Types that load but never run in the stream (see compile-rule's reasons). */
const NOT_RUN_TYPES = new Set<string>(['esql', 'machine_learning', 'threat_match']);

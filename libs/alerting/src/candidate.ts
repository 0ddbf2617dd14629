// Reads and validates one alert candidate (a JSON alert document from the correlator). A
// candidate the alerter cannot act on safely is rejected with a bounded reason (a metric label)
// and a human-readable error, and goes to the DLQ: it never stops the stage.
import { getField } from '@sequent/ecs';
import { z } from 'zod';
import { F, isSeverity, type AlertDoc, type Severity } from './fields';

export const REJECT_REASONS = [
  'too_large',
  'invalid_json',
  'not_an_object',
  'missing_alert_uuid',
  'missing_rule',
  'invalid_field',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const durationUnit = z.enum(['s', 'm', 'h']);

const ruleParametersSchema = z.object({
  risk_score_mapping: z
    .array(
      z.object({
        field: z.string().min(1),
        operator: z.literal('equals').optional(),
        value: z.string().optional(),
        risk_score: z.number().optional(),
      }),
    )
    .max(1, 'Kibana allows at most one risk_score_mapping entry')
    .optional(),
  severity_mapping: z
    .array(
      z.object({
        field: z.string().min(1),
        operator: z.literal('equals').optional(),
        value: z.string(),
        severity: z.enum(['low', 'medium', 'high', 'critical']),
      }),
    )
    .max(50)
    .optional(),
  alert_suppression: z
    .object({
      group_by: z.array(z.string().min(1)).min(1).max(3),
      duration: z.object({ value: z.number().int().positive(), unit: durationUnit }).optional(),
      missing_fields_strategy: z.enum(['suppress', 'doNotSuppress']).optional(),
    })
    .nullish(),
  max_signals: z.number().int().positive().optional(),
  building_block_type: z.string().nullish(),
});

export type RuleParameters = z.infer<typeof ruleParametersSchema>;

export interface SuppressionSpec {
  groupBy: string[];
  /** Window length in ms; undefined means "per rule execution" (one consumed batch). */
  durationMs?: number;
  missingFieldsStrategy: 'suppress' | 'doNotSuppress';
}

export interface Candidate {
  /** The alert document as received (flattened kibana.alert.* keys plus the event's ECS fields). */
  doc: AlertDoc;
  uuid: string;
  ruleId: string;
  /** The rule's identity for per-rule state: its uuid when present, else rule_id. */
  ruleKey: string;
  ruleName: string;
  riskScore: number;
  severity: Severity;
  /** kibana.alert.original_time (else the event @timestamp), ms since epoch. */
  originalTime: number;
  params: RuleParameters;
  suppression?: SuppressionSpec;
  buildingBlock: boolean;
}

export type ParsedCandidate =
  { ok: true; candidate: Candidate } | { ok: false; reason: RejectReason; error: string };

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

function reject(reason: RejectReason, error: string): ParsedCandidate {
  return { ok: false, reason, error };
}

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'string' && v !== '') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

/** Parses `bytes` (UTF-8 JSON) into a candidate, or says why not. */
export function parseCandidate(bytes: Uint8Array | string, maxBytes: number): ParsedCandidate {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (size > maxBytes) return reject('too_large', `candidate is ${size} bytes, the limit is ${maxBytes}`);
  let doc: unknown;
  try {
    doc = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    return reject('invalid_json', `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return reject('not_an_object', 'an alert candidate must be a JSON object');
  return validateCandidate(doc as AlertDoc);
}

export function validateCandidate(doc: AlertDoc): ParsedCandidate {
  const uuid = getField(doc, F.uuid);
  if (typeof uuid !== 'string' || uuid === '')
    return reject('missing_alert_uuid', `${F.uuid} is missing or not a non-empty string`);

  const ruleId = getField(doc, F.ruleId);
  const ruleUuid = getField(doc, F.ruleUuid);
  const ruleName = getField(doc, F.ruleName);
  if (ruleId === null && ruleUuid === null && ruleName === null)
    return reject('missing_rule', `the candidate names no rule (${F.ruleId}, ${F.ruleUuid}, ${F.ruleName})`);
  if (typeof ruleId !== 'string' || ruleId === '')
    return reject('invalid_field', `${F.ruleId} must be a non-empty string`);
  if (ruleUuid !== null && typeof ruleUuid !== 'string')
    return reject('invalid_field', `${F.ruleUuid} must be a string`);
  if (typeof ruleName !== 'string') return reject('invalid_field', `${F.ruleName} must be a string`);

  // The alert's own score/severity win over the rule's (the correlator may have mapped them).
  const riskScore = getField(doc, F.riskScore) ?? getField(doc, F.ruleRiskScore);
  if (typeof riskScore !== 'number' || !Number.isFinite(riskScore) || riskScore < 0 || riskScore > 100)
    return reject('invalid_field', `${F.ruleRiskScore} must be a number from 0 to 100`);
  const severity = getField(doc, F.severity) ?? getField(doc, F.ruleSeverity);
  if (!isSeverity(severity))
    return reject('invalid_field', `${F.ruleSeverity} must be one of low, medium, high, critical`);

  const rawTime = getField(doc, F.originalTime) ?? getField(doc, F.timestamp);
  const originalTime = timeOf(rawTime);
  if (originalTime === undefined)
    return reject('invalid_field', `${F.originalTime} (or @timestamp) must be a date`);

  const rawParams = getField(doc, F.ruleParameters) ?? {};
  const parsed = ruleParametersSchema.safeParse(rawParams);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject('invalid_field', `${F.ruleParameters}.${issue.path.join('.')}: ${issue.message}`);
  }
  const params = parsed.data;
  const s = params.alert_suppression;
  const suppression: SuppressionSpec | undefined = s
    ? {
        groupBy: s.group_by,
        durationMs: s.duration ? s.duration.value * UNIT_MS[s.duration.unit] : undefined,
        missingFieldsStrategy: s.missing_fields_strategy ?? 'suppress',
      }
    : undefined;

  return {
    ok: true,
    candidate: {
      doc,
      uuid,
      ruleId,
      ruleKey: typeof ruleUuid === 'string' && ruleUuid !== '' ? ruleUuid : ruleId,
      ruleName,
      riskScore,
      severity,
      originalTime,
      params,
      suppression,
      buildingBlock: typeof params.building_block_type === 'string' && params.building_block_type !== '',
    },
  };
}

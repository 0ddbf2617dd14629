// PLACEHOLDER stage logic for the correlator, isolated here so the real stage (libs/pipeline
// over libs/engine and the loaded rules) can replace it. One built-in rule: an event whose
// `event.action` is "sequent-test" raises an alert candidate.
import { createHash } from 'node:crypto';
import { getField } from '@sequent/ecs';
import type { KafkaBusRecord, StageResult } from '@sequent/platform';

export const PLACEHOLDER_RULE = {
  rule_id: 'sequent-placeholder-test-action',
  name: 'Sequent placeholder: test action',
  type: 'query',
  version: 1,
  risk_score: 21,
  severity: 'low',
} as const;

export type CorrelateOutcome =
  | { ok: true; candidates: Array<{ key: string; value: string }> }
  | { ok: false; reason: 'invalid_json' | 'not_an_object'; error: string };

/** JSON with object keys sorted, so equal documents hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** DESIGN.md: `_id`, else `event.id`, else a hash of the canonical JSON. */
export function eventId(doc: Record<string, unknown>): string {
  const id = doc._id ?? getField(doc, 'event.id');
  return typeof id === 'string' && id !== '' ? id : sha256(canonicalJson(doc));
}

export function correlateDocument(bytes: Buffer): CorrelateOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'invalid_json', error: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, reason: 'not_an_object', error: 'an ECS event must be a JSON object' };
  }
  const event = doc as Record<string, unknown>;
  if (getField(event, 'event.action') !== 'sequent-test') return { ok: true, candidates: [] };
  const id = eventId(event);
  // Deterministic: the same rule over the same event always yields the same alert id.
  const uuid = sha256(`${PLACEHOLDER_RULE.rule_id}\u0000${id}`);
  const index = typeof event._index === 'string' ? event._index : undefined;
  const alert = {
    ...event,
    'kibana.alert.uuid': uuid,
    'kibana.alert.rule.rule_id': PLACEHOLDER_RULE.rule_id,
    'kibana.alert.rule.uuid': sha256(PLACEHOLDER_RULE.rule_id),
    'kibana.alert.rule.name': PLACEHOLDER_RULE.name,
    'kibana.alert.rule.type': PLACEHOLDER_RULE.type,
    'kibana.alert.rule.version': PLACEHOLDER_RULE.version,
    'kibana.alert.rule.risk_score': PLACEHOLDER_RULE.risk_score,
    'kibana.alert.rule.severity': PLACEHOLDER_RULE.severity,
    'kibana.alert.rule.tags': [],
    'kibana.alert.rule.threat': [],
    'kibana.alert.risk_score': PLACEHOLDER_RULE.risk_score,
    'kibana.alert.severity': PLACEHOLDER_RULE.severity,
    'kibana.alert.original_time': getField(event, '@timestamp') ?? null,
    'kibana.alert.reason': `event with action sequent-test on ${String(getField(event, 'host.name') ?? getField(event, 'host.id') ?? 'unknown host')}`,
    'kibana.alert.ancestors': [{ id, ...(index ? { index } : {}), type: 'event', depth: 0 }],
  };
  delete (alert as Record<string, unknown>)._id;
  delete (alert as Record<string, unknown>)._index;
  // Keyed by the alert id: every copy of one alert reaches the same alerter partition.
  return { ok: true, candidates: [{ key: uuid, value: JSON.stringify(alert) }] };
}

export function correlateBatch(records: KafkaBusRecord[]): StageResult {
  const result: StageResult = { outputs: [], rejects: [] };
  for (const record of records) {
    const outcome = correlateDocument(record.value);
    if (outcome.ok) result.outputs.push(...outcome.candidates);
    else result.rejects.push({ record, reason: outcome.reason, error: outcome.error });
  }
  return result;
}

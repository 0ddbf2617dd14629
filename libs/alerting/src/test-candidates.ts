// Builds alert candidates in the shape the correlator produces (flattened kibana.alert.* keys
// plus the triggering event's nested ECS fields), for tests and demos.
import type { AlertDoc, Severity } from './fields';

export interface CandidateSpec {
  uuid: string;
  ruleId?: string;
  ruleName?: string;
  riskScore?: number;
  severity?: Severity;
  /** ISO time of the triggering event (kibana.alert.original_time and @timestamp). */
  time?: string;
  host?: string;
  user?: string;
  parameters?: Record<string, unknown>;
  /** Extra top-level fields (nested ECS objects or dotted keys). */
  extra?: Record<string, unknown>;
}

export function buildCandidate(spec: CandidateSpec): AlertDoc {
  const ruleId = spec.ruleId ?? 'rule-1';
  const riskScore = spec.riskScore ?? 47;
  const severity = spec.severity ?? 'medium';
  const time = spec.time ?? '2026-01-01T00:00:00.000Z';
  return {
    'kibana.alert.uuid': spec.uuid,
    'kibana.alert.rule.rule_id': ruleId,
    'kibana.alert.rule.uuid': `uuid-${ruleId}`,
    'kibana.alert.rule.name': spec.ruleName ?? `Rule ${ruleId}`,
    'kibana.alert.rule.type': 'eql',
    'kibana.alert.rule.version': 1,
    'kibana.alert.rule.risk_score': riskScore,
    'kibana.alert.rule.severity': severity,
    'kibana.alert.rule.tags': ['test'],
    'kibana.alert.rule.threat': [],
    'kibana.alert.rule.parameters': spec.parameters ?? {},
    'kibana.alert.original_time': time,
    'kibana.alert.reason': `event on ${spec.host ?? 'unknown host'} created ${severity} alert ${ruleId}`,
    'kibana.alert.risk_score': riskScore,
    'kibana.alert.severity': severity,
    'kibana.alert.ancestors': [
      { id: `event-${spec.uuid}`, index: 'logs-test-default', depth: 0, type: 'event' },
    ],
    '@timestamp': time,
    ...(spec.host ? { host: { name: spec.host } } : {}),
    ...(spec.user ? { user: { name: spec.user } } : {}),
    event: { kind: 'event', category: ['process'] },
    ...spec.extra,
  };
}

export const candidateBytes = (spec: CandidateSpec) => Buffer.from(JSON.stringify(buildCandidate(spec)));

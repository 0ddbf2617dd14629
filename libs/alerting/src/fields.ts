// Alert document field names (DESIGN.md "Alert documents carry at least ...") and the
// severity scale. Alerts are written with flattened dotted keys, as the correlator emits them.

export const F = {
  uuid: 'kibana.alert.uuid',
  ruleId: 'kibana.alert.rule.rule_id',
  ruleUuid: 'kibana.alert.rule.uuid',
  ruleName: 'kibana.alert.rule.name',
  ruleType: 'kibana.alert.rule.type',
  ruleVersion: 'kibana.alert.rule.version',
  ruleRiskScore: 'kibana.alert.rule.risk_score',
  ruleSeverity: 'kibana.alert.rule.severity',
  ruleTags: 'kibana.alert.rule.tags',
  ruleParameters: 'kibana.alert.rule.parameters',
  originalTime: 'kibana.alert.original_time',
  reason: 'kibana.alert.reason',
  riskScore: 'kibana.alert.risk_score',
  severity: 'kibana.alert.severity',
  ancestors: 'kibana.alert.ancestors',
  groupId: 'kibana.alert.group.id',
  buildingBlockType: 'kibana.alert.building_block_type',
  instanceId: 'kibana.alert.instance.id',
  suppressionTerms: 'kibana.alert.suppression.terms',
  suppressionStart: 'kibana.alert.suppression.start',
  suppressionEnd: 'kibana.alert.suppression.end',
  suppressionDocsCount: 'kibana.alert.suppression.docs_count',
  hostName: 'host.name',
  userName: 'user.name',
  timestamp: '@timestamp',
  eventIngested: 'event.ingested',
} as const;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}

/** low = 0 ... critical = 3, for "at least this severe" filters and mapping precedence. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export type AlertDoc = Record<string, unknown>;

// The alert's risk score and severity: the rule's values, overridden by the rule's
// risk_score_mapping / severity_mapping from the triggering event's fields, as Kibana's
// detection engine does (buildRiskScoreFromMapping / buildSeverityFromMapping):
// - risk_score_mapping (one entry): the event's value of `field`, when it is a single number
//   (or numeric string) from 0 to 100, replaces the rule's risk score;
// - severity_mapping: the entries are tried from the most severe down, and the first whose
//   `field` has a value equal to `value` sets the severity.
import { getFieldValues } from '@sequent/ecs';
import type { RuleParameters } from './candidate';
import { severityRank, type AlertDoc, type Severity } from './fields';

export interface MappedRisk {
  riskScore: number;
  severity: Severity;
  riskScoreOverridden: boolean;
  /** The field whose value chose the severity, when a mapping did. */
  severityOverrideField?: string;
}

function mappedRiskScore(doc: AlertDoc, params: RuleParameters): number | undefined {
  const mapping = params.risk_score_mapping?.[0];
  if (!mapping) return undefined;
  const values = getFieldValues(doc, mapping.field);
  if (values.length !== 1) return undefined;
  const v = values[0];
  if (typeof v !== 'number' && typeof v !== 'string') return undefined;
  if (typeof v === 'string' && v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}

function valueEquals(docValue: unknown, mappingValue: string): boolean {
  if (typeof docValue === 'string') return docValue === mappingValue;
  if (typeof docValue === 'number') return mappingValue.trim() !== '' && docValue === Number(mappingValue);
  if (typeof docValue === 'boolean') return String(docValue) === mappingValue;
  return false;
}

export function mapRisk(
  doc: AlertDoc,
  params: RuleParameters,
  ruleRiskScore: number,
  ruleSeverity: Severity,
): MappedRisk {
  const score = mappedRiskScore(doc, params);
  const out: MappedRisk = {
    riskScore: score ?? ruleRiskScore,
    severity: ruleSeverity,
    riskScoreOverridden: score !== undefined,
  };
  const mappings = [...(params.severity_mapping ?? [])].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity),
  );
  for (const m of mappings) {
    if (getFieldValues(doc, m.field).some((v) => valueEquals(v, m.value))) {
      out.severity = m.severity;
      out.severityOverrideField = m.field;
      break;
    }
  }
  return out;
}

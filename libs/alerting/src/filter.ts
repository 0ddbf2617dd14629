// Alert filters of the gRPC API (StreamAlerts, ListAlerts): minimum severity, rule ids, host.
import { severityRank, type Severity } from './fields';
import { entityNames, type PublishedAlert } from './processor';

export interface AlertFilter {
  minSeverity?: Severity;
  /** Matches kibana.alert.rule.rule_id (any of). Empty: every rule. */
  ruleIds?: string[];
  /** Matches host.name exactly. */
  host?: string;
  /** Building-block alerts are hidden unless asked for (Kibana hides them by default). */
  includeBuildingBlocks?: boolean;
}

export function matchesFilter(alert: PublishedAlert, filter: AlertFilter): boolean {
  if (filter.minSeverity && severityRank(alert.severity) < severityRank(filter.minSeverity)) return false;
  if (filter.ruleIds?.length && !filter.ruleIds.includes(alert.ruleId)) return false;
  if (filter.host && !entityNames(alert.doc, 'host').includes(filter.host)) return false;
  if (alert.buildingBlock && !filter.includeBuildingBlocks) return false;
  return true;
}

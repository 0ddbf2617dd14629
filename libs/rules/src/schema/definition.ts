/**
 * A validated rule in one canonical shape (Kibana's API field names), whichever format it came
 * from. Compilation and the Kibana export read only this.
 */
import type { RuleMeta, RuleType, ThreatEntry } from '../compiled-rule';
import type { ExceptionListRef } from './exception-schema';

export interface RuleDefinition {
  rule_id: string;
  /** Kibana's saved-object id, when the rule came from an export. */
  id?: string;
  name: string;
  description: string;
  type: RuleType;
  /** Always set for types with a query language (defaulted as Kibana does). */
  language?: string;
  query?: string;
  index?: string[];
  data_view_id?: string;
  filters: unknown[];
  from?: string;
  to?: string;
  interval?: string;
  max_signals: number;
  risk_score: number;
  risk_score_mapping: RuleMeta['risk_score_mapping'];
  severity: RuleMeta['severity'];
  severity_mapping: RuleMeta['severity_mapping'];
  rule_name_override?: string;
  timestamp_override?: string;
  timestamp_override_fallback_disabled?: boolean;
  building_block_type?: string;
  alert_suppression?: RuleMeta['alert_suppression'];
  new_terms_fields?: string[];
  history_window_start?: string;
  threshold?: { field: string[]; value: number; cardinality: Array<{ field: string; value: number }> };
  threat: ThreatEntry[];
  tags: string[];
  author: string[];
  references: string[];
  false_positives: string[];
  note?: string;
  setup?: string;
  license?: string;
  required_fields?: Array<{ name: string; type: string; ecs?: boolean }>;
  investigation_fields?: string[];
  exceptions_list: ExceptionListRef[];
  version: number;
  enabled?: boolean;
  event_category_override?: string;
  tiebreaker_field?: string;
  timestamp_field?: string;
  /** Fields we do not interpret, as they came, so that an export carries them along. */
  extra: Record<string, unknown>;
}

/**
 * Writing rules (and exception lists) as a Kibana rule export: the NDJSON that Kibana's
 * "Export rules" and detection-rules' `export-rules` produce and Kibana's "Import rules"
 * reads. One rule object per line in Kibana's API field names, then exception list containers
 * and their items, then the export summary line.
 */
import { uuidFromRuleId } from '../compile/rule-uuid';
import { DEFAULT_FROM, DEFAULT_INTERVAL } from '../compile/duration';
import type { RuleDefinition } from '../schema/definition';
import type { ExceptionItem, ExceptionList } from '../schema/exception-schema';

export interface ExceptionListsExport {
  lists: readonly ExceptionList[];
  items: readonly ExceptionItem[];
}

/** A rule in Kibana's API / export shape. */
export function toKibanaRule(def: RuleDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...def.extra,
    id: def.id ?? uuidFromRuleId(def.rule_id),
    rule_id: def.rule_id,
    name: def.name,
    description: def.description,
    type: def.type,
  };
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) out[key] = value;
  };
  set('language', def.language);
  set('query', def.query);
  set('index', def.index);
  set('data_view_id', def.data_view_id);
  if (def.filters.length > 0) out.filters = def.filters;
  out.from = def.from ?? DEFAULT_FROM;
  out.to = def.to ?? 'now';
  out.interval = def.interval ?? DEFAULT_INTERVAL;
  set('enabled', def.enabled);
  out.max_signals = def.max_signals;
  out.risk_score = def.risk_score;
  out.risk_score_mapping = def.risk_score_mapping;
  out.severity = def.severity;
  out.severity_mapping = def.severity_mapping;
  set('rule_name_override', def.rule_name_override);
  set('timestamp_override', def.timestamp_override);
  set('timestamp_override_fallback_disabled', def.timestamp_override_fallback_disabled);
  set('building_block_type', def.building_block_type);
  set('alert_suppression', def.alert_suppression);
  set('new_terms_fields', def.new_terms_fields);
  set('history_window_start', def.history_window_start);
  if (def.threshold) {
    out.threshold = {
      field: def.threshold.field,
      value: def.threshold.value,
      ...(def.threshold.cardinality.length > 0 ? { cardinality: def.threshold.cardinality } : {}),
    };
  }
  out.threat = def.threat;
  out.tags = def.tags;
  out.author = def.author;
  out.references = def.references;
  out.false_positives = def.false_positives;
  set('note', def.note);
  set('setup', def.setup);
  set('license', def.license);
  set('required_fields', def.required_fields);
  if (def.investigation_fields) out.investigation_fields = { field_names: def.investigation_fields };
  out.exceptions_list = def.exceptions_list;
  out.version = def.version;
  set('event_category_override', def.event_category_override);
  set('tiebreaker_field', def.tiebreaker_field);
  set('timestamp_field', def.timestamp_field);
  return out;
}

/** The whole export: rules, exception lists and items, and the summary line. */
export function toKibanaNdjson(
  rules: readonly RuleDefinition[],
  exceptionLists?: ExceptionListsExport,
): string {
  const lines: string[] = rules.map((r) => JSON.stringify(toKibanaRule(r)));
  const lists = exceptionLists?.lists ?? [];
  const items = exceptionLists?.items ?? [];
  for (const list of lists) lines.push(JSON.stringify(list));
  for (const item of items) lines.push(JSON.stringify(item));
  lines.push(
    JSON.stringify({
      exported_count: rules.length + lists.length + items.length,
      exported_rules_count: rules.length,
      missing_rules: [],
      missing_rules_count: 0,
      exported_exception_list_count: lists.length,
      exported_exception_list_item_count: items.length,
      missing_exception_list_item_count: 0,
      missing_exception_list_items: [],
      missing_exception_lists: [],
      missing_exception_lists_count: 0,
      exported_action_connector_count: 0,
      missing_action_connection_count: 0,
      missing_action_connections: [],
      excluded_action_connection_count: 0,
      excluded_action_connections: [],
    }),
  );
  return lines.join('\n') + '\n';
}

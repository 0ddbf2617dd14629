/**
 * Alert documents (DESIGN.md "Alert documents carry at least"), shaped like Kibana's
 * alerts-as-data: `kibana.alert.*` as flattened dotted keys at the top level, next to the ECS
 * fields copied from the source event (nested as in the event; `event.kind` becomes `signal`
 * and the original `event.*` values are kept under `kibana.alert.original_event.*`).
 *
 * Ids are deterministic: `kibana.alert.uuid` = sha256(rule uuid, source event ids) for query
 * and EQL alerts, sha256(rule uuid, term, history-window period) for new_terms and
 * sha256(rule uuid, group, window) for threshold alerts, so replaying the same events yields
 * the same ids and the alerter's dedupe makes delivery exactly-once.
 */
import type { RuleMeta } from '@sequent/rules';
import { sha256Hex } from '../event/event-id';
import type { EventRef } from '../state/state-store';
import { buildReason } from './reason';

export interface AlertAncestor {
  id: string;
  index: string;
  type: 'event';
  depth: 0;
}

export interface AlertRuleParameters {
  risk_score_mapping: RuleMeta['risk_score_mapping'];
  severity_mapping: RuleMeta['severity_mapping'];
  alert_suppression?: RuleMeta['alert_suppression'];
  max_signals: number;
  building_block_type?: string;
  index: string[];
  type: RuleMeta['type'];
  language?: string;
  query?: string;
  from?: string;
  interval?: string;
  timestamp_override?: string;
  rule_name_override?: string;
  investigation_fields?: string[];
  note?: string;
  new_terms_fields?: string[];
  history_window_ms?: number;
  threshold?: { field: string[]; value: number; cardinality?: Array<{ field: string; value: number }> };
}

export interface ThresholdResult {
  terms: Array<{ field: string; value: unknown }>;
  count: number;
  from: string;
  cardinality?: Array<{ field: string; value: number }>;
}

/** The fields every alert has; the rest are the source event's ECS fields. */
export interface AlertDocument {
  '@timestamp': string;
  'kibana.alert.uuid': string;
  'kibana.alert.start': string;
  'kibana.alert.last_detected': string;
  'kibana.alert.original_time': string;
  'kibana.alert.reason': string;
  'kibana.alert.risk_score': number;
  'kibana.alert.severity': string;
  'kibana.alert.status': 'active';
  'kibana.alert.workflow_status': 'open';
  'kibana.alert.depth': 1;
  'kibana.alert.ancestors': AlertAncestor[];
  'kibana.alert.group.id'?: string;
  'kibana.alert.new_terms'?: unknown[];
  'kibana.alert.threshold_result'?: ThresholdResult;
  'kibana.alert.building_block_type'?: string;
  'kibana.alert.rule.rule_id': string;
  'kibana.alert.rule.uuid': string;
  'kibana.alert.rule.name': string;
  'kibana.alert.rule.description': string;
  'kibana.alert.rule.type': RuleMeta['type'];
  'kibana.alert.rule.rule_type_id': string;
  'kibana.alert.rule.category': string;
  'kibana.alert.rule.version': number;
  'kibana.alert.rule.risk_score': number;
  'kibana.alert.rule.severity': string;
  'kibana.alert.rule.tags': string[];
  'kibana.alert.rule.threat': RuleMeta['threat'];
  'kibana.alert.rule.note'?: string;
  'kibana.alert.rule.references': string[];
  'kibana.alert.rule.author': string[];
  'kibana.alert.rule.from'?: string;
  'kibana.alert.rule.interval'?: string;
  'kibana.alert.rule.producer': 'siem';
  'kibana.alert.rule.consumer': 'siem';
  'kibana.alert.rule.parameters': AlertRuleParameters;
  'kibana.space_ids': string[];
  [field: string]: unknown;
}

export type AlertKind = 'query' | 'eql' | 'sequence' | 'new_terms' | 'threshold';

export interface AlertInput {
  rule: RuleMeta;
  kind: AlertKind;
  /** The source events, in order (ancestors). */
  events: EventRef[];
  /** The document whose ECS fields the alert carries: the triggering (last) event, or for
   * threshold alerts the group-by fields only. */
  source: unknown;
  /** Event time the alert is about (the triggering event's). */
  originalTime: number;
  /** Alert time (epoch ms): `@timestamp`, `kibana.alert.start`. */
  now: number;
  newTerms?: unknown[];
  /** floor(event time / history window): the period a new term's alert belongs to. */
  newTermsPeriod?: number;
  threshold?: ThresholdResult & { windowStart: number };
  extra?: {
    newTermsFields?: string[];
    historyWindowMs?: number;
    threshold?: AlertRuleParameters['threshold'];
  };
}

const RULE_TYPE_ID: Record<string, string> = {
  query: 'siem.queryRule',
  eql: 'siem.eqlRule',
  new_terms: 'siem.newTermsRule',
  threshold: 'siem.thresholdRule',
};
const RULE_CATEGORY: Record<string, string> = {
  query: 'Custom Query Rule',
  eql: 'Event Correlation Rule',
  new_terms: 'New Terms Rule',
  threshold: 'Threshold Rule',
};

/** Fields of the source event that alerts never copy (they are the alert's own). */
const NOT_COPIED = new Set(['_id', '_index', '@timestamp', 'kibana', 'signal']);

/** Deterministic alert id. */
export function alertUuid(
  ruleUuid: string,
  eventIds: readonly string[],
  extra: readonly string[] = [],
): string {
  return sha256Hex([ruleUuid, ...eventIds, '', ...extra].join('\u001f'));
}

/** `{a: {b: 1}}` → `[['a.b', 1]]` (arrays are leaves). */
function flatten(prefix: string, value: unknown, out: Array<[string, unknown]>, depth = 0): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 16) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      flatten(prefix + '.' + k, v, out, depth + 1);
    }
  } else out.push([prefix, value]);
}

function copySource(source: unknown, alert: Record<string, unknown>): void {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return;
  const originalEvent: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    if (NOT_COPIED.has(k) || k.startsWith('kibana.') || k === '__proto__') continue;
    if (k === 'event') {
      flatten('kibana.alert.original_event', v, originalEvent);
      continue;
    }
    if (k.startsWith('event.')) {
      flatten('kibana.alert.original_event.' + k.slice('event.'.length), v, originalEvent);
      continue;
    }
    alert[k] = structuredClone(v);
  }
  for (const [k, v] of originalEvent) alert[k] = structuredClone(v);
  const ev =
    (source as Record<string, unknown>).event !== null &&
    typeof (source as Record<string, unknown>).event === 'object'
      ? structuredClone((source as Record<string, unknown>).event as Record<string, unknown>)
      : {};
  for (const [k, v] of Object.entries(source as Record<string, unknown>))
    if (k.startsWith('event.')) ev[k.slice('event.'.length)] = structuredClone(v);
  ev.kind = 'signal';
  alert.event = ev;
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

export function buildAlert(input: AlertInput): AlertDocument {
  const { rule, kind } = input;
  const ids = input.events.map((e) => e.id);
  const uuidExtra: string[] = [];
  // A new term's alert is named by the term and its history-window period, not by the event
  // that happened to see it first: two partitions (or two runs) racing on one brand-new term
  // raise the same id, which the alerter dedupes.
  if (input.newTerms)
    uuidExtra.push('new_terms', JSON.stringify(input.newTerms), String(input.newTermsPeriod ?? ''));
  if (input.threshold)
    uuidExtra.push('threshold', JSON.stringify(input.threshold.terms), String(input.threshold.windowStart));
  const uuid = alertUuid(rule.uuid, kind === 'threshold' || kind === 'new_terms' ? [] : ids, uuidExtra);
  const now = iso(input.now);

  const parameters: AlertRuleParameters = {
    risk_score_mapping: rule.risk_score_mapping,
    severity_mapping: rule.severity_mapping,
    max_signals: rule.max_signals,
    index: rule.index,
    type: rule.type,
  };
  const optionalParameters: Partial<AlertRuleParameters> = {
    alert_suppression: rule.alert_suppression,
    building_block_type: rule.building_block_type,
    language: rule.language,
    query: rule.query,
    from: rule.from,
    interval: rule.interval,
    timestamp_override: rule.timestamp_override,
    rule_name_override: rule.rule_name_override,
    investigation_fields: rule.investigation_fields,
    note: rule.note,
    new_terms_fields: input.extra?.newTermsFields,
    history_window_ms: input.extra?.historyWindowMs,
    threshold: input.extra?.threshold,
  };
  for (const [k, v] of Object.entries(optionalParameters))
    if (v !== undefined) (parameters as unknown as Record<string, unknown>)[k] = structuredClone(v);

  const alert: Record<string, unknown> = {};
  copySource(input.source, alert);
  const own: AlertDocument = {
    '@timestamp': now,
    'kibana.alert.uuid': uuid,
    'kibana.alert.start': now,
    'kibana.alert.last_detected': now,
    'kibana.alert.original_time': iso(input.originalTime),
    'kibana.alert.reason': buildReason(input.source, rule.name, rule.severity),
    'kibana.alert.risk_score': rule.risk_score,
    'kibana.alert.severity': rule.severity,
    'kibana.alert.status': 'active',
    'kibana.alert.workflow_status': 'open',
    'kibana.alert.depth': 1,
    'kibana.alert.ancestors': input.events.map((e) => ({
      id: e.id,
      index: e.index ?? '',
      type: 'event' as const,
      depth: 0 as const,
    })),
    'kibana.alert.rule.rule_id': rule.rule_id,
    'kibana.alert.rule.uuid': rule.uuid,
    'kibana.alert.rule.name': rule.name,
    'kibana.alert.rule.description': rule.description,
    'kibana.alert.rule.type': rule.type,
    'kibana.alert.rule.rule_type_id': RULE_TYPE_ID[rule.type] ?? `siem.${rule.type}Rule`,
    'kibana.alert.rule.category': RULE_CATEGORY[rule.type] ?? rule.type,
    'kibana.alert.rule.version': rule.version,
    'kibana.alert.rule.risk_score': rule.risk_score,
    'kibana.alert.rule.severity': rule.severity,
    'kibana.alert.rule.tags': [...rule.tags],
    'kibana.alert.rule.threat': structuredClone(rule.threat),
    'kibana.alert.rule.references': [...rule.references],
    'kibana.alert.rule.author': [...rule.author],
    'kibana.alert.rule.producer': 'siem',
    'kibana.alert.rule.consumer': 'siem',
    'kibana.alert.rule.parameters': parameters,
    'kibana.space_ids': ['default'],
  };
  if (rule.note !== undefined) own['kibana.alert.rule.note'] = rule.note;
  if (rule.from !== undefined) own['kibana.alert.rule.from'] = rule.from;
  if (rule.interval !== undefined) own['kibana.alert.rule.interval'] = rule.interval;
  if (rule.building_block_type !== undefined)
    own['kibana.alert.building_block_type'] = rule.building_block_type;
  // A sequence alert stands for the whole sequence: Kibana groups the sequence's building
  // blocks under one id; we raise one alert carrying every event as an ancestor.
  if (kind === 'sequence') own['kibana.alert.group.id'] = alertUuid(rule.uuid, ids, ['group']);
  if (input.newTerms) own['kibana.alert.new_terms'] = structuredClone(input.newTerms);
  if (input.threshold) {
    const { windowStart: _windowStart, ...result } = input.threshold;
    own['kibana.alert.threshold_result'] = structuredClone(result);
  }
  return Object.assign(alert, own) as AlertDocument;
}

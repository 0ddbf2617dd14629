/**
 * The seam between rule loading (libs/rules) and evaluation (libs/engine).
 *
 * A CompiledRule is everything the engine needs to run a rule and everything the alerter
 * needs to describe its alerts. It is built once per rule load and is immutable.
 */
import type { CompiledEql } from './eql/compiled';

/** A document predicate. EQL's `null` and KQL's non-match both count as `false`. */
export type Condition = (doc: unknown) => boolean;

export type RuleType =
  'query' | 'eql' | 'new_terms' | 'threshold' | 'esql' | 'machine_learning' | 'threat_match';

export interface ThreatEntry {
  framework: string;
  tactic: { id: string; name: string; reference?: string };
  technique?: Array<{
    id: string;
    name: string;
    reference?: string;
    subtechnique?: Array<{ id: string; name: string; reference?: string }>;
  }>;
}

/** What the alerter (and alert documents) need from a rule: its validated metadata. */
export interface RuleMeta {
  rule_id: string;
  /** Kibana's saved-object id when the rule came from an export, else derived from rule_id. */
  uuid: string;
  name: string;
  description: string;
  type: RuleType;
  language?: string;
  version: number;
  risk_score: number;
  severity: 'low' | 'medium' | 'high' | 'critical';
  risk_score_mapping: Array<{ field: string; operator: 'equals'; value: string; risk_score?: number }>;
  severity_mapping: Array<{ field: string; operator: 'equals'; value: string; severity: string }>;
  rule_name_override?: string;
  timestamp_override?: string;
  building_block_type?: string;
  tags: string[];
  threat: ThreatEntry[];
  note?: string;
  setup?: string;
  references: string[];
  author: string[];
  license?: string;
  index: string[];
  from?: string;
  interval?: string;
  max_signals: number;
  alert_suppression?: {
    group_by: string[];
    duration?: { value: number; unit: 's' | 'm' | 'h' };
    missing_fields_strategy: 'suppress' | 'doNotSuppress';
  };
  investigation_fields?: string[];
  required_fields?: Array<{ name: string; type: string }>;
  query?: string;
  /** A Kibana data view the rule reads instead of `index` (not resolvable here: the rule then
   * reads Kibana's default Security index patterns). */
  data_view_id?: string;
  /** EQL rule settings (Kibana's `event_category_override`, `timestamp_field`, `tiebreaker_field`). */
  event_category_override?: string;
  timestamp_field?: string;
  tiebreaker_field?: string;
  /** Where the rule was loaded from (file path and, for NDJSON, line). */
  source?: string;
}

export interface NewTermsSettings {
  /** One or more fields; several fields form a tuple term. */
  fields: string[];
  /** The history window length in ms, from `history_window_start` (e.g. `now-7d`). */
  historyWindowMs: number;
}

export interface ThresholdSettings {
  /** Group-by fields (may be empty: one global group). */
  fields: string[];
  /** Alert when the count reaches at least this. */
  value: number;
  /** Optional: the number of distinct values of `field` must reach at least `value`. */
  cardinality?: Array<{ field: string; value: number }>;
  /** The evaluation window in ms (from the rule's `from`/`interval`: e.g. now-9m → 9 minutes). */
  windowMs: number;
}

/** Cheap facts an event must satisfy for the rule to possibly match: used to index rules so
 * that the cost per event does not grow with the number of rules. Absent = no constraint. */
export interface PrefilterHints {
  /** event.category values (lower-case) of which at least one must be present. */
  categories?: string[];
  /** A field that must have one of these exact (case-sensitive) values. */
  literals?: { field: string; values: string[]; caseInsensitive?: boolean };
}

export type RuleMatcher = { kind: 'filter'; condition: Condition } | { kind: 'eql'; eql: CompiledEql };

export interface CompiledRule {
  meta: RuleMeta;
  /** Whether the event's index (DESIGN.md: `_index` or data_stream triple; null when neither)
   * is one the rule reads. */
  matchesIndex: (index: string | null) => boolean;
  /** For query, new_terms and threshold rules: a filter condition; for eql rules: the compiled EQL. */
  matcher: RuleMatcher;
  /** True when a Kibana exception item excludes the (candidate alert's source) document. */
  isExcepted: Condition;
  newTerms?: NewTermsSettings;
  threshold?: ThresholdSettings;
  prefilter: PrefilterHints;
}

/** A rule that loaded but cannot run in the stream (esql, machine_learning, threat_match). */
export interface UnsupportedRule {
  meta: RuleMeta;
  reason: string;
}

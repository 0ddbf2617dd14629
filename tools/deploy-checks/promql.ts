// Every PromQL expression sequent ships: the Grafana dashboards' panel queries and the alert
// rules. The lead's live check runs them against a Prometheus that scraped running services;
// the specs here parse each one on a real Prometheus and check their metric names against
// the catalogue (docs/metrics.md).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { alertRulesFile, dashboardsDir, repoRoot } from './tools';

export interface PromQLExpression {
  /** Where it comes from: `dashboard <file> / <panel title> / <refId>` or `alert <group>/<name>`. */
  source: string;
  /** As written (dashboards may use Grafana variables such as `$__rate_interval`). */
  expr: string;
  /** Runnable as an instant query on a plain Prometheus (Grafana variables substituted). */
  query: string;
}

/** Grafana's built-in range variables, replaced by fixed windows for instant queries. */
const GRAFANA_VARIABLES: Record<string, string> = {
  $__rate_interval: '1m',
  $__interval: '30s',
  $__range: '5m',
};

export function toInstantQuery(expr: string): string {
  let query = expr;
  for (const [name, value] of Object.entries(GRAFANA_VARIABLES)) query = query.split(name).join(value);
  const leftover = /\$\{?[A-Za-z_]\w*/.exec(query);
  if (leftover) throw new Error(`unsupported Grafana variable ${leftover[0]} in ${expr}`);
  return query;
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string; refId?: string }>;
  panels?: Panel[];
}

export function dashboardFiles(): string[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dashboardsDir, f));
}

export function dashboardExpressions(): PromQLExpression[] {
  const out: PromQLExpression[] = [];
  for (const file of dashboardFiles()) {
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[] };
    const visit = (panels: Panel[] = []) => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) {
          if (!target.expr) continue;
          out.push({
            source: `dashboard ${path.basename(file)} / ${panel.title} / ${target.refId}`,
            expr: target.expr,
            query: toInstantQuery(target.expr),
          });
        }
        visit(panel.panels); // rows nest panels
      }
    };
    visit(dashboard.panels);
  }
  return out;
}

export interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroups {
  groups: Array<{ name: string; rules: AlertRule[] }>;
}

export function alertRuleGroups(): RuleGroups {
  return parse(readFileSync(alertRulesFile, 'utf8')) as RuleGroups;
}

export function alertExpressions(groups: RuleGroups = alertRuleGroups()): PromQLExpression[] {
  return groups.groups.flatMap((g) =>
    g.rules.map((r) => ({
      source: `alert ${g.name}/${r.alert ?? r.record}`,
      expr: r.expr,
      query: r.expr,
    })),
  );
}

/** Every PromQL expression of the dashboards and the alert rules. */
export function allPromQLExpressions(): PromQLExpression[] {
  return [...dashboardExpressions(), ...alertExpressions()];
}

const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'histogram_quantile',
  'vector',
  'scalar',
  'abs',
  'absent',
  'clamp_min',
  'clamp_max',
  'le',
  'time',
  'label_replace',
  'sort',
  'sort_desc',
  'inf',
  'nan',
]);

/**
 * The metric names an expression reads, as they appear in the catalogue (histogram `_bucket`,
 * `_sum`, `_count` suffixes map to the histogram's name). Label names inside `{...}` and
 * `by (...)` are not metric names and are skipped.
 */
export function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const withoutMatchers = withoutStrings.replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const withoutGrouping = withoutMatchers.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g,
    '',
  );
  const names = new Set<string>();
  for (const m of withoutGrouping.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const after = withoutGrouping.slice((m.index ?? 0) + word.length).trimStart();
    if (PROMQL_WORDS.has(word.toLowerCase()) || after.startsWith('(')) continue;
    if (/^\d/.test(word)) continue;
    names.add(word);
  }
  return [...names].map((n) => n.replace(/_(bucket|sum|count)$/, (s) => (n.startsWith('sequent_') ? '' : s)));
}

/** The metric names of docs/metrics.md (the contract between services, dashboards and alerts). */
export function catalogueMetricNames(): Set<string> {
  const text = readFileSync(path.join(repoRoot, 'docs', 'metrics.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*`(sequent_[a-z0-9_]+)`/gm)].map((m) => m[1]));
}

/** Splits at top-level `and` / `unless` (not `or`: `x or vector(0)` always has a series). */
function topLevelOperands(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
    else if (depth === 0) {
      const m = /^\s(and|unless)\s/.exec(expr.slice(i));
      if (m) {
        parts.push(expr.slice(start, i));
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/**
 * Queries that must return series when the metrics exist. A dashboard query is its own probe;
 * an alert fires only past its threshold, so its probes are its operands without the trailing
 * comparison (`rate(x[5m]) > 0.1` is probed as `rate(x[5m])`).
 */
export function seriesProbes(e: PromQLExpression): string[] {
  if (!e.source.startsWith('alert')) return [e.query];
  return topLevelOperands(e.query).map((operand) =>
    operand.replace(/\s*(>=|<=|==|!=|>|<)\s*(bool\s+)?[-+]?[0-9.]+(e[-+]?\d+)?\s*$/i, '').trim(),
  );
}

/** The instant vector selectors of an expression, e.g. `sequent_x_bucket{basis="ingest_time"}`. */
export function selectors(expr: string): Array<{ selector: string; matchers: Array<[string, string]> }> {
  const out: Array<{ selector: string; matchers: Array<[string, string]> }> = [];
  for (const m of expr.matchAll(/(sequent_[a-z0-9_]+)(\{[^}]*\})?/g)) {
    const matchers = [...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)\s*=\s*"([^"]*)"/g)].map(
      (x) => [x[1], x[2]] as [string, string],
    );
    out.push({ selector: m[0], matchers });
  }
  return out;
}

/** Every word of docs/metrics.md: label values used in matchers must be documented there. */
export function catalogueWords(): Set<string> {
  const text = readFileSync(path.join(repoRoot, 'docs', 'metrics.md'), 'utf8');
  return new Set(text.match(/[A-Za-z0-9_.-]+/g) ?? []);
}

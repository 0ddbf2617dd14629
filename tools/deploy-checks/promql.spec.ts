// Alert rules and dashboard queries: promtool checks the rules (the file the compose stack
// loads and the groups of the rendered PrometheusRule), a real Prometheus parses every
// expression (a syntax error is a 400 from /api/v1/query), and every metric name is in the
// catalogue (docs/metrics.md). Whether they return series on live services: promql-live.int.spec.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startPrometheus, type PrometheusHandle } from '../harness/src';
import { one, renderChart } from './chart';
import {
  alertExpressions,
  alertRuleGroups,
  allPromQLExpressions,
  catalogueMetricNames,
  dashboardExpressions,
  dashboardFiles,
  metricNames,
  selectors,
  seriesProbes,
  toInstantQuery,
} from './promql';
import { alertRulesFile, promtool, run } from './tools';

describe('alert rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('promtool check rules passes on the rule file', () => {
    const res = run(promtool(), ['check', 'rules', alertRulesFile]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect(res.status).toBe(0);
  });

  it('promtool check rules passes on the groups of the rendered PrometheusRule', () => {
    const rule = one(renderChart(), 'PrometheusRule');
    const file = path.join(dir, 'prometheusrule.yaml');
    writeFileSync(file, stringify({ groups: rule.spec.groups }));
    const res = run(promtool(), ['check', 'rules', file]);
    expect(res.status).toBe(0);
    expect(rule.spec).toEqual(alertRuleGroups());
  });

  it('promtool rejects a broken rule (the check can fail)', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(
      file,
      stringify({ groups: [{ name: 'x', rules: [{ alert: 'X', expr: 'sum(rate(x[5m])' }] }] }),
    );
    expect(run(promtool(), ['check', 'rules', file]).status).not.toBe(0);
  });

  it('cover consumer lag, DLQ rate, detection latency p99, Redis errors, evictions and no alerts flowing', () => {
    const exprs = alertExpressions().map((e) => e.expr);
    const uses = (metric: string) => exprs.some((e) => e.includes(metric));
    for (const metric of [
      'sequent_consumer_lag',
      'sequent_dlq_messages_total',
      'sequent_detection_latency_seconds_bucket',
      'sequent_redis_errors_total',
      'sequent_state_evictions_total',
      'sequent_alerts_total',
    ]) {
      expect(uses(metric)).toBe(true);
    }
    for (const group of alertRuleGroups().groups) {
      for (const rule of group.rules) {
        expect(rule.labels?.severity).toMatch(/^(info|warning|critical)$/);
        expect(rule.annotations?.summary).toBeTruthy();
      }
    }
  });
});

describe('dashboards', () => {
  it('three dashboards (overview, correlator, entity risk) with unique uids and a datasource variable', () => {
    const dashboards = dashboardFiles().map((f) => JSON.parse(readFileSync(f, 'utf8')));
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'sequent-correlator',
      'sequent-entity-risk',
      'sequent-overview',
    ]);
    for (const d of dashboards) {
      expect(d.templating.list.find((v: { name: string }) => v.name === 'datasource')?.type).toBe(
        'datasource',
      );
      const ids = d.panels.map((p: { id: number }) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) expect(p.datasource.uid).toBe('${datasource}');
    }
  });

  it('show what the issue asks for', () => {
    const byFile = (name: string) =>
      dashboardExpressions()
        .filter((e) => e.source.includes(name))
        .map((e) => e.expr)
        .join('\n');
    const overview = byFile('sequent-overview.json');
    expect(overview).toMatch(/sum by \(stage\) \(rate\(sequent_messages_in_total/);
    expect(overview).toMatch(/sequent_consumer_lag/);
    expect(overview).toMatch(/by \(severity\).*sequent_alerts_total/);
    expect(overview).toMatch(/by \(rule\).*sequent_alerts_total/);
    expect(overview).toMatch(/histogram_quantile\(0\.5,.*sequent_detection_latency_seconds_bucket/);
    expect(overview).toMatch(/histogram_quantile\(0\.99,.*sequent_detection_latency_seconds_bucket/);
    expect(overview).toMatch(/sequent_dlq_messages_total/);
    const correlator = byFile('sequent-correlator.json');
    for (const m of [
      'sequent_state_entries',
      'sequent_state_evictions_total',
      'sequent_correlator_late_events_total',
    ]) {
      expect(correlator).toContain(m);
    }
    expect(correlator).toMatch(
      /topk\(10, histogram_quantile\(0\.99, sum by \(le, rule\) \(rate\(sequent_rule_evaluation_seconds_bucket/,
    );
    const risk = byFile('sequent-entity-risk.json');
    expect(risk).toContain('sequent_entity_risk_score{entity_type="host"}');
    expect(risk).toContain('sequent_entity_risk_score{entity_type="user"}');
  });

  it('Grafana variables become fixed windows; unknown ones are refused', () => {
    expect(toInstantQuery('rate(x[$__rate_interval])')).toBe('rate(x[1m])');
    expect(() => toInstantQuery('rate(x{stage="$stage"}[1m])')).toThrow(/\$stage/);
  });
});

describe('every PromQL expression (dashboards + alert rules)', () => {
  const expressions = allPromQLExpressions();

  it('there are expressions from both sources', () => {
    expect(expressions.filter((e) => e.source.startsWith('dashboard')).length).toBeGreaterThanOrEqual(20);
    expect(expressions.filter((e) => e.source.startsWith('alert')).length).toBeGreaterThanOrEqual(6);
  });

  it('uses only metric names of docs/metrics.md', () => {
    const catalogue = catalogueMetricNames();
    expect(catalogue.size).toBeGreaterThan(15);
    const unknown = expressions.flatMap((e) =>
      metricNames(e.query)
        .filter((n) => !catalogue.has(n))
        .map((n) => `${e.source}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('metricNames finds names, skips labels, functions and ranges', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, op) (rate(sequent_redis_command_duration_seconds_bucket{op="get"}[5m])))',
      ),
    ).toEqual(['sequent_redis_command_duration_seconds']);
    expect(metricNames('sum(rate(a_total[5m])) > 0 and (sum(rate(b_total[5m])) or vector(0)) == 0')).toEqual([
      'a_total',
      'b_total',
    ]);
  });

  it('probes an alert by its operands without thresholds, a panel by its query', () => {
    expect(
      seriesProbes({
        source: 'alert g/A',
        expr: '',
        query: 'sum(rate(a_total[30m])) > 0 and (sum(rate(b_total[30m])) or vector(0)) == 0',
      }),
    ).toEqual(['sum(rate(a_total[30m]))', '(sum(rate(b_total[30m])) or vector(0))']);
    expect(seriesProbes({ source: 'alert g/B', expr: '', query: 'max by (x) (m) > 1e5' })).toEqual([
      'max by (x) (m)',
    ]);
    expect(seriesProbes({ source: 'dashboard d', expr: '', query: 'topk(10, m) > 1' })).toEqual([
      'topk(10, m) > 1',
    ]);
    expect(selectors('rate(sequent_x_bucket{basis="ingest_time", op="get"}[5m]) / sequent_y')).toEqual([
      {
        selector: 'sequent_x_bucket{basis="ingest_time", op="get"}',
        matchers: [
          ['basis', 'ingest_time'],
          ['op', 'get'],
        ],
      },
      { selector: 'sequent_y', matchers: [] },
    ]);
  });

  describe('parses on a real Prometheus', () => {
    let prometheus: PrometheusHandle;
    beforeAll(async () => {
      prometheus = await startPrometheus({ scrapeTargets: [] });
    }, 60_000);
    afterAll(async () => {
      await prometheus?.stop();
    });

    it('a syntax error is refused (the check can fail)', async () => {
      await expect(prometheus.query('sum(rate(sequent_messages_in_total[1m])')).rejects.toThrow(
        /parse error/,
      );
    });

    it('each expression is accepted', async () => {
      const refused: string[] = [];
      for (const e of expressions) {
        await prometheus.query(e.query).catch((err: Error) => refused.push(`${e.source}: ${err.message}`));
      }
      expect(refused).toEqual([]);
    });
  });
});

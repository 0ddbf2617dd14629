// The dashboards' and alert rules' PromQL against live services: ingest, correlator and
// alerter run as separate processes on the harness Kafka broker and Redis, a real Prometheus
// scrapes them while events (and some bad input) flow through, then every expression of
// allPromQLExpressions() runs. An expression whose metrics the services expose must return
// series; expressions over metrics not exposed yet are listed (console and the report file
// named by SEQUENT_PROMQL_REPORT), never faked.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  freePort,
  httpGetText,
  sleep,
  spawnService,
  startPrometheus,
  type PrometheusHandle,
  type ServiceProcess,
} from '../harness/src';
import {
  allPromQLExpressions,
  catalogueMetricNames,
  catalogueWords,
  metricNames,
  selectors,
  seriesProbes,
} from './promql';
import { repoRoot } from './tools';

/** A copy of the bundled rules in which the sudo rule suppresses per host and caps at 2 alerts. */
function rulesWithSuppression(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sequent-promql-rules-'));
  const source = path.join(repoRoot, 'rules');
  for (const file of readdirSync(source).filter((f) => f.endsWith('.toml'))) {
    if (file !== 'sudo_negative_user_id.toml') copyFileSync(path.join(source, file), path.join(dir, file));
  }
  const sudo = readFileSync(path.join(source, 'sudo_negative_user_id.toml'), 'utf8').replace(
    /^\[rule\]$/m,
    '[rule]\nmax_signals = 2',
  );
  const suppression = [
    '',
    '[rule.alert_suppression]',
    'group_by = ["host.name"]',
    'missing_fields_strategy = "suppress"',
    '',
    '[rule.alert_suppression.duration]',
    'unit = "m"',
    'value = 5',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'sudo_negative_user_id.toml'), sudo + suppression);
  return dir;
}

jest.setTimeout(240_000);

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
const redisUrl = process.env.SEQUENT_TEST_REDIS_URL;

/** Catalogue metric names with at least one sample in a /metrics exposition. */
function exposedMetrics(exposition: string, catalogue: Set<string>): Set<string> {
  const found = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (catalogue.has(name)) found.add(name);
    else if (catalogue.has(base)) found.add(base);
  }
  return found;
}

describe('dashboard and alert PromQL on live services', () => {
  const run = `promql${randomBytes(4).toString('hex')}`;
  const services: ServiceProcess[] = [];
  let prometheus: PrometheusHandle | undefined;
  let ingest: ServiceProcess;

  beforeAll(async () => {
    if (!brokers || !redisUrl) throw new Error('the harness global setup did not start Kafka and Redis');
    const topics = {
      raw: `${run}.raw.ecs`,
      events: `${run}.ecs.events`,
      candidates: `${run}.alerts.candidates`,
      alerts: `${run}.alerts`,
    };
    const common = {
      SEQUENT_KAFKA_BROKERS: brokers,
      SEQUENT_REDIS_URL: redisUrl,
      SEQUENT_REDIS_KEY_PREFIX: `${run}:`,
      SEQUENT_HTTP_HOST: '127.0.0.1',
      SEQUENT_LOG_LEVEL: 'warn',
    };
    const [ingestPort, correlatorPort, alerterPort] = await Promise.all([freePort(), freePort(), freePort()]);
    ingest = spawnService('ingest', ingestPort, {
      ...common,
      SEQUENT_TOPICS_RAW: topics.raw,
      SEQUENT_TOPICS_EVENTS: topics.events,
      SEQUENT_TOPICS_DLQ: `${run}.ingest.dlq`,
      SEQUENT_GROUP_ID: `${run}-ingest`,
    });
    const correlator = spawnService('correlator', correlatorPort, {
      ...common,
      SEQUENT_TOPICS_EVENTS: topics.events,
      SEQUENT_TOPICS_CANDIDATES: topics.candidates,
      SEQUENT_TOPICS_DLQ: `${run}.correlator.dlq`,
      SEQUENT_GROUP_ID: `${run}-correlator`,
      // The bundled rules, with the sudo rule given alert suppression and a small max_signals so
      // the test's traffic also moves the suppression and rate-cap series.
      SEQUENT_RULES_PATHS: rulesWithSuppression(),
    });
    const alerter = spawnService('alerter', alerterPort, {
      ...common,
      SEQUENT_TOPICS_CANDIDATES: topics.candidates,
      SEQUENT_TOPICS_ALERTS: topics.alerts,
      SEQUENT_TOPICS_DLQ: `${run}.alerts.dlq`,
      SEQUENT_GROUP_ID: `${run}-alerter`,
      // A webhook nobody listens on: its failures move the sink-error series.
      SEQUENT_SINKS_WEBHOOKS: JSON.stringify([{ name: 'nowhere', url: 'http://127.0.0.1:9/hook' }]),
      SEQUENT_SINKS_ATTEMPTS: '1',
      SEQUENT_SINKS_BUDGET_MS: '1000',
    });
    services.push(ingest, correlator, alerter);
    await Promise.all(services.map((s) => s.waitReady(120_000)));
    prometheus = await startPrometheus({
      scrapeTargets: services.map((s) => `127.0.0.1:${s.httpPort}`),
      scrapeIntervalSeconds: 1,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(services.map((s) => s.stop()));
  });

  it('every expression over exposed metrics returns series', async () => {
    // Traffic over about 20 s, so rates over 1m windows have several samples: events a
    // bundled rule alerts on, an event that matches nothing, and lines ingest dead-letters.
    for (let i = 0; i < 10; i++) {
      const events = [
        {
          '@timestamp': new Date(Date.now() - 1000).toISOString(),
          // Matches the bundled rule rules/sudo_negative_user_id.toml (KQL, Elastic Defend index).
          data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' },
          event: { id: `${run}-${i}-a`, action: 'exec', category: ['process'], type: ['start'] },
          host: { id: `host-${i % 3}`, name: `host-${i % 3}`, os: { type: 'linux' } },
          user: { name: `user-${i % 2}` },
          process: { name: 'sudo', args: ['sudo', '-u#-1', 'id'], command_line: 'sudo -u#-1 id' },
        },
        {
          '@timestamp': new Date().toISOString(),
          event: { id: `${run}-${i}-b`, action: 'other' },
          host: { id: `host-${i % 3}` },
        },
      ];
      const body = `${events.map((e) => JSON.stringify(e)).join('\n')}\n{"no timestamp": true}\nnot json\n`;
      const res = await fetch(`http://127.0.0.1:${ingest.httpPort}/v1/events?format=ecs`, {
        method: 'POST',
        body,
      });
      expect(res.status).toBe(202);
      await sleep(2000);
    }
    await sleep(3000);

    const catalogue = catalogueMetricNames();
    const exposed = new Set<string>();
    for (const s of services) {
      const res = await httpGetText(`http://127.0.0.1:${s.httpPort}/metrics`);
      for (const name of exposedMetrics(res.body, catalogue)) exposed.add(name);
    }

    // Per expression: run it (it must parse), then its probes. A probe without series over
    // exposed metrics is either waiting for a documented label value no service emits yet
    // (listed), or broken (a typo'd label value, a wrong join): the test fails on those.
    const words = catalogueWords();
    const report: Array<{
      source: string;
      query: string;
      series: number;
      missingMetrics: string[];
      waitingFor: string[];
      broken: string[];
    }> = [];
    for (const e of allPromQLExpressions()) {
      const missingMetrics = metricNames(e.query).filter((n) => !exposed.has(n));
      const series = (await prometheus!.query(e.query)).length;
      const waitingFor: string[] = [];
      const broken: string[] = [];
      if (missingMetrics.length === 0) {
        for (const probe of seriesProbes(e)) {
          if ((await prometheus!.query(probe)).length > 0) continue;
          const emptySelectors: string[] = [];
          for (const s of selectors(probe)) {
            if ((await prometheus!.query(`count(${s.selector})`)).length === 0)
              emptySelectors.push(s.selector);
          }
          const undocumented = emptySelectors.flatMap((s) =>
            selectors(s)[0]
              .matchers.filter(([, value]) => !words.has(value))
              .map(([l, v]) => `${l}="${v}"`),
          );
          if (emptySelectors.length > 0 && undocumented.length === 0) waitingFor.push(...emptySelectors);
          else
            broken.push(`${probe}${undocumented.length ? ` (undocumented ${undocumented.join(', ')})` : ''}`);
        }
      }
      report.push({ source: e.source, query: e.query, series, missingMetrics, waitingFor, broken });
    }
    const notExposed = [...catalogue].filter((n) => !exposed.has(n)).sort();
    const summary = {
      exposedMetrics: [...exposed].sort(),
      catalogueMetricsNotExposedYet: notExposed,
      expressions: report.length,
      returningSeries: report.filter((r) => r.series > 0).length,
      waiting: report
        .filter((r) => r.missingMetrics.length || r.waitingFor.length)
        .map((r) => `${r.source}: ${[...r.missingMetrics, ...r.waitingFor].join(', ')}`),
      broken: report.filter((r) => r.broken.length).map((r) => `${r.source}: ${r.broken.join('; ')}`),
    };
    if (process.env.SEQUENT_PROMQL_REPORT) {
      writeFileSync(process.env.SEQUENT_PROMQL_REPORT, JSON.stringify({ ...summary, report }, null, 2));
    }
    // The list the lead reads: which panels and alerts still wait for a service to emit a series.
    console.log(
      `PromQL on live services: ${summary.returningSeries}/${summary.expressions} expressions return series now; ` +
        `metrics not exposed yet: ${notExposed.join(', ') || 'none'}\nwaiting:\n  ${summary.waiting.join('\n  ')}`,
    );

    expect(exposed.size).toBeGreaterThan(0);
    expect(summary.returningSeries).toBeGreaterThan(0);
    expect(summary.broken).toEqual([]);
    // Not asserted yet: whether the rate-cap series appears within the window depends on timing
    // (one CI run under load missed it); the report lists what is waiting.
  });
});

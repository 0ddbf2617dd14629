// The dashboards' and alert rules' PromQL against live services: ingest, correlator and
// alerter run as separate processes on the harness Kafka broker and Redis, a real Prometheus
// scrapes them while events (and some bad input) flow through, then every expression of
// allPromQLExpressions() runs and must return series: no typo'd metric name or label value, no
// panel that is always empty. Summary on the console and in the report file named by
// SEQUENT_PROMQL_REPORT.
//
// Deterministic on a loaded machine: nothing is judged after a fixed sleep. Traffic goes on until
// the services' own /metrics show every series the expressions select, with the rate cap,
// suppression and sink-error counters above zero; then the test waits until Prometheus has
// scraped them (and every probe has data) before it asserts.
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

/**
 * The rule the traffic triggers: its `rule_id` is the `rule` label of the alerter's series, its
 * name that of the correlator's candidate counter.
 */
const SUDO_RULE_FILE = 'sudo_negative_user_id.toml';
const sudoRuleToml = readFileSync(path.join(repoRoot, 'rules', SUDO_RULE_FILE), 'utf8');
const sudoRuleId = /^rule_id\s*=\s*"([^"]+)"/m.exec(sudoRuleToml)?.[1];
const sudoRuleName = /^name\s*=\s*"([^"]+)"/m.exec(sudoRuleToml)?.[1];

/** Traffic rounds at least (one a second: rates over 1m windows get several samples)... */
const MIN_ROUNDS = 10;
/** ...and until the services expose every needed series, for at most this long. */
const SERVICES_DEADLINE_MS = 150_000;
/** Then until Prometheus has scraped them and every probe has data, for at most this long. */
const PROMETHEUS_DEADLINE_MS = 60_000;

jest.setTimeout(300_000);

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

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

type Selector = ReturnType<typeof selectors>[number];

/** The samples a selector (`name{label="value",...}`) picks. */
function picked(samples: Sample[], s: Selector): Sample[] {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s.selector)?.[0];
  return samples.filter((x) => x.name === name && s.matchers.every(([l, v]) => x.labels[l] === v));
}

function selector(text: string): Selector {
  const [parsed] = selectors(text);
  if (parsed?.selector !== text) throw new Error(`not a plain selector: ${text}`);
  return parsed;
}

describe('dashboard and alert PromQL on live services', () => {
  const run = `promql${randomBytes(4).toString('hex')}`;
  const services: ServiceProcess[] = [];
  let prometheus: PrometheusHandle | undefined;
  let ingest: ServiceProcess;

  beforeAll(async () => {
    if (!brokers || !redisUrl) throw new Error('the harness global setup did not start Kafka and Redis');
    if (!sudoRuleId || !sudoRuleName) throw new Error(`no rule_id or name in rules/${SUDO_RULE_FILE}`);
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
      // The rate cap counts per wall-clock window: with the default minute, a window boundary
      // between the sudo rule's alerts let the third host's alert through (no drop, an empty
      // rate-cap panel). In an hour-long window every alert past the first two is dropped.
      SEQUENT_RATE_CAP_WINDOW_SECONDS: '3600',
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

  /** One round of traffic: events the sudo rule alerts on, one that matches nothing, bad lines. */
  async function sendRound(i: number): Promise<void> {
    const events = [
      // The sudo rule (rules/sudo_negative_user_id.toml: KQL, Elastic Defend index) on three hosts
      // in every round, one alert group per host: within a rate-cap window the first two hosts'
      // alerts pass the cap of 2 and the third host's are dropped, in the very first round
      // already; later rounds fold the first two hosts' alerts into theirs (suppressed).
      ...[0, 1, 2].map((h) => ({
        '@timestamp': new Date(Date.now() - 1000).toISOString(),
        data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' },
        event: { id: `${run}-${i}-a${h}`, action: 'exec', category: ['process'], type: ['start'] },
        host: { id: `host-${h}`, name: `host-${h}`, os: { type: 'linux' } },
        user: { name: `user-${(i + h) % 2}` },
        process: { name: 'sudo', args: ['sudo', '-u#-1', 'id'], command_line: 'sudo -u#-1 id' },
      })),
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
  }

  async function serviceExpositions(): Promise<string[]> {
    return Promise.all(
      services.map(async (s) => (await httpGetText(`http://127.0.0.1:${s.httpPort}/metrics`)).body),
    );
  }

  it('every dashboard and alert expression returns series', async () => {
    const expressions = allPromQLExpressions();
    const catalogue = catalogueMetricNames();

    // A typo'd metric name fails at once, before any waiting: outside the catalogue, it can
    // never get data. (A typo'd label value fails below: its selector never gets data.)
    const unknownNames = expressions.flatMap((e) =>
      metricNames(e.query)
        .filter((n) => !catalogue.has(n))
        .map((n) => `${e.source}: ${n}`),
    );
    expect(unknownNames).toEqual([]);

    // What the expressions select, and what the traffic must have moved above zero.
    const needed = [
      ...new Map(expressions.flatMap((e) => selectors(e.query)).map((s) => [s.selector, s])).values(),
    ];
    const moved = [
      `sequent_alerts_dropped_total{rule="${sudoRuleId}",reason="rate_cap"}`,
      `sequent_alerts_suppressed_total{rule="${sudoRuleId}"}`,
      `sequent_alerts_total{rule="${sudoRuleId}"}`,
      `sequent_alert_candidates_total{rule="${sudoRuleName}"}`,
      'sequent_sink_errors_total',
      'sequent_dlq_messages_total{stage="ingest"}',
      'sequent_ingest_rejected_total',
      'sequent_detection_latency_seconds_count',
    ].map(selector);

    // 1. Traffic until the services themselves expose all of it.
    const started = Date.now();
    let rounds = 0;
    let pendingOnServices: string[] = [];
    for (;;) {
      await sendRound(rounds++);
      await sleep(1000);
      if (rounds < MIN_ROUNDS) continue;
      const samples = (await serviceExpositions()).flatMap(parseExposition);
      pendingOnServices = [
        ...needed.filter((s) => picked(samples, s).length === 0).map((s) => s.selector),
        ...moved
          .filter((s) => picked(samples, s).reduce((sum, x) => sum + x.value, 0) <= 0)
          .map((s) => `${s.selector} > 0`),
      ];
      if (pendingOnServices.length === 0 || Date.now() - started > SERVICES_DEADLINE_MS) break;
    }
    const trafficMs = Date.now() - started;

    // 2. Until Prometheus has scraped every series and every probe has data.
    const pendingInPrometheus = async (): Promise<string[]> => {
      const pending: string[] = [];
      for (const s of needed)
        if ((await prometheus!.query(`count(${s.selector})`)).length === 0) pending.push(s.selector);
      for (const s of moved)
        if ((await prometheus!.query(`sum(${s.selector}) > 0`)).length === 0)
          pending.push(`${s.selector} > 0`);
      return pending;
    };
    let prometheusPending: string[] = [];
    let evaluated: Awaited<ReturnType<typeof evaluate>> | undefined;
    const scrapeStarted = Date.now();
    for (;;) {
      prometheusPending = await pendingInPrometheus();
      if (prometheusPending.length === 0) {
        evaluated = await evaluate();
        if (evaluated.summary.waiting.length === 0 && evaluated.summary.broken.length === 0) break;
      }
      if (Date.now() - scrapeStarted > PROMETHEUS_DEADLINE_MS) break;
      await sleep(1000);
    }
    evaluated ??= await evaluate();
    const { summary, report } = evaluated;

    if (process.env.SEQUENT_PROMQL_REPORT) {
      writeFileSync(
        process.env.SEQUENT_PROMQL_REPORT,
        JSON.stringify({ ...summary, pendingOnServices, prometheusPending, report }, null, 2),
      );
    }
    console.log(
      `PromQL on live services: ${summary.returningSeries}/${summary.expressions} expressions return series ` +
        `(the others are alert conditions not firing); ${rounds} traffic rounds in ${trafficMs} ms, ` +
        `scraped after ${Date.now() - scrapeStarted} ms; metrics not exposed: ` +
        `${summary.catalogueMetricsNotExposedYet.join(', ') || 'none'}` +
        (summary.waiting.length ? `\nwaiting:\n  ${summary.waiting.join('\n  ')}` : ''),
    );

    expect(pendingOnServices).toEqual([]);
    expect(prometheusPending).toEqual([]);
    expect(summary.exposedMetrics.length).toBeGreaterThan(0);
    expect(summary.returningSeries).toBeGreaterThan(0);
    expect(summary.broken).toEqual([]);
    // Every panel and alert expression has data behind it.
    expect(summary.waiting).toEqual([]);
  });

  /**
   * Runs every expression (it must parse), then its probes. A probe without series is waiting
   * (its selectors pick nothing: a metric or documented label value with no data) or broken
   * (its selectors have data but the probe has none: a wrong join, an undocumented label value).
   */
  async function evaluate() {
    const catalogue = catalogueMetricNames();
    const words = catalogueWords();
    const exposed = new Set<string>();
    for (const body of await serviceExpositions())
      for (const name of exposedMetrics(body, catalogue)) exposed.add(name);
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
    const summary = {
      exposedMetrics: [...exposed].sort(),
      catalogueMetricsNotExposedYet: [...catalogue].filter((n) => !exposed.has(n)).sort(),
      expressions: report.length,
      returningSeries: report.filter((r) => r.series > 0).length,
      waiting: report
        .filter((r) => r.missingMetrics.length || r.waitingFor.length)
        .map((r) => `${r.source}: ${[...r.missingMetrics, ...r.waitingFor].join(', ')}`),
      broken: report.filter((r) => r.broken.length).map((r) => `${r.source}: ${r.broken.join('; ')}`),
    };
    return { summary, report };
  }
});

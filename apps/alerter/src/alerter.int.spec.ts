// The alerter service end to end: `apps/alerter/src/main.ts` in a child process on the harness
// Kafka broker and Redis, a real Prometheus scraping it, real gRPC clients, local webhooks.
// Every candidate is sent twice; bad candidates and a dead webhook end in alerts.dlq.
import { status } from '@grpc/grpc-js';
import { buildCandidate, type CandidateSpec } from '@sequent/alerting';
// Test-only: the harness starts the real Prometheus and the service process (app code never imports it).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  freePort,
  spawnService,
  startPrometheus,
  type PrometheusHandle,
  type ServiceProcess,
} from '@sequent/harness';
import {
  createKafka,
  createLogger,
  KafkaBus,
  type DlqEnvelope,
  type KafkaBusRecord,
} from '@sequent/platform';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlertClient, type ProtoAlert } from './grpc-client';
import { UPDATE_HEADER } from '@sequent/pipeline';

jest.setTimeout(180_000);

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
const redisUrl = process.env.SEQUENT_TEST_REDIS_URL;
if (!brokers || !redisUrl)
  throw new Error('run through Jest: the harness global setup starts Kafka and Redis');

const id = randomBytes(4).toString('hex');
const topics = { candidates: `cand.${id}`, alerts: `alerts.${id}`, dlq: `dlq.${id}` };
const TOKEN = `int-test-token-${id}-0123456789`;
const logger = createLogger({ level: 'error' });

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// The candidate stream (times a minute ago, so entity risk's 30-day window holds them all):
//   r-high: high, 73, host web-1, users alice/bob             4 alerts
//   r-low:  low, 21, host db-1                                4 alerts
//   sup:    medium, 47, host web-1, suppressed by host.name   1 alert, 3 folded into it
//   cap:    critical, 99, host db-1, max_signals 2           2 alerts, 2 dropped
// = 16 good candidates -> 11 alerts; every candidate is sent twice -> 16 duplicates.
const t = new Date(Date.now() - 60_000).toISOString();
const ingested = new Date(Date.now() - 30_000).toISOString();
const good: CandidateSpec[] = [
  ...[0, 1, 2, 3].map((i) => ({
    uuid: `high-${i}`,
    ruleId: 'r-high',
    severity: 'high' as const,
    riskScore: 73,
    host: 'web-1',
    user: i % 2 ? 'bob' : 'alice',
  })),
  ...[0, 1, 2, 3].map((i) => ({
    uuid: `low-${i}`,
    ruleId: 'r-low',
    severity: 'low' as const,
    riskScore: 21,
    host: 'db-1',
  })),
  ...[0, 1, 2, 3].map((i) => ({
    uuid: `sup-${i}`,
    ruleId: 'sup',
    severity: 'medium' as const,
    riskScore: 47,
    host: 'web-1',
    parameters: { alert_suppression: { group_by: ['host.name'], duration: { value: 1, unit: 'h' } } },
  })),
  ...[0, 1, 2, 3].map((i) => ({
    uuid: `cap-${i}`,
    ruleId: 'cap',
    severity: 'critical' as const,
    riskScore: 99,
    host: 'db-1',
    parameters: { max_signals: 2 },
  })),
].map((s) => ({ time: t, ...s, extra: { event: { kind: 'event', ingested } } }));

const huge = JSON.stringify({ ...buildCandidate({ uuid: 'huge' }), padding: 'x'.repeat(30_000) });
const noRule = (() => {
  const d = buildCandidate({ uuid: 'norule' });
  for (const k of Object.keys(d)) if (k.startsWith('kibana.alert.rule.')) delete d[k];
  return JSON.stringify(d);
})();
const bad = [
  '{"kibana.alert.uuid": "broken',
  noRule,
  JSON.stringify({ ...buildCandidate({ uuid: 'badtype' }), 'kibana.alert.risk_score': 'very' }),
  huge,
];

describe('alerter service (Kafka, Redis, Prometheus, gRPC, webhooks)', () => {
  let service: ServiceProcess;
  let prometheus: PrometheusHandle;
  let bus: KafkaBus;
  let hooks: Server;
  let dir: string;
  let client: AlertClient;
  let grpcPort: number;
  const hookBodies: Record<string, unknown[]> = { ok: [], slack: [] };
  const received: KafkaBusRecord[] = [];
  const streamed: ProtoAlert[] = [];
  const streamedHigh: ProtoAlert[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alerter-int-'));
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const name = (req.url ?? '').slice(1);
        if (name === 'fail') {
          res.writeHead(503).end();
          return;
        }
        hookBodies[name]?.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    const hookPort = await freePort();
    await new Promise<void>((r) => hooks.listen(hookPort, '127.0.0.1', r));
    const httpPort = await freePort();
    grpcPort = await freePort();
    const base = `http://127.0.0.1:${hookPort}`;
    service = spawnService('alerter', httpPort, {
      SEQUENT_KAFKA_BROKERS: brokers!,
      SEQUENT_KAFKA_SESSION_TIMEOUT_MS: '6000',
      SEQUENT_REDIS_URL: redisUrl!,
      SEQUENT_REDIS_KEY_PREFIX: `alerter-int-${id}:`,
      SEQUENT_HTTP_HOST: '127.0.0.1',
      SEQUENT_TOPICS_CANDIDATES: topics.candidates,
      SEQUENT_TOPICS_ALERTS: topics.alerts,
      SEQUENT_TOPICS_DLQ: topics.dlq,
      SEQUENT_GROUP_ID: `alerter-${id}`,
      SEQUENT_MAX_CANDIDATE_BYTES: '20000',
      SEQUENT_RATE_CAP_WINDOW_SECONDS: '86400',
      SEQUENT_GRPC_HOST: '127.0.0.1',
      SEQUENT_GRPC_PORT: String(grpcPort),
      SEQUENT_GRPC_AUTH_TOKEN: TOKEN,
      SEQUENT_SINKS_FILE_PATH: path.join(dir, 'alerts.ndjson'),
      SEQUENT_SINKS_WEBHOOKS: JSON.stringify([
        { name: 'ok', url: `${base}/ok`, format: 'json' },
        { name: 'slack', url: `${base}/slack`, format: 'slack' },
        { name: 'dead', url: `${base}/fail`, format: 'json' },
      ]),
      SEQUENT_SINKS_ATTEMPTS: '3',
      SEQUENT_SINKS_BACKOFF_MS: '10',
      SEQUENT_LOG_LEVEL: 'info',
    });
    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${httpPort}`] });
    await service.waitReady(90_000);
    client = new AlertClient({ address: `127.0.0.1:${grpcPort}`, token: TOKEN });
    bus = new KafkaBus(
      createKafka(
        {
          brokers: brokers!.split(','),
          clientId: `t-${id}`,
          ssl: false,
          sslRejectUnauthorized: true,
          connectionTimeoutMs: 10_000,
          sessionTimeoutMs: 6_000,
          maxBytesPerPartition: 1_048_576,
        },
        logger,
      ),
      { logger, sessionTimeoutMs: 6_000 },
    );
    await bus.connect();
    await bus.consume({
      groupId: `verify-${id}`,
      topics: [topics.alerts, topics.dlq],
      onBatch: async (b) => void received.push(...b.records),
    });
  });

  afterAll(async () => {
    client?.close();
    await bus?.close();
    await prometheus?.stop();
    await service?.stop();
    await new Promise((r) => hooks?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const alertRecords = () => received.filter((r) => r.topic === topics.alerts);
  const dlqEnvelopes = () =>
    received.filter((r) => r.topic === topics.dlq).map((r) => JSON.parse(r.value.toString()) as DlqEnvelope);
  const promValue = async (q: string) => {
    const r = await prometheus.query(q);
    return r.length ? Number(r[0].value[1]) : undefined;
  };

  it('warns at start-up that the gRPC API has no TLS, and reports healthy', async () => {
    expect(
      service
        .logs()
        .some((l) => String(l.msg).includes('gRPC API is OPEN') && String(l.msg).includes('no TLS')),
    ).toBe(true);
    expect(await client.healthCheck()).toEqual({ status: 'SERVING' });
  });

  it('Prometheus scrapes the alerter before any alert', async () => {
    expect(await until('first scrape', () => promValue('sequent_alerts_deduplicated_total'))).toBe(0);
    expect(await promValue('sum(sequent_alerts_total)')).toBeUndefined();
  });

  it('publishes each alert once though every candidate is sent twice; streams them live', async () => {
    const stream = client.streamAlerts({});
    const high = client.streamAlerts({ filter: { min_severity: 'HIGH', host: 'db-1' } });
    for (const s of [stream, high])
      s.on('error', (err: Error & { code?: number }) => {
        if (err.code !== status.CANCELLED) throw err;
      });
    stream.on('data', (a: ProtoAlert) => streamed.push(a));
    high.on('data', (a: ProtoAlert) => streamedHigh.push(a));
    await Promise.all([stream, high].map((s) => new Promise((r) => s.once('metadata', r))));

    const messages = [...good.map((s) => JSON.stringify(buildCandidate(s))), ...bad];
    // First pass, then the whole stream again (a correlator replay), keyed like the correlator (by host).
    for (const pass of [1, 2]) {
      await bus.produce(
        topics.candidates,
        messages.map((value, i) => ({ key: good[i]?.host ?? `bad-${i}`, value })),
      );
      void pass;
    }
    await until('11 distinct alerts and the dead webhook in the DLQ', () => {
      const ids = new Set(alertRecords().map((r) => r.key));
      return ids.size >= 11 && dlqEnvelopes().filter((e) => e.reason === 'sink_failed').length >= 11;
    });
    // give the replay time to be (not) published
    await until(
      'all candidates consumed',
      async () => (await promValue('sum(sequent_messages_in_total{stage="alerter"})')) === 40,
    );

    const fresh = alertRecords().filter((r) => r.headers[UPDATE_HEADER] !== 'true');
    const ids = fresh.map((r) => r.key as string).sort();
    expect(ids).toEqual(
      [
        'high-0',
        'high-1',
        'high-2',
        'high-3',
        'low-0',
        'low-1',
        'low-2',
        'low-3',
        'sup-0',
        'cap-0',
        'cap-1',
      ].sort(),
    );
    // the kept suppressed alert's latest version carries the final counts
    const supVersions = alertRecords().filter((r) => r.key === 'sup-0');
    const latest = JSON.parse(supVersions[supVersions.length - 1].value.toString());
    expect(latest['kibana.alert.suppression.docs_count']).toBe(3);
    expect(latest['kibana.alert.suppression.terms']).toEqual([{ field: 'host.name', value: 'web-1' }]);

    await until('stream', () => new Set(streamed.map((a) => a.uuid)).size >= 11);
    expect(new Set(streamed.filter((a) => !a.update).map((a) => a.uuid)).size).toBe(11);
    await until('filtered stream', () => streamedHigh.length >= 2);
    expect(streamedHigh.map((a) => a.uuid).sort()).toEqual(['cap-0', 'cap-1']);
    stream.cancel();
    high.cancel();
  });

  it('sends bad candidates and undeliverable alerts to alerts.dlq with reasons', async () => {
    // The DLQ watcher may still be reading: wait for the 19 envelopes this run produces
    // (2 each of invalid_json, missing_rule, invalid_field, too_large; 11 sink_failed).
    await until('19 DLQ envelopes', () => dlqEnvelopes().length >= 19);
    const reasons = dlqEnvelopes().map((e) => e.reason);
    const count = (r: string) => reasons.filter((x) => x === r).length;
    expect(count('invalid_json')).toBe(2);
    expect(count('missing_rule')).toBe(2);
    expect(count('invalid_field')).toBe(2);
    expect(count('too_large')).toBe(2);
    expect(count('sink_failed')).toBe(11);
    const sinkFailure = dlqEnvelopes().find((e) => e.reason === 'sink_failed')!;
    expect(sinkFailure.error).toContain('webhook:dead: HTTP 503 after 3 attempt(s)');
    expect(
      JSON.parse(Buffer.from(sinkFailure.original, 'base64').toString())['kibana.alert.uuid'],
    ).toBeDefined();
    expect(dlqEnvelopes().find((e) => e.reason === 'too_large')?.error).toContain('limit is 20000');
    // the service kept running
    expect(await client.healthCheck()).toEqual({ status: 'SERVING' });
  });

  it('writes the NDJSON file and calls the webhooks', () => {
    const lines = readFileSync(path.join(dir, 'alerts.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(new Set(lines.map((l) => l['kibana.alert.uuid'])).size).toBe(11);
    const posted = (hookBodies.ok as Array<{ alerts: unknown[] }>).flatMap((b) => b.alerts);
    expect(posted).toHaveLength(11);
    const slack = (hookBodies.slack as Array<{ text: string }>).map((b) => b.text).join('\n');
    expect(slack).toContain('*[CRITICAL] Rule cap* on db-1 (risk 99)');
  });

  it('answers ListAlerts, GetEntityRisk and ListRiskiestEntities from Redis', async () => {
    const seen: string[] = [];
    let token = '';
    do {
      const page = await client.listAlerts({ page_size: 4, page_token: token });
      expect(page.alerts.length).toBeLessThanOrEqual(4);
      seen.push(...page.alerts.map((a) => a.uuid));
      token = page.next_page_token;
    } while (token);
    expect(seen).toHaveLength(11);
    expect(new Set(seen).size).toBe(11);
    const low = await client.listAlerts({ filter: { rule_ids: ['r-low'] } });
    expect(low.alerts.map((a) => a.uuid).sort()).toEqual(['low-0', 'low-1', 'low-2', 'low-3']);

    // web-1: 73, 73, 73, 73, 47 ->
    //   73 + 73 * 0.353553 + 73 * 0.192450 + 73 * 0.125 + 47 * 0.089443
    //   = 73 + 25.809369 + 14.04885 + 9.125 + 4.203821 = 126.18704 -> / 2.612375 = 48.303 Moderate
    const web = await client.getEntityRisk({ type: 'HOST', name: 'web-1' });
    expect(web.score).toBeCloseTo(48.303, 2);
    expect(web.level).toBe('Moderate');
    // db-1: 99, 99, 21, 21, 21, 21 ->
    //   99 + 99 * 0.353553 + 21 * (0.192450 + 0.125 + 0.089443 + 0.068041 = 0.474934)
    //   = 99 + 35.001747 + 9.973614 = 143.975361 -> / 2.612375 = 55.113 Moderate
    const db = await client.getEntityRisk({ type: 'HOST', name: 'db-1' });
    expect(db.score).toBeCloseTo(55.113, 2);
    // alice and bob: 73, 73 -> 73 + 25.809369 = 98.809369 -> 37.824 Low
    const top = await client.listRiskiestEntities({ limit: 4 });
    expect(top.entities.map((e) => `${e.type}:${e.name}`)).toEqual([
      'HOST:db-1',
      'HOST:web-1',
      'USER:alice',
      'USER:bob',
    ]);
    expect(top.entities[2].score).toBeCloseTo(37.824, 2);
    expect(top.entities[2].level).toBe('Low');
  });

  it('moves the counters and histograms Prometheus sees (PromQL)', async () => {
    const expectations: Array<[string, number]> = [
      ['sum(sequent_alerts_total)', 11],
      ['sum(sequent_alerts_total{severity="critical"})', 2],
      ['sum(sequent_alerts_total{rule="r-high"})', 4],
      ['sequent_alerts_deduplicated_total', 16],
      ['sum(sequent_alerts_suppressed_total{rule="sup"})', 3],
      ['sum(sequent_alerts_dropped_total{rule="cap",reason="rate_cap"})', 2],
      ['sum(sequent_sink_errors_total{sink="webhook:dead"})', 11],
      ['sum(sequent_dlq_messages_total{reason="invalid_json"})', 2],
      ['sum(sequent_detection_latency_seconds_count{basis="event_time"})', 11],
      ['sum(sequent_detection_latency_seconds_count{basis="ingest_time"})', 11],
      // every alert's event was a minute old, its ingest 30 s: all under the 120 s bucket, none under 10 s
      ['sum(sequent_detection_latency_seconds_bucket{basis="event_time",le="120"})', 11],
      ['sum(sequent_detection_latency_seconds_bucket{basis="ingest_time",le="10"})', 0],
      ['count(sequent_entity_risk_score)', 4],
    ];
    for (const [q, want] of expectations) {
      await until(`${q} == ${want}`, async () => ((await promValue(q)) === want ? true : undefined), 30_000);
    }
    const webRisk = await promValue('sequent_entity_risk_score{entity_type="host",entity="web-1"}');
    expect(webRisk).toBeCloseTo(48.303, 2);
  });
});

// The three services as separate processes on the harness broker and Redis: a raw event (and
// one over HTTP) crosses raw -> ecs.events -> alerts.candidates -> alerts; a malformed one
// lands in ingest.dlq with its reason and is counted in ingest's /metrics.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  createKafka,
  createLogger,
  KafkaBus,
  type KafkaBusRecord,
  type KafkaBusSubscription,
} from '@sequent/platform';
import { freePort, httpGetText, sleep, spawnService, type ServiceProcess } from '../src';

jest.setTimeout(120_000);

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
const redisUrl = process.env.SEQUENT_TEST_REDIS_URL;

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('ingest -> correlator -> alerter over Kafka and Redis', () => {
  const run = `it${randomBytes(4).toString('hex')}`;
  const topics = {
    raw: `${run}.raw.ecs`,
    events: `${run}.ecs.events`,
    candidates: `${run}.alerts.candidates`,
    alerts: `${run}.alerts`,
    ingestDlq: `${run}.ingest.dlq`,
    correlatorDlq: `${run}.correlator.dlq`,
    alertsDlq: `${run}.alerts.dlq`,
  };
  const token = 'it-secret-token';
  const seen = new Map<string, KafkaBusRecord[]>();
  const services: ServiceProcess[] = [];
  let bus: KafkaBus;
  let watcher: KafkaBusSubscription | undefined;
  let ingest: ServiceProcess;
  let alerter: ServiceProcess;

  beforeAll(async () => {
    if (!brokers || !redisUrl) throw new Error('the harness global setup did not start Kafka and Redis');
    const common = {
      SEQUENT_KAFKA_BROKERS: brokers,
      SEQUENT_REDIS_URL: redisUrl,
      SEQUENT_REDIS_KEY_PREFIX: `${run}:`,
      SEQUENT_HTTP_HOST: '127.0.0.1',
      SEQUENT_LOG_LEVEL: 'info',
    };
    const [ingestPort, correlatorPort, alerterPort] = await Promise.all([freePort(), freePort(), freePort()]);
    ingest = spawnService('ingest', ingestPort, {
      ...common,
      SEQUENT_TOPICS_RAW: topics.raw,
      SEQUENT_TOPICS_EVENTS: topics.events,
      SEQUENT_TOPICS_DLQ: topics.ingestDlq,
      SEQUENT_GROUP_ID: `${run}-ingest`,
      SEQUENT_INTAKE_TOKEN: token,
    });
    const correlator = spawnService('correlator', correlatorPort, {
      ...common,
      SEQUENT_TOPICS_EVENTS: topics.events,
      SEQUENT_TOPICS_CANDIDATES: topics.candidates,
      SEQUENT_TOPICS_DLQ: topics.correlatorDlq,
      SEQUENT_GROUP_ID: `${run}-correlator`,
      SEQUENT_RULES_PATHS: path.join(__dirname, 'fixtures', 'rules'),
      // The test's few events never move the watermark: release them as soon as the partition idles.
      SEQUENT_REORDER_IDLE_FLUSH_MS: '500',
    });
    alerter = spawnService('alerter', alerterPort, {
      ...common,
      SEQUENT_TOPICS_CANDIDATES: topics.candidates,
      SEQUENT_TOPICS_ALERTS: topics.alerts,
      SEQUENT_TOPICS_DLQ: topics.alertsDlq,
      SEQUENT_GROUP_ID: `${run}-alerter`,
    });
    services.push(ingest, correlator, alerter);

    bus = new KafkaBus(createKafka({ ...baseKafka(brokers) }, createLogger({ level: 'error' })));
    await bus.connect();
    watcher = await bus.consume({
      groupId: `${run}-watcher`,
      topics: [
        topics.events,
        topics.candidates,
        topics.alerts,
        topics.ingestDlq,
        topics.correlatorDlq,
        topics.alertsDlq,
      ],
      onBatch: async (batch) => {
        seen.set(batch.topic, [...(seen.get(batch.topic) ?? []), ...batch.records]);
      },
    });
    await Promise.all(services.map((s) => s.waitReady(90_000)));
  });

  afterAll(async () => {
    const codes = await Promise.all(services.map((s) => s.stop()));
    await watcher?.stop();
    await bus?.close();
    // Graceful shutdown on SIGTERM: every service exits 0.
    expect(codes).toEqual([0, 0, 0]);
  });

  const valuesOf = (topic: string) =>
    (seen.get(topic) ?? []).map((r) => JSON.parse(r.value.toString('utf8')));

  it('carries a raw event and an HTTP event to alerts, once each, and dead-letters bad input', async () => {
    const rawEvent = {
      '@timestamp': '2026-01-01T00:00:00.000Z',
      event: { id: `${run}-raw`, action: 'sequent-test' },
      host: { id: 'host-a', name: 'alpha' },
    };
    const quietEvent = {
      '@timestamp': '2026-01-01T00:00:01.000Z',
      event: { id: `${run}-quiet`, action: 'other' },
    };
    // The same event twice: the correlator raises two candidates with one id, the alerter publishes one.
    await bus.produce(topics.raw, [
      { key: null, value: JSON.stringify(rawEvent) },
      { key: null, value: JSON.stringify(rawEvent) },
      { key: null, value: JSON.stringify(quietEvent) },
      { key: null, value: '{"@timestamp": not json' },
    ]);

    const httpEvent = {
      '@timestamp': '2026-01-01T00:00:02.000Z',
      event: { id: `${run}-http`, action: 'sequent-test' },
      host: { id: 'host-b' },
    };
    const post = (auth?: string) =>
      fetch(`http://127.0.0.1:${ingest.httpPort}/v1/events?format=ecs`, {
        method: 'POST',
        headers: auth ? { authorization: auth } : {},
        body: `${JSON.stringify(httpEvent)}\n{"no timestamp": true}\n`,
      });
    expect((await post()).status).toBe(401);
    expect((await post('Bearer wrong-token-0000')).status).toBe(401);
    const accepted = await post(`Bearer ${token}`);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ accepted: 1, rejected: 1 });

    const alerts = await waitFor('two alerts', () => {
      const values = valuesOf(topics.alerts);
      return values.length >= 2 ? values : undefined;
    });
    const alertedEvents = alerts.map((a) => a['kibana.alert.ancestors'][0].id).sort();
    expect(alertedEvents).toEqual([`${run}-http`, `${run}-raw`]);

    // Every hop saw the events: ingest keyed them by host.id, the correlator left the quiet one out.
    const events = seen.get(topics.events) ?? [];
    expect(events.filter((r) => r.key === 'host-a')).toHaveLength(2);
    expect(events.filter((r) => r.key === 'host-b')).toHaveLength(1);
    expect(events.filter((r) => r.key === null)).toHaveLength(1);
    // The watcher may still be reading the candidates topic: wait for both copies.
    const candidates = await waitFor('two candidates of the raw event', () => {
      const values = valuesOf(topics.candidates);
      const raw = values.filter((c) => c['kibana.alert.ancestors'][0].id === `${run}-raw`);
      return raw.length >= 2 ? values : undefined;
    });
    expect(candidates.filter((c) => c['kibana.alert.ancestors'][0].id === `${run}-raw`)).toHaveLength(2);
    expect(candidates.some((c) => c.event.id === `${run}-quiet`)).toBe(false);

    // The duplicate candidate is dropped by the alerter's dedupe (counted, never published).
    const duplicates = await waitForMetric(alerter.httpPort, 'sequent_alerts_deduplicated_total', {});
    expect(duplicates).toBe(1);
    await sleep(1000);
    expect(valuesOf(topics.alerts)).toHaveLength(2);
    const ids = valuesOf(topics.alerts).map((a) => a['kibana.alert.uuid']);
    expect(new Set(ids).size).toBe(2);

    // Malformed input: one from the raw topic, one from HTTP, both with reason and original bytes.
    const dlq = await waitFor('two DLQ envelopes', () => {
      const values = valuesOf(topics.ingestDlq);
      return values.length >= 2 ? values : undefined;
    });
    const fromKafka = dlq.find((e) => e.source);
    expect(fromKafka).toMatchObject({
      stage: 'ingest',
      reason: 'invalid_json',
      source: { topic: topics.raw },
    });
    expect(Buffer.from(fromKafka.original, 'base64').toString()).toBe('{"@timestamp": not json');
    expect(Number.isNaN(Date.parse(fromKafka.time))).toBe(false);
    const fromHttp = dlq.find((e) => !e.source);
    expect(fromHttp).toMatchObject({ stage: 'ingest', reason: 'missing_timestamp' });
    expect(Buffer.from(fromHttp.original, 'base64').toString()).toBe('{"no timestamp": true}');

    expect(
      await readMetric(ingest.httpPort, 'sequent_dlq_messages_total', {
        stage: 'ingest',
        reason: 'invalid_json',
      }),
    ).toBe(1);
    expect(
      await readMetric(ingest.httpPort, 'sequent_dlq_messages_total', {
        stage: 'ingest',
        reason: 'missing_timestamp',
      }),
    ).toBe(1);

    // Stage counters of docs/metrics.md: 4 raw records and 2 HTTP lines in, 3 + 1 events out.
    expect(await readMetric(ingest.httpPort, 'sequent_messages_in_total', { stage: 'ingest' })).toBe(6);
    expect(await readMetric(ingest.httpPort, 'sequent_messages_out_total', { stage: 'ingest' })).toBe(4);

    // Logs are one JSON object per line, and the token never appears in them.
    const ingestLogs = ingest.logs();
    expect(ingestLogs.some((l) => l.msg === 'started')).toBe(true);
    expect(ingestLogs.filter((l) => 'raw' in l)).toEqual([]);
    expect(JSON.stringify(ingestLogs)).not.toContain(token);
  });

  it('dead-letters bad input at the correlator and the alerter too', async () => {
    await bus.produce(topics.events, [{ key: 'h', value: 'not an event' }]);
    await bus.produce(topics.candidates, [{ key: 'c', value: '{"kibana.alert.rule.name":"no id"}' }]);
    const [correlatorDlq] = await waitFor('a correlator DLQ envelope', () => {
      const values = valuesOf(topics.correlatorDlq);
      return values.length ? values : undefined;
    });
    expect(correlatorDlq).toMatchObject({
      stage: 'correlator',
      reason: 'invalid_json',
      source: { topic: topics.events },
    });
    const [alertsDlq] = await waitFor('an alerter DLQ envelope', () => {
      const values = valuesOf(topics.alertsDlq);
      return values.length ? values : undefined;
    });
    expect(alertsDlq).toMatchObject({
      stage: 'alerter',
      reason: 'missing_alert_uuid',
      source: { topic: topics.candidates },
    });
    expect(Buffer.from(alertsDlq.original, 'base64').toString()).toBe('{"kibana.alert.rule.name":"no id"}');
  });

  it('answers /healthz and /readyz on every service', async () => {
    for (const s of services) {
      expect((await httpGetText(`http://127.0.0.1:${s.httpPort}/healthz`)).status).toBe(200);
      const ready = await httpGetText(`http://127.0.0.1:${s.httpPort}/readyz`);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body).status).toBe('ready');
    }
  });
});

function baseKafka(brokers: string) {
  return {
    brokers: brokers.split(','),
    clientId: 'pipeline-it',
    ssl: false,
    sslRejectUnauthorized: true,
    connectionTimeoutMs: 10_000,
    sessionTimeoutMs: 30_000,
    maxBytesPerPartition: 1_048_576,
  };
}

/** The value of one sample of `name` whose labels include `labels` (undefined when absent). */
async function readMetric(
  port: number,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const { body } = await httpGetText(`http://127.0.0.1:${port}/metrics`);
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function waitForMetric(port: number, name: string, labels: Record<string, string>): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await readMetric(port, name, labels);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`metric ${name} ${JSON.stringify(labels)} never appeared`);
    await sleep(200);
  }
}

// Access control and secrets, checked on the services as processes (harness broker and Redis):
// - the HTTP intake announces loudly when it runs without a token, and with one refuses callers
//   without it;
// - secrets given through the environment or `*_FILE` never appear in any log line, even at
//   debug level, nor in /metrics;
// - /metrics carries no event content: a unique marker in every field of accepted, alerting and
//   dead-lettered events is absent from the three services' /metrics.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, httpGetText, sleep, spawnService, type ServiceProcess } from '../harness/src';

jest.setTimeout(180_000);

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
const redisUrl = process.env.SEQUENT_TEST_REDIS_URL;
const fixtureRules = path.resolve(__dirname, '..', 'harness', 'test', 'fixtures', 'rules');

const logText = (s: ServiceProcess) =>
  s
    .logs()
    .map((l) => JSON.stringify(l))
    .join('\n');

describe('access control and secrets (services as processes)', () => {
  const run = `acc${randomBytes(4).toString('hex')}`;
  const marker = `mrk${randomBytes(6).toString('hex')}`;
  const intakeToken = `intake-${randomBytes(12).toString('hex')}`;
  const grpcToken = `grpc-${randomBytes(12).toString('hex')}`;
  const webhookAuth = `Bearer hook-${randomBytes(12).toString('hex')}`;
  const topics = {
    raw: `${run}.raw.ecs`,
    events: `${run}.ecs.events`,
    candidates: `${run}.alerts.candidates`,
    alerts: `${run}.alerts`,
  };
  let dir: string;
  const services: ServiceProcess[] = [];
  let ingest: ServiceProcess;
  let correlator: ServiceProcess;
  let alerter: ServiceProcess;

  beforeAll(async () => {
    if (!brokers || !redisUrl) throw new Error('the harness global setup did not start Kafka and Redis');
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-access-'));
    // The intake token from a mounted file (with the trailing newline such files usually have).
    writeFileSync(path.join(dir, 'intake-token'), `${intakeToken}\n`);
    const common = {
      SEQUENT_KAFKA_BROKERS: brokers,
      SEQUENT_REDIS_URL: redisUrl,
      SEQUENT_REDIS_KEY_PREFIX: `${run}:`,
      SEQUENT_HTTP_HOST: '127.0.0.1',
      SEQUENT_LOG_LEVEL: 'debug',
    };
    ingest = spawnService('ingest', await freePort(), {
      ...common,
      SEQUENT_TOPICS_RAW: topics.raw,
      SEQUENT_TOPICS_EVENTS: topics.events,
      SEQUENT_TOPICS_DLQ: `${run}.ingest.dlq`,
      SEQUENT_GROUP_ID: `${run}-ingest`,
      SEQUENT_INTAKE_TOKEN_FILE: path.join(dir, 'intake-token'),
    });
    correlator = spawnService('correlator', await freePort(), {
      ...common,
      SEQUENT_TOPICS_EVENTS: topics.events,
      SEQUENT_TOPICS_CANDIDATES: topics.candidates,
      SEQUENT_TOPICS_DLQ: `${run}.correlator.dlq`,
      SEQUENT_GROUP_ID: `${run}-correlator`,
      SEQUENT_RULES_PATHS: fixtureRules,
      SEQUENT_REORDER_IDLE_FLUSH_MS: '500',
    });
    alerter = spawnService('alerter', await freePort(), {
      ...common,
      SEQUENT_TOPICS_CANDIDATES: topics.candidates,
      SEQUENT_TOPICS_ALERTS: topics.alerts,
      SEQUENT_TOPICS_DLQ: `${run}.alerts.dlq`,
      SEQUENT_GROUP_ID: `${run}-alerter`,
      SEQUENT_GRPC_AUTH_TOKEN: grpcToken,
      SEQUENT_SINKS_WEBHOOKS: JSON.stringify([
        { name: 'hook', url: 'http://127.0.0.1:9/unreachable', authorization: webhookAuth },
      ]),
      SEQUENT_SINKS_ATTEMPTS: '1',
      // Entity names (host, user) of the riskiest entities are exported by default: off here.
      SEQUENT_RISK_METRICS_TOP_N: '0',
    });
    services.push(ingest, correlator, alerter);
    await Promise.all(services.map((s) => s.waitReady(90_000)));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the HTTP intake without the token read from *_FILE, and accepts it with the token', async () => {
    const post = (auth?: string) =>
      fetch(`http://127.0.0.1:${ingest.httpPort}/v1/events?format=ecs`, {
        method: 'POST',
        headers: auth ? { authorization: auth } : {},
        body: '{"@timestamp":"2026-01-01T00:00:00.000Z"}\n',
      });
    expect((await post()).status).toBe(401);
    expect((await post(`Bearer ${intakeToken}x`)).status).toBe(401);
    expect((await post(`Bearer ${intakeToken}`)).status).toBe(202);
    expect(logText(ingest)).not.toMatch(/HTTP intake .* is OPEN/);
  });

  it('keeps event content out of /metrics and secrets out of logs and /metrics', async () => {
    const doc = (i: number, action: string) => ({
      '@timestamp': `2026-01-01T00:00:0${i}.000Z`,
      event: { id: `${marker}-${i}`, action, category: [marker], original: marker },
      host: { id: `${marker}-host`, name: `${marker}-host` },
      user: { name: `${marker}-user`, id: marker },
      process: { name: marker, command_line: `sh -c ${marker}`, args: [marker] },
      message: marker,
      [marker]: marker,
    });
    const body = [
      JSON.stringify(doc(1, 'sequent-test')), // alerts
      JSON.stringify(doc(2, `${marker}-quiet`)), // accepted, no alert
      `{"@timestamp": "${marker}" broken`, // invalid_json
      JSON.stringify({ [marker]: marker }), // missing_timestamp
    ].join('\n');
    const res = await fetch(`http://127.0.0.1:${ingest.httpPort}/v1/events?format=ecs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${intakeToken}` },
      body,
    });
    expect(res.status).toBe(202);
    // Wait for the alert (counted by the alerter), then scrape everything.
    const deadline = Date.now() + 60_000;
    let alerterMetrics = '';
    while (Date.now() < deadline) {
      alerterMetrics = (await httpGetText(`http://127.0.0.1:${alerter.httpPort}/metrics`)).body;
      if (/^sequent_alerts_total\{[^}]*\} [1-9]/m.test(alerterMetrics)) break;
      await sleep(500);
    }
    expect(alerterMetrics).toMatch(/^sequent_alerts_total\{[^}]*\} 1$/m);
    const ingestMetrics = (await httpGetText(`http://127.0.0.1:${ingest.httpPort}/metrics`)).body;
    const correlatorMetrics = (await httpGetText(`http://127.0.0.1:${correlator.httpPort}/metrics`)).body;
    expect(ingestMetrics).toMatch(/sequent_dlq_messages_total\{[^}]*reason="invalid_json"/);
    for (const text of [ingestMetrics, correlatorMetrics, alerterMetrics]) {
      expect(text.length).toBeGreaterThan(1000);
      expect(text).not.toContain(marker);
      for (const secret of [intakeToken, grpcToken, webhookAuth]) expect(text).not.toContain(secret);
    }
    // The webhook (unreachable) failed and was logged; no log line of any service names a secret.
    await sleep(1000);
    for (const s of services) {
      const logs = logText(s);
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of [intakeToken, grpcToken, webhookAuth.slice('Bearer '.length)])
        expect(logs).not.toContain(secret);
    }
  });
});

describe('an open HTTP intake', () => {
  it('says so loudly at start-up', async () => {
    if (!brokers) throw new Error('the harness global setup did not start Kafka');
    const run = `open${randomBytes(4).toString('hex')}`;
    const ingest = spawnService('ingest', await freePort(), {
      SEQUENT_KAFKA_BROKERS: brokers,
      SEQUENT_HTTP_HOST: '127.0.0.1',
      SEQUENT_TOPICS_RAW: `${run}.raw.ecs`,
      SEQUENT_TOPICS_EVENTS: `${run}.ecs.events`,
      SEQUENT_GROUP_ID: `${run}-ingest`,
    });
    try {
      await ingest.waitReady(90_000);
      const warning = ingest
        .logs()
        .find((l) => typeof l.msg === 'string' && /HTTP intake POST \/v1\/events is OPEN/.test(l.msg));
      expect(warning).toMatchObject({ level: 'warn' });
    } finally {
      expect(await ingest.stop()).toBe(0);
    }
  });
});

// The ingest service end to end: `apps/ingest/src/main.ts` in a child process on the harness
// Kafka broker, fed by a real gRPC client (ECS and raw auditd batches) and by its raw topics;
// the events, DLQ entries and /metrics are read back.
import { status } from '@grpc/grpc-js';
// Test-only: the harness starts the service process (app code never imports it).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { freePort, httpGetText, spawnService, type ServiceProcess } from '@sequent/harness';
import {
  createKafka,
  createLogger,
  KafkaBus,
  type DlqEnvelope,
  type KafkaBusRecord,
} from '@sequent/platform';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IngestClient } from './grpc-client';

jest.setTimeout(180_000);

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
if (!brokers) throw new Error('run through Jest: the harness global setup starts Kafka');

const id = randomBytes(4).toString('hex');
const topics = {
  rawEcs: `raw.ecs.${id}`,
  rawAuditd: `raw.auditd.${id}`,
  events: `events.${id}`,
  dlq: `dlq.${id}`,
};
const TOKEN = `ingest-int-token-${id}-0123456789`;
const logger = createLogger({ level: 'error' });
const chain = readFileSync(
  path.join(__dirname, '../../../libs/ecs/src/testdata/apt-chain.audit.log'),
  'utf8',
);
const event = (host: string) => `{"@timestamp":"2026-01-01T00:00:00Z","host":{"id":"${host}"}}`;

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('ingest service: gRPC intake and raw topics on Kafka', () => {
  let service: ServiceProcess;
  let bus: KafkaBus;
  let client: IngestClient;
  let httpPort: number;
  let grpcPort: number;
  const received: KafkaBusRecord[] = [];

  beforeAll(async () => {
    httpPort = await freePort();
    grpcPort = await freePort();
    service = spawnService('ingest', httpPort, {
      SEQUENT_KAFKA_BROKERS: brokers!,
      SEQUENT_KAFKA_SESSION_TIMEOUT_MS: '6000',
      SEQUENT_HTTP_HOST: '127.0.0.1',
      SEQUENT_TOPICS_RAW: topics.rawEcs,
      SEQUENT_TOPICS_EVENTS: topics.events,
      SEQUENT_TOPICS_DLQ: topics.dlq,
      SEQUENT_SOURCES: JSON.stringify([{ topic: topics.rawAuditd, format: 'auditd' }]),
      SEQUENT_GROUP_ID: `ingest-${id}`,
      SEQUENT_GRPC_ENABLED: 'true',
      SEQUENT_GRPC_HOST: '127.0.0.1',
      SEQUENT_GRPC_PORT: String(grpcPort),
      SEQUENT_GRPC_AUTH_TOKEN: TOKEN,
      SEQUENT_LOG_LEVEL: 'info',
    });
    await service.waitReady(90_000);
    client = new IngestClient({ address: `127.0.0.1:${grpcPort}`, token: TOKEN });
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
      topics: [topics.events, topics.dlq],
      onBatch: async (b) => void received.push(...b.records),
    });
  });

  afterAll(async () => {
    client?.close();
    await bus?.close();
    await service?.stop();
  });

  const docs = () =>
    received
      .filter((r) => r.topic === topics.events)
      .map((r) => ({ key: r.key, doc: JSON.parse(r.value.toString()) }));
  const dlq = () =>
    received.filter((r) => r.topic === topics.dlq).map((r) => JSON.parse(r.value.toString()) as DlqEnvelope);

  it('warns at start-up that the gRPC intake has no TLS, and reports healthy', async () => {
    expect(
      service
        .logs()
        .some((l) => String(l.msg).includes('gRPC ingest API is OPEN') && String(l.msg).includes('no TLS')),
    ).toBe(true);
    expect(await client.healthCheck()).toEqual({ status: 'SERVING' });
  });

  it('refuses a stream without the token', async () => {
    const anonymous = new IngestClient({ address: `127.0.0.1:${grpcPort}` });
    await expect(anonymous.ingest([{ lines: [event('x')] }])).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    anonymous.close();
  });

  it('streams ECS and raw auditd batches onto the events topic keyed by host.id, rejects to the DLQ', async () => {
    const lines = chain.trim().split('\n');
    const summary = await client.ingest([
      { format: 'ecs', lines: [event('grpc-1'), '{"broken', event('grpc-2')] },
      { format: 'auditd', data: Buffer.from(lines.slice(0, 11).join('\n')) },
      { format: 'auditd', lines: lines.slice(11) },
    ]);
    expect(summary).toMatchObject({
      accepted: 6,
      rejected: 1,
      rejected_by_reason: { invalid_json: 1 },
      batches: 3,
    });
    const got = await until('the six events', () => (docs().length >= 6 ? docs() : undefined));
    // keys pick partitions: order holds within a host only
    expect(got.map((d) => d.key).sort()).toEqual([
      'build-01',
      'build-01',
      'build-01',
      'build-01',
      'grpc-1',
      'grpc-2',
    ]);
    expect(got.filter((d) => d.key === 'build-01').map((d) => d.doc.event.action)).toEqual([
      'executed',
      'executed',
      'executed',
      'connected-to',
    ]);
    expect(got.every((d) => !Number.isNaN(Date.parse(d.doc.event.ingested)))).toBe(true);
    const dead = await until('the DLQ entry', () => (dlq().length >= 1 ? dlq() : undefined));
    expect(dead).toEqual([expect.objectContaining({ stage: 'ingest', reason: 'invalid_json' })]);
  });

  it('counts every input in /metrics by source, format and outcome', async () => {
    // the Kafka path: raw audit records keyed by their host, so one event's records stay in
    // order on one partition (as a shipper must send them)
    await bus.produce(
      topics.rawAuditd,
      chain
        .trim()
        .split('\n')
        .map((value) => ({ key: 'build-01', value })),
    );
    await until(
      `the raw-topic events (have ${docs().length} events, DLQ ${JSON.stringify(dlq().map((d) => d.reason))})`,
      () => (docs().length >= 10 ? true : undefined),
    );
    const metric = async (line: RegExp) => {
      const text = (await httpGetText(`http://127.0.0.1:${httpPort}/metrics`)).body;
      const m = text.split('\n').find((l) => line.test(l));
      return m === undefined ? undefined : Number(m.split(' ').pop());
    };
    const q = (s: string) => s.replace(/\./g, '\\.');
    expect(await metric(/^sequent_ingest_events_total\{.*source="grpc".*format="ecs".*outcome="ok"/)).toBe(2);
    expect(
      await metric(/^sequent_ingest_events_total\{.*source="grpc".*format="ecs".*outcome="failed"/),
    ).toBe(1);
    expect(await metric(/^sequent_ingest_events_total\{.*source="grpc".*format="auditd".*outcome="ok"/)).toBe(
      4,
    );
    expect(
      await metric(
        new RegExp(
          `^sequent_ingest_events_total\\{.*source="${q(topics.rawAuditd)}".*format="auditd".*outcome="ok"`,
        ),
      ),
    ).toBe(4);
    expect(await metric(new RegExp(`^sequent_ingest_bytes_total\\{.*source="${q(topics.rawAuditd)}"`))).toBe(
      chain.trim().split('\n').join('').length,
    );
    expect(await metric(/^sequent_ingest_rejected_total\{.*source="grpc".*reason="invalid_json"/)).toBe(1);
    expect(await metric(/^sequent_batch_duration_seconds_count\{.*stage="ingest"/)).toBeGreaterThanOrEqual(4);
  });
});

// The gRPC intake over real sockets with a real grpc-js client; Kafka is a recording fake here
// (grpc-intake.int.spec.ts runs the service on the harness broker).
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { createLogger, DlqProducer, Metrics, type KafkaBus } from '@sequent/platform';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IngestClient } from './grpc-client';
import {
  BATCHES_ACCEPTED_TRAILER,
  batchText,
  startGrpcIntake,
  type GrpcIntakeHandle,
  type GrpcIntakeOptions,
} from './grpc-intake';
import { ingestMetrics } from './ingest-metrics';

jest.setTimeout(30_000);

const TOKEN = 'grpc-intake-test-token-0123456789';
const chain = readFileSync(
  path.join(__dirname, '../../../libs/ecs/src/testdata/apt-chain.audit.log'),
  'utf8',
);
const chainLines = chain.trim().split('\n');
const event = (host: string, extra = '') =>
  `{"@timestamp":"2026-01-01T00:00:00Z","host":{"id":"${host}"}${extra}}`;

type Sent = { topic: string; records: Array<{ key?: string | null; value: string | Buffer }> };

class Logs {
  readonly lines: Array<{ level: string; msg: string }> = [];
  readonly logger = createLogger({
    level: 'debug',
    write: (l: string) => void this.lines.push(JSON.parse(l)),
  });
}

interface Fixture {
  server: GrpcIntakeHandle;
  sent: Sent[];
  metrics: Metrics;
  logs: Logs;
  client(opts?: { token?: string; channelOptions?: Record<string, number> }): IngestClient;
  close(): Promise<void>;
}

async function start(
  overrides: Partial<GrpcIntakeOptions> = {},
  produce?: (topic: string) => Promise<void>,
): Promise<Fixture> {
  const sent: Sent[] = [];
  const bus = {
    produce: async (topic: string, records: Sent['records']) => {
      await produce?.(topic);
      sent.push({ topic, records });
    },
  } as unknown as KafkaBus;
  const metrics = new Metrics({ service: 'ingest', defaultMetrics: false });
  const logs = new Logs();
  const server = await startGrpcIntake({
    host: '127.0.0.1',
    port: 0,
    authToken: TOKEN,
    maxMessageBytes: 64 * 1024,
    maxInFlightBatches: 4,
    bus,
    eventsTopic: 'ecs.events',
    dlq: new DlqProducer(bus, 'ingest.dlq', 'ingest', metrics),
    metrics: ingestMetrics(metrics),
    logger: logs.logger,
    isReady: () => true,
    now: () => Date.parse('2026-02-02T02:02:02.000Z'),
    ...overrides,
  });
  const clients: IngestClient[] = [];
  return {
    server,
    sent,
    metrics,
    logs,
    client: (opts = {}) => {
      const c = new IngestClient({
        address: `127.0.0.1:${server.port}`,
        token: 'token' in opts ? opts.token : TOKEN,
        channelOptions: opts.channelOptions,
      });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.close();
      await server.close();
    },
  };
}

const values = async (metrics: Metrics, name: string) =>
  ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => ({
    labels: v.labels,
    value: v.value,
  }));

const trailer = (err: ServiceError) => err.metadata.get(BATCHES_ACCEPTED_TRAILER)[0];

describe('batchText', () => {
  it('puts data before lines and numbers lines across both', () => {
    expect(batchText({ data: Buffer.from('a\nb\n'), lines: ['c', 'd'] })).toEqual({
      text: 'a\nb\nc\nd',
      bytes: 6,
    });
    expect(batchText({ lines: ['é'] })).toEqual({ text: 'é', bytes: 2 });
    expect(batchText({ data: Buffer.from('x') })).toEqual({ text: 'x', bytes: 1 });
  });
});

describe('gRPC intake', () => {
  let f: Fixture;
  beforeEach(async () => (f = await start()));
  afterEach(() => f.close());

  it('normalizes streamed ECS and raw auditd batches, produces events keyed by host.id, dead-letters the rest', async () => {
    const summary = await f.client().ingest([
      { format: 'ecs', lines: [event('h-1'), 'not json', event('h-2')] },
      // An audit event may span batches of one stream: the normalizer is kept per format/shape.
      { format: 'auditd', data: Buffer.from(chainLines.slice(0, 9).join('\n') + '\n') },
      { format: 'auditd', lines: [...chainLines.slice(9), 'garbage'] },
      { lines: ['{"host":{"id":"h-3"}}'] },
    ]);
    expect(summary).toEqual({
      accepted: 6,
      rejected: 3,
      rejected_by_reason: { invalid_json: 1, invalid_record: 1, missing_timestamp: 1 },
      rejections: [
        { batch: 0, line: 2, reason: 'invalid_json', error: expect.stringMatching(/^line 2: /) },
        {
          batch: 2,
          line: chainLines.length - 9 + 1,
          reason: 'invalid_record',
          error: expect.stringMatching(/not an auditd record/),
        },
        { batch: 3, line: 1, reason: 'missing_timestamp', error: expect.any(String) },
      ],
      batches: 4,
    });
    const events = f.sent.filter((s) => s.topic === 'ecs.events').flatMap((s) => s.records);
    const docs = events.map((r) => JSON.parse(String(r.value)));
    expect(events.map((r) => r.key)).toEqual(['h-1', 'h-2', 'build-01', 'build-01', 'build-01', 'build-01']);
    expect(docs.slice(2).map((d) => d.event.action)).toEqual([
      'executed',
      'executed',
      'executed',
      'connected-to',
    ]);
    // the ingest wall clock, for the alerter's ingest_time latency
    expect(docs.every((d) => d.event.ingested === '2026-02-02T02:02:02.000Z')).toBe(true);
    const dlq = f.sent.filter((s) => s.topic === 'ingest.dlq').flatMap((s) => s.records);
    const envelopes = dlq.map((r) => JSON.parse(String(r.value)));
    expect(envelopes.map((e) => [e.stage, e.reason])).toEqual([
      ['ingest', 'invalid_json'],
      ['ingest', 'invalid_record'],
      ['ingest', 'missing_timestamp'],
    ]);
    expect(Buffer.from(envelopes[0].original, 'base64').toString()).toBe('not json');

    expect(await values(f.metrics, 'sequent_ingest_events_total')).toEqual(
      expect.arrayContaining([
        { labels: { source: 'grpc', format: 'ecs', outcome: 'ok' }, value: 2 },
        { labels: { source: 'grpc', format: 'ecs', outcome: 'failed' }, value: 2 },
        { labels: { source: 'grpc', format: 'auditd', outcome: 'ok' }, value: 4 },
        { labels: { source: 'grpc', format: 'auditd', outcome: 'failed' }, value: 1 },
      ]),
    );
    // batch 0 lines, batch 1 data (9 records with their newlines), batch 2 lines, batch 3
    const bytes =
      [event('h-1'), 'not json', event('h-2')].join('').length +
      chain.length -
      (chainLines.length - 9) +
      'garbage'.length +
      '{"host":{"id":"h-3"}}'.length;
    expect(await values(f.metrics, 'sequent_ingest_bytes_total')).toEqual([
      { labels: { source: 'grpc' }, value: bytes },
    ]);
    expect(await values(f.metrics, 'sequent_ingest_rejected_total')).toEqual(
      expect.arrayContaining([{ labels: { source: 'grpc', reason: 'invalid_record' }, value: 1 }]),
    );
    const duration = await values(f.metrics, 'sequent_batch_duration_seconds');
    expect(duration).toContainEqual({ labels: { stage: 'ingest', le: '+Inf' }, value: 4 });
    expect(await values(f.metrics, 'sequent_dlq_messages_total')).toHaveLength(3);
  });

  it('requires the bearer token for Ingest, not for health', async () => {
    await expect(f.client({ token: undefined }).ingest([{ lines: [event('a')] }])).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    await expect(
      f.client({ token: 'grpc-intake-test-token-wrong-000000' }).ingest([{ lines: [event('a')] }]),
    ).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    expect(f.sent).toEqual([]);
    expect(await f.client({ token: undefined }).healthCheck()).toEqual({ status: 'SERVING' });
    expect(await f.client().healthCheck('sequent.ingest.v1.IngestService')).toEqual({ status: 'SERVING' });
    await expect(f.client().healthCheck('other.Service')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('ends the stream with INVALID_ARGUMENT on an unknown format, saying how many batches were accepted', async () => {
    const err: ServiceError = await f
      .client()
      .ingest([{ lines: [event('a')] }, { format: 'csv', lines: ['a,b'] }, { lines: [event('b')] }])
      .then(
        () => {
          throw new Error('expected a failure');
        },
        (e: ServiceError) => e,
      );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/unsupported format\/shape "csv\/integration"/);
    expect(trailer(err)).toBe('1');
    expect(f.sent.flatMap((s) => s.records).map((r) => r.key)).toEqual(['a']);
  });

  it('refuses messages over the size limit with RESOURCE_EXHAUSTED', async () => {
    const big = 'x'.repeat(70 * 1024);
    await expect(f.client().ingest([{ lines: [big] }])).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
    });
    expect(f.sent).toEqual([]);
  });

  it('warns loudly at start-up that it runs without TLS', () => {
    const warning = f.logs.lines.find((l) => l.level === 'warn' && l.msg.includes('gRPC ingest API is OPEN'));
    expect(warning?.msg).toContain('no TLS');
    expect(warning?.msg).not.toContain('no auth token');
  });
});

describe('gRPC intake backpressure and failures', () => {
  it('answers RESOURCE_EXHAUSTED when the producer cannot keep up, instead of queueing', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let producing: () => void = () => undefined;
    const firstProduce = new Promise<void>((r) => (producing = r));
    const f = await start({ maxInFlightBatches: 1 }, async () => {
      producing();
      await gate;
    });
    try {
      const first = f.client().ingest([{ lines: [event('a')] }, { lines: [event('b')] }]);
      await firstProduce; // the first stream's batch is now being handed to Kafka
      const err = (await f
        .client()
        .ingest([{ lines: [event('c')] }])
        .catch((e: ServiceError) => e)) as ServiceError;
      expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(trailer(err)).toBe('0');
      release();
      expect(await first).toMatchObject({ accepted: 2, rejected: 0, batches: 2 });
      expect(f.sent.flatMap((s) => s.records).map((r) => r.key)).toEqual(['a', 'b']);
    } finally {
      await f.close();
    }
  });

  it('bounds the open streams: one more is refused, a finished or cancelled one frees its place', async () => {
    let produced: () => void = () => undefined;
    let wait = new Promise<void>((r) => (produced = r));
    const f = await start({ maxStreams: 1 }, async () => produced());
    try {
      const a = f.client().open();
      a.stream.write({ lines: [event('a')] });
      await wait; // the server holds stream a
      await expect(f.client().ingest([{ lines: [event('b')] }])).rejects.toMatchObject({
        code: status.RESOURCE_EXHAUSTED,
      });
      a.stream.end();
      expect(await a.summary).toMatchObject({ accepted: 1 });
      wait = new Promise<void>((r) => (produced = r));
      const c = f.client().open();
      c.stream.write({ lines: [event('c')] });
      await wait;
      c.stream.cancel();
      await expect(c.summary).rejects.toMatchObject({ code: status.CANCELLED });
      // the server sees the cancellation asynchronously: retry until the place is free
      let summary;
      for (let i = 0; i < 50 && !summary; i++) {
        summary = await f
          .client()
          .ingest([{ lines: [event('d')] }])
          .catch(() => new Promise((r) => setTimeout(r, 100)).then(() => undefined));
      }
      expect(summary).toMatchObject({ accepted: 1 });
    } finally {
      await f.close();
    }
  });

  it('answers UNAVAILABLE when Kafka refuses the events or is not connected yet', async () => {
    const failing = await start({}, async () => Promise.reject(new Error('broker down')));
    try {
      await expect(failing.client().ingest([{ lines: [event('a')] }])).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
    } finally {
      await failing.close();
    }
    const notReady = await start({ isReady: () => false });
    try {
      await expect(notReady.client().ingest([{ lines: [event('a')] }])).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
      expect(await notReady.client().healthCheck()).toEqual({ status: 'NOT_SERVING' });
    } finally {
      await notReady.close();
    }
  });
});

describe('gRPC intake over TLS', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-ingest-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts TLS clients that trust the certificate, refuses plaintext, and with a client CA requires a client certificate', async () => {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const ca = readFileSync(cert);
    const tls = await start({ tls: { certFile: cert, keyFile: key } });
    try {
      const client = new IngestClient({
        address: `localhost:${tls.server.port}`,
        token: TOKEN,
        credentials: credentials.createSsl(ca),
      });
      expect(await client.ingest([{ lines: [event('a')] }])).toMatchObject({ accepted: 1 });
      client.close();
      const plain = new IngestClient({ address: `localhost:${tls.server.port}`, token: TOKEN });
      await expect(plain.ingest([{ lines: [event('b')] }])).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
      plain.close();
      expect(tls.logs.lines.some((l) => l.level === 'warn' && l.msg.includes('OPEN'))).toBe(false);
    } finally {
      await tls.close();
    }
    const mtls = await start({ tls: { certFile: cert, keyFile: key, clientCaFile: cert } });
    try {
      const withCert = new IngestClient({
        address: `localhost:${mtls.server.port}`,
        token: TOKEN,
        credentials: credentials.createSsl(ca, readFileSync(key), ca),
      });
      expect(await withCert.ingest([{ lines: [event('a')] }])).toMatchObject({ accepted: 1 });
      withCert.close();
      const noCert = new IngestClient({
        address: `localhost:${mtls.server.port}`,
        token: TOKEN,
        credentials: credentials.createSsl(ca),
      });
      await expect(noCert.ingest([{ lines: [event('b')] }])).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
      noCert.close();
    } finally {
      await mtls.close();
    }
  });
});

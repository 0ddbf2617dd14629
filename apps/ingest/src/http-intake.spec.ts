import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, DlqProducer, Metrics, type KafkaBus } from '@sequent/platform';
import { createHttpIntake, type HttpIntakeOptions } from './http-intake';

type Sent = { topic: string; records: Array<{ key?: string | null; value: string | Buffer }> };

async function withIntake(
  overrides: Partial<HttpIntakeOptions>,
  body: (port: number, sent: Sent[], metrics: Metrics) => Promise<void>,
  produce?: (topic: string) => Promise<void>,
) {
  const sent: Sent[] = [];
  const bus = {
    produce: async (topic: string, records: Sent['records']) => {
      await produce?.(topic);
      sent.push({ topic, records });
    },
  } as unknown as KafkaBus;
  const metrics = new Metrics({ service: 'ingest', defaultMetrics: false });
  const handler = createHttpIntake({
    bus,
    eventsTopic: 'ecs.events',
    dlq: new DlqProducer(bus, 'ingest.dlq', 'ingest', metrics),
    metrics,
    logger: createLogger({ level: 'error', write: () => undefined }),
    maxBodyBytes: 1024,
    maxInFlightRequests: 4,
    isReady: () => true,
    ...overrides,
  });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await body((server.address() as AddressInfo).port, sent, metrics);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const event = (id: string) => JSON.stringify({ '@timestamp': '2026-01-01T00:00:00Z', host: { id } });
const post = (port: number, body: string, headers: Record<string, string> = {}, query = '?format=ecs') =>
  fetch(`http://127.0.0.1:${port}/v1/events${query}`, { method: 'POST', body, headers });

describe('HTTP intake', () => {
  it('accepts NDJSON, produces valid lines keyed by host.id and dead-letters the rest', async () => {
    await withIntake({}, async (port, sent, metrics) => {
      const res = await post(port, `${event('a')}\n\n${event('b')}\nnot json\n`);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 2, rejected: 1 });
      expect(sent[0].topic).toBe('ecs.events');
      expect(sent[0].records.map((r) => r.key)).toEqual(['a', 'b']);
      const docs = sent[0].records.map((r) => JSON.parse(String(r.value)));
      expect(docs.map((d) => d.host.id)).toEqual(['a', 'b']);
      // stamped with the intake's wall clock when the sender set none
      expect(docs.every((d) => !Number.isNaN(Date.parse(d.event.ingested)))).toBe(true);
      const envelope = JSON.parse(String(sent[1].records[0].value));
      expect(sent[1].topic).toBe('ingest.dlq');
      expect(envelope).toMatchObject({
        stage: 'ingest',
        reason: 'invalid_json',
        error: expect.stringMatching(/^line 4:/),
      });
      expect(Buffer.from(envelope.original, 'base64').toString()).toBe('not json');
      expect((await metrics.dlqMessages.get()).values).toEqual([
        expect.objectContaining({ labels: { stage: 'ingest', reason: 'invalid_json' }, value: 1 }),
      ]);
      const events = await metrics.registry.getSingleMetric('sequent_ingest_events_total')!.get();
      expect(events.values.map((v) => [v.labels, v.value])).toEqual([
        [{ source: 'http', format: 'ecs', outcome: 'ok' }, 2],
        [{ source: 'http', format: 'ecs', outcome: 'failed' }, 1],
      ]);
      const bytes = await metrics.registry.getSingleMetric('sequent_ingest_bytes_total')!.get();
      expect(bytes.values.map((v) => [v.labels, v.value])).toEqual([
        [{ source: 'http' }, `${event('a')}\n\n${event('b')}\nnot json\n`.length],
      ]);
      const duration = await metrics.registry.getSingleMetric('sequent_batch_duration_seconds')!.get();
      expect(duration.values).toContainEqual(
        expect.objectContaining({ labels: { stage: 'ingest', le: '+Inf' }, value: 1 }),
      );
    });
  });

  it('requires the bearer token when one is configured', async () => {
    await withIntake({ token: 'tok-123' }, async (port, sent) => {
      expect((await post(port, event('a'))).status).toBe(401);
      expect((await post(port, event('a'), { authorization: 'Bearer tok-124' })).status).toBe(401);
      expect((await post(port, event('a'), { authorization: 'Bearer tok-123' })).status).toBe(202);
      expect(sent).toHaveLength(1);
    });
  });

  it('refuses bodies over the limit, unknown formats, other methods and requests before ready', async () => {
    await withIntake({}, async (port, sent) => {
      expect((await post(port, 'x'.repeat(2048))).status).toBe(413);
      expect((await post(port, event('a'), {}, '?format=csv')).status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${port}/v1/events`)).status).toBe(405);
      expect(sent).toHaveLength(0);
    });
    await withIntake({ isReady: () => false }, async (port) => {
      expect((await post(port, event('a'))).status).toBe(503);
    });
  });

  it('answers 429 when too many requests are in flight, and 503 when Kafka fails', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    await withIntake(
      { maxInFlightRequests: 1 },
      async (port) => {
        const first = post(port, event('a'));
        await new Promise((r) => setTimeout(r, 100));
        const second = await post(port, event('b'));
        expect(second.status).toBe(429);
        expect(second.headers.get('retry-after')).toBe('1');
        release();
        expect((await first).status).toBe(202);
      },
      () => gate,
    );
    await withIntake(
      {},
      async (port) => {
        expect((await post(port, event('a'))).status).toBe(503);
      },
      async () => Promise.reject(new Error('broker down')),
    );
  });
});

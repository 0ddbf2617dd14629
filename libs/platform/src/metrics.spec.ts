import { request } from 'node:http';
import { Metrics, sendJson, startOpsServer, type OpsServer } from './metrics';

function call(
  port: number,
  path: string,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text, type: res.headers['content-type'] }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('ops server', () => {
  let server: OpsServer;
  let redisUp = true;
  const metrics = new Metrics({ service: 'unit', defaultMetrics: false });

  beforeAll(async () => {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: {
        kafka: () => true,
        redis: async () => redisUp,
        broken: () => {
          if (!redisUp) throw new Error('check failed');
          return true;
        },
      },
      routes: {
        '/echo': async (req, res) => sendJson(res, 200, { method: req.method }),
        '/fail': async () => {
          throw new Error('handler bug');
        },
      },
    });
  });
  afterAll(() => server.close());

  it('serves Prometheus text with the service label', async () => {
    metrics.dlqMessages.inc({ stage: 'ingest', reason: 'invalid_json' }, 3);
    const res = await call(server.port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain(
      'sequent_dlq_messages_total{stage="ingest",reason="invalid_json",service="unit"} 3',
    );
  });

  it('answers /healthz always and /readyz by its checks', async () => {
    expect((await call(server.port, '/healthz')).status).toBe(200);
    redisUp = true;
    const ready = await call(server.port, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({
      status: 'ready',
      checks: { kafka: true, redis: true, broken: true },
    });
    redisUp = false;
    const notReady = await call(server.port, '/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body).checks).toEqual({ kafka: true, redis: false, broken: false });
  });

  it('routes extra paths, 404s unknown ones and turns handler errors into 500', async () => {
    expect(JSON.parse((await call(server.port, '/echo?x=1', 'POST', 'hi')).body)).toEqual({ method: 'POST' });
    expect((await call(server.port, '/nope')).status).toBe(404);
    expect((await call(server.port, '/fail')).status).toBe(500);
  });
});

describe('Metrics.counter / histogram', () => {
  it('creates a catalogue metric once and hands the same one to every caller', async () => {
    const metrics = new Metrics({ service: 'unit', defaultMetrics: false });
    const a = metrics.counter('sequent_messages_in_total', 'in', ['stage']);
    const b = metrics.counter('sequent_messages_in_total', 'in', ['stage']);
    expect(b).toBe(a);
    a.inc({ stage: 'ingest' }, 2);
    b.inc({ stage: 'ingest' });
    expect((await a.get()).values).toEqual([
      expect.objectContaining({ labels: { stage: 'ingest' }, value: 3 }),
    ]);
    const h = metrics.histogram('sequent_batch_duration_seconds', 'batch', ['stage'], [0.1, 1]);
    expect(metrics.histogram('sequent_batch_duration_seconds', 'batch', ['stage'], [0.1, 1])).toBe(h);
  });
});

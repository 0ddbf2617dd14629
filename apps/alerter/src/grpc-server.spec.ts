// The gRPC API over real sockets with a real grpc-js client, backed by in-memory stores.
import { credentials, status } from '@grpc/grpc-js';
import { AlertProcessor, buildCandidate, memoryAlertingStores, type CandidateSpec } from '@sequent/alerting';
import { createLogger } from '@sequent/platform';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalAlertFeed } from '@sequent/pipeline';
import type { StoredAlert } from '@sequent/pipeline';
import { AlertClient, type ProtoAlert } from './grpc-client';
import { startGrpcServer, type GrpcServerHandle } from './grpc-server';

jest.setTimeout(30_000);

const now = Date.parse('2026-03-01T00:00:00Z');
const TOKEN = 'unit-test-token-0123456789';

class Logs {
  readonly lines: Array<{ level: string; msg: string }> = [];
  readonly logger = createLogger({
    level: 'debug',
    write: (line: string) => void this.lines.push(JSON.parse(line)),
  });
}

async function fixture() {
  const stores = memoryAlertingStores({ clock: () => now });
  const processor = new AlertProcessor(stores);
  const feed = new LocalAlertFeed();
  const recent: StoredAlert[] = [];
  let serial = 0;
  /** Runs candidates through the processor and "publishes" them as the stage would. */
  const produce = async (specs: CandidateSpec[]) => {
    const outcome = await processor.process(
      specs.map((s) => ({
        ref: s.uuid,
        value: JSON.stringify(buildCandidate({ time: new Date(now - 60_000).toISOString(), ...s })),
      })),
      now,
    );
    await outcome.commit();
    const stored = outcome.alerts.map((a) => ({ ...a, publishedAt: now + serial++ }));
    for (const a of stored) {
      const i = recent.findIndex((r) => r.uuid === a.uuid);
      if (i >= 0) recent.splice(i, 1);
      recent.unshift(a);
    }
    await feed.publish(stored);
  };
  return { stores, feed, recent, produce };
}

function collect(stream: ReturnType<AlertClient['streamAlerts']>, n: number): Promise<ProtoAlert[]> {
  const got: ProtoAlert[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (a: ProtoAlert) => {
      got.push(a);
      if (got.length === n) resolve(got);
    });
    stream.on('error', (err) => (got.length >= n ? resolve(got) : reject(err)));
  });
}

describe('gRPC API (bearer auth, plaintext)', () => {
  let server: GrpcServerHandle;
  let client: AlertClient;
  let f: Awaited<ReturnType<typeof fixture>>;
  const logs = new Logs();
  let serving = true;

  beforeAll(async () => {
    f = await fixture();
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      authToken: TOKEN,
      queries: {
        listAlerts: async (offset, size, accept) => {
          const all = f.recent.filter(accept);
          const page = all.slice(offset, offset + size);
          return { alerts: page, next: offset + size < all.length ? offset + size : null };
        },
        entityRisk: f.stores.entityRisk,
        feed: f.feed,
        now: () => now,
      },
      isServing: () => serving,
      logger: logs.logger,
    });
    client = new AlertClient({ address: `127.0.0.1:${server.port}`, token: TOKEN });
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('warns loudly at start-up that the server has no TLS', () => {
    const warning = logs.lines.find((l) => l.level === 'warn' && l.msg.includes('gRPC API is OPEN'));
    expect(warning?.msg).toContain('no TLS');
    expect(warning?.msg).not.toContain('no auth token');
  });

  it('rejects calls without the bearer token', async () => {
    const anonymous = new AlertClient({ address: `127.0.0.1:${server.port}` });
    await expect(anonymous.listAlerts({})).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    const wrong = new AlertClient({ address: `127.0.0.1:${server.port}`, token: 'wrong-token-0123456789' });
    await expect(wrong.listRiskiestEntities({})).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(collect(wrong.streamAlerts({}), 1)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    // health stays open (load balancers and kubelets have no token)
    expect(await anonymous.healthCheck()).toEqual({ status: 'SERVING' });
    anonymous.close();
    wrong.close();
  });

  it('StreamAlerts delivers alerts as they are produced, filtered', async () => {
    const high = client.streamAlerts({ filter: { min_severity: 'HIGH' } });
    const byRule = client.streamAlerts({ filter: { rule_ids: ['r-low'], host: 'db-1' } });
    const gotHigh = collect(high, 2);
    const gotRule = collect(byRule, 1);
    // The server sends headers once the stream is registered: wait for them before producing.
    await Promise.all([high, byRule].map((s) => new Promise((r) => s.once('metadata', r))));
    await f.produce([
      { uuid: 's1', ruleId: 'r-low', severity: 'low', riskScore: 21, host: 'db-1' },
      { uuid: 's2', ruleId: 'r-high', severity: 'high', riskScore: 73, host: 'web-1', user: 'alice' },
      { uuid: 's3', ruleId: 'r-low', severity: 'low', riskScore: 21, host: 'web-1' },
      { uuid: 's4', ruleId: 'r-crit', severity: 'critical', riskScore: 99, host: 'db-1', user: 'alice' },
      {
        uuid: 's5',
        ruleId: 'r-bb',
        severity: 'critical',
        riskScore: 99,
        host: 'db-1',
        parameters: { building_block_type: 'default' },
      },
    ]);
    const h = await gotHigh;
    expect(h.map((a) => [a.uuid, a.severity])).toEqual([
      ['s2', 'HIGH'],
      ['s4', 'CRITICAL'],
    ]);
    expect(h[0]).toMatchObject({
      rule_id: 'r-high',
      risk_score: 73,
      host_names: ['web-1'],
      user_names: ['alice'],
      update: false,
    });
    expect(JSON.parse(h[0].document_json)['kibana.alert.uuid']).toBe('s2');
    expect((await gotRule).map((a) => a.uuid)).toEqual(['s1']);
    high.cancel();
    byRule.cancel();
  });

  it('ListAlerts pages through recent alerts, newest first', async () => {
    const first = await client.listAlerts({ page_size: 2 });
    expect(first.alerts.map((a) => a.uuid)).toEqual(['s4', 's3']);
    expect(first.next_page_token).not.toBe('');
    const second = await client.listAlerts({ page_size: 2, page_token: first.next_page_token });
    expect(second.alerts.map((a) => a.uuid)).toEqual(['s2', 's1']);
    expect(second.next_page_token).toBe('');
    const bb = await client.listAlerts({
      filter: { include_building_blocks: true, min_severity: 'CRITICAL' },
    });
    expect(bb.alerts.map((a) => [a.uuid, a.building_block])).toEqual([
      ['s5', true],
      ['s4', false],
    ]);
    await expect(client.listAlerts({ page_token: 'abc' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('GetEntityRisk and ListRiskiestEntities', async () => {
    // db-1: s4 (99) and s1 (21); s5 is a building block and does not count:
    //   99 + 21 * 0.353553 = 106.424621 -> / 2.612375 = 40.739 -> Moderate
    const db1 = await client.getEntityRisk({ type: 'HOST', name: 'db-1' });
    expect(db1).toMatchObject({ type: 'HOST', name: 'db-1', level: 'Moderate', inputs: 2 });
    expect(db1.score).toBeCloseTo(40.739, 2);
    expect(db1.top_inputs.map((i) => i.alert_id)).toEqual(['s4', 's1']);
    // alice: 99 (s4) and 73 (s2): 99 + 73 * 0.353553 = 124.809369 -> 47.777 -> Moderate
    const alice = await client.getEntityRisk({ type: 'USER', name: 'alice' });
    expect(alice.score).toBeCloseTo(47.777, 2);
    await expect(client.getEntityRisk({ type: 'HOST', name: 'nobody' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(client.getEntityRisk({ name: 'x' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });

    // web-1: 73 (s2) and 21 (s3): 73 + 21 * 0.353553 = 80.424621 -> 30.786 -> Low
    const top = await client.listRiskiestEntities({ limit: 3 });
    expect(top.entities.map((e) => `${e.type}:${e.name}:${e.level}`)).toEqual([
      'USER:alice:Moderate',
      'HOST:db-1:Moderate',
      'HOST:web-1:Low',
    ]);
    const hosts = await client.listRiskiestEntities({ type: 'HOST' });
    expect(hosts.entities.map((e) => e.name)).toEqual(['db-1', 'web-1']);
  });

  it('serves grpc.health.v1 Check', async () => {
    expect(await client.healthCheck()).toEqual({ status: 'SERVING' });
    expect(await client.healthCheck('sequent.alerting.v1.AlertService')).toEqual({ status: 'SERVING' });
    serving = false;
    expect(await client.healthCheck()).toEqual({ status: 'NOT_SERVING' });
    serving = true;
    await expect(client.healthCheck('other.Service')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('serves grpc.health.v1 Watch: the status, then its changes', async () => {
    const watch = client.healthWatch();
    const statuses: string[] = [];
    const done = new Promise<void>((resolve) =>
      watch.on('data', (m: { status: string }) => {
        statuses.push(m.status);
        if (statuses.length === 1) serving = false;
        if (statuses.length === 2) resolve();
      }),
    );
    watch.on('error', () => undefined);
    await done;
    serving = true;
    watch.cancel();
    expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
  });
});

describe('gRPC API: a stream client that stops reading', () => {
  it('is ended with RESOURCE_EXHAUSTED instead of buffering without bound', async () => {
    const f = await fixture();
    const logs = new Logs();
    const server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      queries: {
        listAlerts: async () => ({ alerts: [], next: null }),
        entityRisk: f.stores.entityRisk,
        feed: f.feed,
      },
      isServing: () => true,
      logger: logs.logger,
      maxQueuedPerStream: 20,
    });
    const client = new AlertClient({ address: `127.0.0.1:${server.port}` });
    try {
      const stream = client.streamAlerts({});
      await new Promise((r) => stream.once('metadata', r));
      stream.pause(); // reads nothing: HTTP/2 flow control fills up, then the server's queue
      const ended = new Promise<{ code?: number }>((resolve) => stream.on('error', resolve));
      const big = 'x'.repeat(20_000);
      for (let i = 0; i < 10 && f.feed.subscribers > 0; i++) {
        await f.produce(
          Array.from({ length: 50 }, (_, j) => ({
            uuid: `slow-${i}-${j}`,
            host: 'h',
            extra: { padding: big },
          })),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(f.feed.subscribers).toBe(0); // the server let go of the stream
      stream.resume();
      expect(await ended).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('gRPC API over TLS', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'alerter-tls-'));
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

  it('serves TLS clients that trust the certificate, and no plaintext ones', async () => {
    const f = await fixture();
    const logs = new Logs();
    const server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') },
      queries: {
        listAlerts: async () => ({ alerts: [], next: null }),
        entityRisk: f.stores.entityRisk,
        feed: f.feed,
      },
      isServing: () => true,
      logger: logs.logger,
    });
    try {
      const tls = new AlertClient({
        address: `localhost:${server.port}`,
        credentials: credentials.createSsl(readFileSync(path.join(dir, 'cert.pem'))),
      });
      expect(await tls.listAlerts({})).toEqual({ alerts: [], next_page_token: '' });
      tls.close();
      const plain = new AlertClient({ address: `localhost:${server.port}` });
      await expect(plain.listAlerts({})).rejects.toMatchObject({ code: status.UNAVAILABLE });
      plain.close();
      // mutual TLS: the client must present a certificate the client CA signed
      const mtls = await startGrpcServer({
        host: '127.0.0.1',
        port: 0,
        tls: {
          certFile: path.join(dir, 'cert.pem'),
          keyFile: path.join(dir, 'key.pem'),
          clientCaFile: path.join(dir, 'cert.pem'),
        },
        authToken: TOKEN,
        queries: {
          listAlerts: async () => ({ alerts: [], next: null }),
          entityRisk: f.stores.entityRisk,
          feed: f.feed,
        },
        isServing: () => true,
        logger: logs.logger,
      });
      try {
        const ca = readFileSync(path.join(dir, 'cert.pem'));
        const withCert = new AlertClient({
          address: `localhost:${mtls.port}`,
          token: TOKEN,
          credentials: credentials.createSsl(ca, readFileSync(path.join(dir, 'key.pem')), ca),
        });
        expect(await withCert.listAlerts({})).toEqual({ alerts: [], next_page_token: '' });
        withCert.close();
        const noCert = new AlertClient({
          address: `localhost:${mtls.port}`,
          token: TOKEN,
          credentials: credentials.createSsl(ca),
        });
        await expect(noCert.listAlerts({})).rejects.toMatchObject({ code: status.UNAVAILABLE });
        noCert.close();
      } finally {
        await mtls.close();
      }
      // TLS but no token: still announced as open
      expect(logs.lines.some((l) => l.level === 'warn' && l.msg.includes('no auth token'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

// Prometheus metrics (prom-client) and the small HTTP server every service exposes:
// `/metrics` (text exposition), `/healthz` (the process is alive) and `/readyz` (every
// readiness check passes: connected to Kafka, Redis, ...). Other paths can be mounted for
// service endpoints (ingest's HTTP intake).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger';

export interface MetricsOptions {
  service: string;
  /** Process metrics (CPU, memory, event loop lag); off in unit tests to keep output small. */
  defaultMetrics?: boolean;
}

/** A registry labelled with the service name, plus the counters every stage shares. */
export class Metrics {
  readonly registry = new Registry();
  readonly dlqMessages: Counter<'stage' | 'reason'>;

  constructor(options: MetricsOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'sequent_' });
    this.dlqMessages = new Counter({
      name: 'sequent_dlq_messages_total',
      help: 'Messages sent to a dead-letter topic, by stage and reason.',
      labelNames: ['stage', 'reason'],
      registers: [this.registry],
    });
  }

  /**
   * The counter `name` of this registry, created on first use. Get-or-create, so two pieces of
   * wiring that count the same catalogue metric (docs/metrics.md) share it instead of failing
   * on a duplicate registration.
   */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Gauge<L>;
    return new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Histogram<L>;
    return new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}

export type ReadinessCheck = () => boolean | Promise<boolean>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface OpsServerOptions {
  host: string;
  port: number;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  /** Extra routes by exact path (e.g. `/v1/events`). */
  routes?: Record<string, RouteHandler>;
  logger?: Logger;
}

export interface OpsServer {
  server: Server;
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

async function readiness(checks: Record<string, ReadinessCheck>): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, await check()] as const;
      } catch {
        return [name, false] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === '/metrics' && req.method === 'GET') {
        send(res, 200, options.metrics.registry.contentType, await options.metrics.registry.metrics());
      } else if (path === '/healthz') {
        sendJson(res, 200, { status: 'ok' });
      } else if (path === '/readyz') {
        const checks = await readiness(options.readiness);
        const ready = Object.values(checks).every(Boolean);
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
      } else if (options.routes?.[path]) {
        await options.routes[path](req, res);
      } else {
        sendJson(res, 404, { error: `no route for ${path}` });
      }
    };
    handle().catch((err: unknown) => {
      options.logger?.error('http handler failed', { path, error: err });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger?.info('http server listening', { host: options.host, port });
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import path from 'node:path';
import { sleep, stopProcess } from './child';

const repoRoot = path.resolve(__dirname, '../../..');
const register = path.join(__dirname, 'swc-register.js');

export type ServiceName = 'ingest' | 'correlator' | 'alerter';

export interface ServiceProcess {
  name: ServiceName;
  proc: ChildProcess;
  httpPort: number;
  /** Every JSON log line the service printed so far (non-JSON lines are kept as `{raw}`). */
  logs(): Array<Record<string, unknown>>;
  waitReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after the grace period; resolves with the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

export function httpGetText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(3000, () => req.destroy(new Error('timeout')));
  });
}

/**
 * The settings every service under test shares: the broker, Redis, HTTP on loopback, and short
 * Kafka sessions (the test broker keeps a departed group member until its session expires, so
 * a restarted or killed service's partitions move on within seconds).
 */
export function serviceEnv(options: {
  brokers: readonly string[];
  redisUrl: string;
  logLevel?: string;
  redisKeyPrefix?: string;
}): Record<string, string> {
  return {
    SEQUENT_KAFKA_BROKERS: options.brokers.join(','),
    SEQUENT_KAFKA_SESSION_TIMEOUT_MS: '6000',
    SEQUENT_REDIS_URL: options.redisUrl,
    ...(options.redisKeyPrefix !== undefined ? { SEQUENT_REDIS_KEY_PREFIX: options.redisKeyPrefix } : {}),
    SEQUENT_HTTP_HOST: '127.0.0.1',
    SEQUENT_LOG_LEVEL: options.logLevel ?? 'warn',
  };
}

/**
 * Runs apps/<name>/src/main.ts from source (swc require hook, no build needed) with `env`
 * added to this process's environment. SEQUENT_HTTP_PORT is set from `httpPort`.
 */
export function spawnService(
  name: ServiceName,
  httpPort: number,
  env: Record<string, string>,
): ServiceProcess {
  const proc = spawn(
    process.execPath,
    ['--require', register, path.join(repoRoot, 'apps', name, 'src', 'main.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        // The alerter's gRPC API: a free port unless the test picks one (services run side by side).
        ...(name === 'alerter' ? { SEQUENT_GRPC_PORT: '0' } : {}),
        ...env,
        SEQUENT_HTTP_PORT: String(httpPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ raw: line });
      }
    }
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    name,
    proc,
    httpPort,
    logs: () => lines,
    async waitReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) {
          throw new Error(`${name} exited with ${proc.exitCode}: ${JSON.stringify(lines.slice(-5))}`);
        }
        const res = await httpGetText(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined);
        if (res?.status === 200) return;
        await sleep(250);
      }
      throw new Error(`${name} not ready after ${timeoutMs} ms: ${JSON.stringify(lines.slice(-5))}`);
    },
    async stop(signal = 'SIGTERM', graceMs = 20_000) {
      await stopProcess(proc, signal, graceMs);
      return exited;
    },
  };
}

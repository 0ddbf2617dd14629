import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { captureTail, sleep, stopProcess } from './child';
import { freePort } from './ports';
import { ensureSystemPackages } from './system-packages';

export interface RedisHandle {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
  /** Stops and starts it again on the same port, empty (no persistence): for chaos tests. */
  restart(): Promise<void>;
}

export interface StartRedisOptions {
  port?: number;
  readyTimeoutMs?: number;
  /** Keep data across restarts in this folder (append-only file, fsync on every write), as a
   * production Redis would: for restart tests that must not lose acknowledged state. */
  dataDir?: string;
}

/** Resolves true when a Redis server on `port` answers PING with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function launch(port: number, readyTimeoutMs: number, dataDir?: string): Promise<ChildProcess> {
  const persistence = dataDir
    ? ['--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
    : ['--save', '', '--appendonly', 'no'];
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--protected-mode', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = captureTail(proc);
  let spawnError: Error | undefined;
  proc.once('error', (err) => (spawnError = err));
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`redis-server failed to start: ${spawnError.message}`);
    if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}: ${output()}`);
    if (await ping(port)) return proc;
    await sleep(50);
  }
  await stopProcess(proc, 'SIGKILL');
  throw new Error(
    `redis-server did not answer PING on port ${port} within ${readyTimeoutMs} ms: ${output()}`,
  );
}

/** Starts a throwaway redis-server (no persistence unless `dataDir`) on a free port and waits until it answers PING. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  ensureSystemPackages(['redis']);
  const port = options.port ?? (await freePort());
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let proc: ChildProcess | undefined = await launch(port, readyTimeoutMs, options.dataDir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      const current = proc;
      proc = undefined;
      if (current) await stopProcess(current);
    },
    async restart() {
      if (proc) await stopProcess(proc);
      proc = await launch(port, readyTimeoutMs, options.dataDir);
    },
  };
}

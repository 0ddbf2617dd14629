// The image's two scripts, run for real (no Docker engine here): docker/run.js dispatches
// `<service> [args]` to the built entry point with the service's own argv, and
// docker/healthcheck.js exits 0 only when /healthz answers 200 on the service's port.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVICES } from './settings';
import { repoRoot, run } from './tools';

describe('docker/run.js', () => {
  let image: string;
  beforeAll(() => {
    // The image layout: /app/docker/run.js beside /app/dist, with stub entry points that
    // print what they were started with.
    image = mkdtempSync(path.join(tmpdir(), 'sequent-image-'));
    mkdirSync(path.join(image, 'docker'));
    copyFileSync(path.join(repoRoot, 'docker', 'run.js'), path.join(image, 'docker', 'run.js'));
    for (const app of [...SERVICES, 'cli']) {
      const dir = path.join(image, 'dist', 'apps', app, 'src');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'main.js'),
        `process.stdout.write(JSON.stringify({ app: ${JSON.stringify(app)}, args: process.argv.slice(2) }));\n`,
      );
    }
  });
  afterAll(() => rmSync(image, { recursive: true, force: true }));

  it.each([...SERVICES, 'cli'])('starts %s with its own arguments', (app) => {
    const res = run(process.execPath, [path.join(image, 'docker', 'run.js'), app, '--settings']);
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ app, args: ['--settings'] });
  });

  it('refuses an unknown service with usage and exit 2', () => {
    const res = run(process.execPath, [path.join(image, 'docker', 'run.js'), 'constructor']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/usage: <ingest\|correlator\|alerter\|cli>/);
  });

  it('points at the paths tools/build.mjs writes (dist/ + source path with .js)', () => {
    const build = readFileSync(path.join(repoRoot, 'tools', 'build.mjs'), 'utf8');
    expect(build).toContain("path.join(root, 'dist')");
    expect(build).toContain(".replace(/\\.ts$/, '.js')");
  });
});

describe('docker/healthcheck.js', () => {
  let server: Server;
  let port: number;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? status : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const check = (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => {
      // Asynchronous: the stub server answers on this process's event loop.
      const child = spawn(process.execPath, [path.join(repoRoot, 'docker', 'healthcheck.js')], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      child.on('exit', (code) => resolve(code));
    });

  it('exits 0 when /healthz answers 200, 1 otherwise', async () => {
    status = 200;
    expect(await check({ SEQUENT_HTTP_PORT: String(port) })).toBe(0);
    status = 503;
    expect(await check({ SEQUENT_HTTP_PORT: String(port) })).toBe(1);
  });

  it('exits 1 when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await check({ SEQUENT_HTTP_PORT: String(free) })).toBe(1);
  });
});

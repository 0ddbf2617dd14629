// The image without a Docker engine: docker/Dockerfile's COPY and RUN steps are replayed on
// the file system (build stage into a temp /src, runtime stage into a temp /app, exactly the
// paths the Dockerfile names), then the three services start from that /app the way the
// image's ENTRYPOINT starts them (`node /app/docker/run.js <service>`, cwd /app), on the
// harness Kafka broker and Redis, until /readyz answers and the image HEALTHCHECK passes.
// `npm prune --omit=dev` is replayed by giving /app only the production dependency tree.
// Not replayed: `npm ci` (the packages are the checkout's), the base image, the non-root user
// and the read-only root filesystem (see k8s/ENVIRONMENT.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, httpGetText, sleep, stopProcess } from '../harness/src';
import { SERVICES, type Service } from './settings';
import { repoRoot, run } from './tools';

jest.setTimeout(240_000);

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
const redisUrl = process.env.SEQUENT_TEST_REDIS_URL;

interface Stage {
  name: string;
  lines: string[];
}

/** The Dockerfile's stages (`FROM ... AS name`) with their instructions, continuation lines joined. */
function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const joined = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of joined) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const from = /^FROM \S+ AS (\S+)$/i.exec(trimmed);
    if (from) stages.push({ name: from[1], lines: [] });
    else stages[stages.length - 1]?.lines.push(trimmed);
  }
  return stages;
}

/** `.dockerignore` patterns the replay honours: path prefixes and `**\/` name patterns. */
function ignored(relative: string, patterns: string[]): boolean {
  const base = path.basename(relative);
  return patterns.some((p) => {
    if (p.startsWith('**/')) {
      const name = p.slice(3);
      return name.startsWith('*') ? base.endsWith(name.slice(1)) : base === name;
    }
    return relative === p || relative.startsWith(`${p}/`);
  });
}

function copyInto(from: string, to: string, root: string, patterns: string[]): void {
  cpSync(from, to, {
    recursive: true,
    filter: (source) => !ignored(path.relative(root, source), patterns),
  });
}

/**
 * `npm prune --omit=dev` replayed: a node_modules holding only the production dependency tree
 * (`npm ls --omit=dev`), each top-level package linked from the checkout. An import of a dev
 * dependency from sequent's code fails here as it would in the image (packages linked from the
 * checkout still resolve their own dependencies there: node follows the links).
 */
function prunedNodeModules(target: string): void {
  const res = run('npm', ['ls', '--omit=dev', '--parseable', '--all'], undefined, {
    npm_config_loglevel: 'error',
  });
  expect(res.status).toBe(0);
  const top = path.join(repoRoot, 'node_modules');
  mkdirSync(target);
  const packages = new Set<string>();
  for (const line of res.stdout.split('\n')) {
    const rel = path.relative(top, line.trim());
    if (!line.trim() || rel.startsWith('..') || rel === '') continue;
    const parts = rel.split(path.sep);
    packages.add(parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  expect(packages.size).toBeGreaterThan(10);
  for (const name of packages) {
    mkdirSync(path.dirname(path.join(target, name)), { recursive: true });
    symlinkSync(path.join(top, name), path.join(target, name));
  }
}

describe('the image layout of docker/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'docker', 'Dockerfile'), 'utf8');
  const patterns = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = dockerfileStages(dockerfile);
  let scratch: string;
  let src: string;
  let app: string;

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'sequent-image-layout-'));
    src = path.join(scratch, 'src');
    app = path.join(scratch, 'app');
    mkdirSync(src);
    mkdirSync(app);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has the deps, build and runtime stages', () => {
    expect(stages.map((s) => s.name)).toEqual(['deps', 'build', 'runtime']);
  });

  it('the build stage builds dist/ from the files it copies', () => {
    // deps: package files, then `npm ci` (replayed by linking the checkout's node_modules).
    for (const stage of stages.slice(0, 2)) {
      for (const line of stage.lines) {
        const copy = /^COPY (?!--)(.+) (\S+)$/.exec(line);
        if (!copy) continue;
        const sources = copy[1].split(/\s+/);
        for (const source of sources) {
          const target =
            sources.length > 1 || copy[2].endsWith('/')
              ? path.join(src, copy[2], path.basename(source))
              : path.join(src, copy[2]);
          copyInto(path.join(repoRoot, source), target, repoRoot, patterns);
        }
      }
    }
    expect(stages[0].lines.some((l) => /^RUN npm ci\b/.test(l))).toBe(true);
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(src, 'node_modules'));
    const build = stages[1].lines.find((l) => l.startsWith('RUN '));
    expect(build).toMatch(/node tools\/build\.mjs/);
    const res = run('sh', ['-c', `cd ${JSON.stringify(src)} && node tools/build.mjs`]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    for (const service of SERVICES)
      expect(existsSync(path.join(src, 'dist', 'apps', service, 'src', 'main.js'))).toBe(true);
  });

  it('the runtime stage holds what the entry point needs', () => {
    const runtime = stages[2];
    expect(runtime.lines).toContain('WORKDIR /app');
    for (const line of runtime.lines) {
      const fromBuild = /^COPY --from=build \/src\/(\S+) (\S+)$/.exec(line);
      const fromContext = /^COPY (?!--)(.+) (\S+)$/.exec(line);
      if (fromBuild) {
        const target = path.join(app, fromBuild[2]);
        if (fromBuild[1] === 'node_modules') prunedNodeModules(target);
        else cpSync(path.join(src, fromBuild[1]), target, { recursive: true });
      } else if (fromContext) {
        const sources = fromContext[1].split(/\s+/);
        for (const source of sources) {
          const target =
            sources.length > 1 || fromContext[2].endsWith('/')
              ? path.join(app, fromContext[2], path.basename(source))
              : path.join(app, fromContext[2]);
          copyInto(path.join(repoRoot, source), target, repoRoot, patterns);
        }
      } else {
        expect(line).not.toMatch(/^(COPY|ADD) /);
      }
    }
    expect(runtime.lines).toContain('ENTRYPOINT ["node", "/app/docker/run.js"]');
    expect(existsSync(path.join(app, 'docker', 'run.js'))).toBe(true);
  });

  describe('services started from /app', () => {
    const procs: Array<{ service: Service; proc: ChildProcess; port: number; output: () => string }> = [];

    beforeAll(async () => {
      if (!brokers || !redisUrl) throw new Error('the harness global setup did not start Kafka and Redis');
      const runId = `image${Date.now().toString(36)}`;
      for (const service of SERVICES) {
        const port = await freePort();
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          SEQUENT_KAFKA_BROKERS: brokers,
          SEQUENT_REDIS_URL: redisUrl,
          SEQUENT_REDIS_KEY_PREFIX: `${runId}:`,
          SEQUENT_HTTP_HOST: '127.0.0.1',
          SEQUENT_HTTP_PORT: String(port),
          SEQUENT_GROUP_ID: `${runId}-${service}`,
          SEQUENT_TOPICS_EVENTS: `${runId}.ecs.events`,
          SEQUENT_TOPICS_CANDIDATES: `${runId}.alerts.candidates`,
          SEQUENT_LOG_LEVEL: 'warn',
        };
        if (service === 'ingest') env.SEQUENT_TOPICS_RAW = `${runId}.raw.ecs`;
        if (service === 'alerter') env.SEQUENT_GRPC_PORT = String(await freePort());
        // No SEQUENT_RULES_PATHS: the correlator's default (`rules`, from the working directory)
        // must find the rules the image ships in /app/rules.
        const proc = spawn(process.execPath, [path.join(app, 'docker', 'run.js'), service], {
          cwd: app,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let text = '';
        proc.stdout?.on('data', (d) => (text = (text + d).slice(-4000)));
        proc.stderr?.on('data', (d) => (text = (text + d).slice(-4000)));
        procs.push({ service, proc, port, output: () => text });
      }
    });

    afterAll(async () => {
      await Promise.all(procs.map((p) => stopProcess(p.proc, 'SIGTERM', 20_000)));
    });

    it('each service becomes ready and passes the image HEALTHCHECK', async () => {
      for (const p of procs) {
        const deadline = Date.now() + 120_000;
        for (;;) {
          if (p.proc.exitCode !== null)
            throw new Error(`${p.service} exited ${p.proc.exitCode}: ${p.output()}`);
          const res = await httpGetText(`http://127.0.0.1:${p.port}/readyz`).catch(() => undefined);
          if (res?.status === 200) break;
          if (Date.now() > deadline) throw new Error(`${p.service} not ready: ${p.output()}`);
          await sleep(250);
        }
        const health = run(process.execPath, [path.join(app, 'docker', 'healthcheck.js')], undefined, {
          SEQUENT_HTTP_PORT: String(p.port),
        });
        expect(`${p.service}: ${health.status}`).toBe(`${p.service}: 0`);
      }
    });
  });
});

// docker/compose.yaml: valid against the Compose Specification schema (subset, see
// schemas/README.md), and honest: the SEQUENT_* names and ports are the ones the services read.
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  defaultPort,
  GRPC_SERVICES,
  grpcDefaults,
  SERVICES,
  serviceEnvProblems,
  serviceSettings,
  unknownSettings,
  type GrpcService,
  type Service,
} from './settings';
import { composeFile, dashboardsDir, promtool, repoRoot, run } from './tools';

type ComposeService = {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  expose?: string[];
  volumes?: Array<string | { type: string; source?: string; target: string }>;
  read_only?: boolean;
  cap_drop?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
};
type Compose = { services: Record<string, ComposeService> };

const composeDir = path.dirname(composeFile);
const text = readFileSync(composeFile, 'utf8');
const compose = parse(text, { merge: true }) as Compose;

function validator() {
  const schema = JSON.parse(
    readFileSync(path.join(__dirname, 'schemas', 'compose-spec.subset.json'), 'utf8'),
  );
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('docker/compose.yaml', () => {
  const validate = validator();

  it('validates against the Compose Specification schema', () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects a misspelt service key and a bad depends_on condition', () => {
    const broken = structuredClone(compose);
    (broken.services.redis as Record<string, unknown>).healtcheck = {};
    expect(validate(broken)).toBe(false);
    const badCondition = structuredClone(compose);
    badCondition.services.ingest.depends_on = { redis: { condition: 'service_ready' } };
    expect(validate(badCondition)).toBe(false);
  });

  it('runs every service of the stack, two correlators', () => {
    const names = Object.keys(compose.services);
    for (const s of [
      'kafka',
      'kafka-topics',
      'redis',
      'ingest',
      'correlator',
      'alerter',
      'prometheus',
      'grafana',
    ]) {
      expect(names).toContain(s);
    }
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(compose.services.correlator.deploy?.replicas).toBe(2);
  });

  describe.each(SERVICES)('%s', (service: Service) => {
    const svc = compose.services[service];

    it('is selected by the image command and runs hardened', () => {
      expect(svc.command).toEqual([service]);
      expect(svc.read_only).toBe(true);
      expect(svc.cap_drop).toEqual(['ALL']);
    });

    it('passes only SEQUENT_* variables the service reads', () => {
      expect(unknownSettings(service, Object.keys(svc.environment ?? {}))).toEqual([]);
    });

    it("its values pass the service's own configuration schema", () => {
      const env = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, String(v)]));
      expect(serviceEnvProblems(service, env)).toEqual([]);
    });

    it('listens, is exposed and is scraped on the same port', () => {
      const port = Number(svc.environment?.SEQUENT_HTTP_PORT ?? defaultPort(service));
      expect(port).toBe(defaultPort(service));
      const published = (svc.ports ?? []).map((p) => Number(String(p).split(':').pop()));
      const exposed = (svc.expose ?? []).map(Number);
      expect([...published, ...exposed]).toContain(port);
      const prometheus = readFileSync(path.join(composeDir, 'prometheus', 'prometheus.yml'), 'utf8');
      const scrape = parse(prometheus) as {
        scrape_configs: Array<{
          static_configs?: Array<{ targets: string[] }>;
          dns_sd_configs?: Array<{ names: string[]; port: number }>;
        }>;
      };
      const targets = scrape.scrape_configs.flatMap((c) => [
        ...(c.static_configs ?? []).flatMap((s) => s.targets),
        ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
      ]);
      expect(targets).toContain(`${service}:${port}`);
    });
  });

  describe.each(GRPC_SERVICES)('%s gRPC', (service: GrpcService) => {
    const svc = compose.services[service];

    it('runs its gRPC server on the port it publishes, set by variables the service reads', () => {
      const environment = svc.environment ?? {};
      const defaults = grpcDefaults(service);
      // ingest's server is off unless asked for, the alerter's on: the stack runs both.
      const enabled = String(environment.SEQUENT_GRPC_ENABLED ?? defaults.enabled);
      expect(enabled).toBe('true');
      const port = Number(environment.SEQUENT_GRPC_PORT ?? defaults.port);
      expect(port).toBe(defaults.port);
      expect(port).not.toBe(Number(environment.SEQUENT_HTTP_PORT ?? defaultPort(service)));
      for (const name of Object.keys(environment).filter((n) => n.startsWith('SEQUENT_GRPC_')))
        expect(serviceSettings(service)).toContain(name);
      expect(svc.ports ?? []).toContain(`${port}:${port}`);
    });
  });

  it('publishes each host port once', () => {
    const hostPorts = Object.values(compose.services).flatMap((svc) =>
      (svc.ports ?? []).map((p) => String(p).split(':').slice(-2)[0]),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it("the stack's Prometheus configuration passes promtool check config", () => {
    const res = run(promtool(), ['check', 'config', path.join(composeDir, 'prometheus', 'prometheus.yml')]);
    expect(res.stdout).toContain('SUCCESS');
    expect(res.status).toBe(0);
  });

  it('the image healthcheck knows every service default port', () => {
    const healthcheck = readFileSync(path.join(repoRoot, 'docker', 'healthcheck.js'), 'utf8');
    for (const service of SERVICES) expect(healthcheck).toContain(`${service}: ${defaultPort(service)}`);
  });

  it('creates the topics the services use, with a script bash accepts', () => {
    const script = (compose.services['kafka-topics'] as { command: string[] }).command.join('\n');
    // Compose turns `$$` into `$` before the shell sees the script.
    const syntax = run('bash', ['-n'], script.split('$$').join('$'));
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    const topics = new Set([...script.matchAll(/^\s*create (\S+)/gm)].map((m) => m[1]));
    for (const service of SERVICES) {
      for (const [name, value] of Object.entries(compose.services[service].environment ?? {})) {
        if (!name.startsWith('SEQUENT_TOPICS_')) continue;
        for (const topic of String(value).split(',')) expect(topics).toContain(topic);
      }
    }
  });

  it('mounts files that exist (rules, dashboards, Prometheus and Grafana config)', () => {
    const sources: string[] = [];
    for (const svc of Object.values(compose.services)) {
      for (const v of svc.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : v.source;
        if (source && (source.startsWith('.') || source.startsWith('/'))) sources.push(source);
      }
    }
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) expect(existsSync(path.resolve(composeDir, source))).toBe(true);
    expect(sources.map((s) => path.resolve(composeDir, s))).toContain(dashboardsDir);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'docker', 'Dockerfile'), 'utf8');

  it('builds on node:20-bookworm-slim in stages and runs as a non-root user with a healthcheck', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^RUN npm ci/m);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "\/app\/docker\/healthcheck.js"\]/m);
  });

  it("EXPOSE lists every service's ops port and the gRPC ports", () => {
    const exposed = (/^EXPOSE (.+)$/m.exec(dockerfile)?.[1] ?? '').split(/\s+/).map(Number);
    for (const service of SERVICES) expect(exposed).toContain(defaultPort(service));
    for (const service of GRPC_SERVICES) expect(exposed).toContain(grpcDefaults(service).port);
  });

  // Each gRPC service finds its .proto files relative to its built main module.
  it.each([
    { service: 'ingest', protoDir: 'apps/ingest/proto', proto: 'sequent/ingest/v1/ingest.proto' },
    { service: 'alerter', protoDir: 'libs/alerting/proto', proto: 'sequent/alerting/v1/alerting.proto' },
  ])(
    "ships $service's .proto files where the built $service looks for them",
    ({ service, protoDir, proto }) => {
      expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
      expect(dockerfile).toContain(`\nCOPY ${protoDir} ./${protoDir}\n`);
      const finder = readFileSync(path.join(repoRoot, 'apps', service, 'src', 'grpc-proto.ts'), 'utf8');
      expect(finder).toContain(`path.resolve(__dirname, '../../../../${protoDir}')`);
      expect(path.resolve(`/app/dist/apps/${service}/src`, `../../../../${protoDir}`)).toBe(
        `/app/${protoDir}`,
      );
      expect(existsSync(path.join(repoRoot, protoDir, proto))).toBe(true);
    },
  );

  it('copies only files that exist and are not excluded by .dockerignore', () => {
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) (\S+)$/gm)) {
      for (const source of m[1].split(/\s+/)) {
        expect(existsSync(path.join(repoRoot, source))).toBe(true);
        expect(ignored).not.toContain(source);
      }
    }
  });

  it('the launcher knows the three services and the build output paths', () => {
    const launcher = readFileSync(path.join(repoRoot, 'docker', 'run.js'), 'utf8');
    for (const service of SERVICES) {
      expect(launcher).toContain(`${service}: 'dist/apps/${service}/src/main.js'`);
      expect(existsSync(path.join(repoRoot, 'apps', service, 'src', 'main.ts'))).toBe(true);
    }
  });
});

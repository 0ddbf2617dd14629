// The Helm chart, with the real helm binary: lint, render with default, production and
// Strimzi values, validate every object with kubernetes-models (+ KEDA, prometheus-operator),
// and check what matters for running sequent: the correlator's KEDA bound follows the
// partitions, hardened pods, probes on the ops server, and SEQUENT_* names the services read.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { find, helmLint, one, renderChart, type KubeObject } from './chart';
import { validateWithModels } from './models';
import { dashboardFiles } from './promql';
import {
  defaultGrpcPort,
  defaultPort,
  GRPC_SERVICES,
  PENDING_SETTINGS,
  SERVICES,
  serviceEnvProblems,
  serviceSettings,
  unknownSettings,
  type Service,
} from './settings';
import { chartDir, kubeTools, repoRoot, run } from './tools';

const productionValues = path.join(chartDir, 'values-production.yaml');

type Values = Record<string, any>;

/** Helm's merge of values files: maps merge key by key, anything else is replaced. */
function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const isMap = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isMap(v) && isMap(base[k]) ? mergeValues(base[k], v) : v;
  }
  return out;
}

function chartValues(...files: string[]): Values {
  return [path.join(chartDir, 'values.yaml'), ...files]
    .map((f) => parse(readFileSync(f, 'utf8')) as Values)
    .reduce(mergeValues);
}

const variants: Array<{
  name: string;
  objects: () => KubeObject[];
  /** The values the variant renders with (for the checks that compare objects and values). */
  values: () => Values;
  existingRules?: string;
}> = [
  { name: 'default values', objects: () => renderChart(), values: () => chartValues() },
  {
    name: 'production values',
    objects: () => renderChart({ valuesFiles: [productionValues] }),
    values: () => chartValues(productionValues),
    existingRules: 'sequent-rules',
  },
  {
    name: 'Strimzi topics, KEDA off',
    objects: () =>
      renderChart({ set: { 'strimzi.enabled': 'true', 'correlator.autoscaling.enabled': 'false' } }),
    values: () => chartValues(),
  },
];

type Ingress = Array<{ from: unknown[]; ports: Array<{ port: string | number; protocol?: string }> }>;

type Container = {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: { httpGet?: { path: string; port: string } };
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
};

function container(deployment: KubeObject): Container {
  return deployment.spec.template.spec.containers[0] as Container;
}

function env(c: Container): Record<string, string | undefined> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
}

describe('helm chart k8s/helm/sequent', () => {
  beforeAll(() => {
    kubeTools();
  });

  it('passes helm lint --strict with default and production values', () => {
    for (const options of [{}, { valuesFiles: [productionValues] }]) {
      const lint = helmLint(options);
      expect(lint.output).toContain('0 chart(s) failed');
      expect(lint.ok).toBe(true);
    }
  });

  it('helm package includes the linked dashboards and rules, and the package renders', () => {
    const { helm } = kubeTools();
    const dir = mkdtempSync(path.join(tmpdir(), 'sequent-chart-'));
    try {
      const pack = run(helm, ['package', chartDir, '--destination', dir]);
      expect(pack.status).toBe(0);
      const archive = path.join(dir, 'sequent-0.1.0.tgz');
      const listing = run('tar', ['-tzf', archive]).stdout.split('\n');
      expect(listing).toContain('sequent/dashboards/sequent-overview.json');
      expect(listing.filter((f) => /^sequent\/rules\/.+\.toml$/.test(f)).length).toBeGreaterThan(0);
      expect(listing).not.toContain('sequent/values-production.yaml');
      const rendered = run(helm, ['template', 'sequent', archive]);
      expect(rendered.status).toBe(0);
      expect(rendered.stdout).toContain('grafana_dashboard: "1"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('values.schema.json rejects bad values before anything renders', () => {
    expect(() => renderChart({ set: { 'topics.events.partitions': '0' } })).toThrow(/partitions/);
    expect(() => renderChart({ set: { 'kafka.sasl.enabled': 'true' } })).toThrow(/existingSecret/);
    expect(() => renderChart({ set: { 'correlator.replicsa': '3' } })).toThrow(/replicsa/);
    expect(() => renderChart({ set: { logLevel: 'verbose' } })).toThrow(/logLevel/);
  });

  describe.each(variants)('$name', ({ objects: render, values, existingRules }) => {
    let objects: KubeObject[];
    beforeAll(() => {
      objects = render();
    });

    it('every object validates with kubernetes-models (KafkaTopic has no model: checked by hand)', () => {
      const results = validateWithModels(objects);
      const invalid = results.filter((r) => r.status === 'invalid');
      expect(invalid).toEqual([]);
      const unmodelled = results.filter((r) => r.status === 'no-model').map((r) => r.kind);
      expect([...new Set(unmodelled)].filter((k) => k !== 'KafkaTopic')).toEqual([]);
      for (const topic of find(objects, 'KafkaTopic')) {
        expect(topic.apiVersion).toBe('kafka.strimzi.io/v1beta2');
        expect(topic.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(topic.metadata.labels?.['strimzi.io/cluster']).toBeTruthy();
        expect(Number.isInteger(topic.spec.partitions) && topic.spec.partitions > 0).toBe(true);
        expect(Number.isInteger(topic.spec.replicas) && topic.spec.replicas > 0).toBe(true);
        expect(typeof topic.spec.topicName).toBe('string');
      }
    });

    it('every pod (services and the topic Job) meets the Pod Security "restricted" profile', () => {
      const pods = objects
        .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
        .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
      expect(pods.length).toBeGreaterThanOrEqual(3);
      for (const { name, spec } of pods) {
        const where = `${name}: `;
        expect(where + String(spec.securityContext?.runAsNonRoot)).toBe(`${where}true`);
        expect(where + spec.securityContext?.seccompProfile?.type).toBe(`${where}RuntimeDefault`);
        expect(where + Boolean(spec.hostNetwork || spec.hostPID || spec.hostIPC)).toBe(`${where}false`);
        for (const v of spec.volumes ?? []) expect(v.hostPath).toBeUndefined();
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          expect(c.securityContext).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
          expect(c.securityContext.privileged).toBeUndefined();
          expect(c.securityContext.capabilities.add).toBeUndefined();
          expect(c.resources?.limits?.memory).toBeTruthy();
        }
      }
    });

    it('names are unique per kind', () => {
      const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it.each(SERVICES)(
      '%s: hardened pod, probes on the ops server, resources, a PDB and a Service',
      (service) => {
        const deployment = one(objects, 'Deployment', `-${service}`);
        const pod = deployment.spec.template.spec;
        const c = container(deployment);
        expect(c.args).toEqual([service]);
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(c.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(c.resources?.requests?.cpu).toBeTruthy();
        expect(c.resources?.limits?.memory).toBeTruthy();
        const port = c.ports?.find((p) => p.name === 'http')?.containerPort;
        expect(port).toBe(defaultPort(service));
        expect(env(c).SEQUENT_HTTP_PORT).toBe(String(port));
        expect(c.volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');
        expect(pod.serviceAccountName).toBe(one(objects, 'ServiceAccount').metadata.name);
        const pdb = one(objects, 'PodDisruptionBudget', `-${service}`);
        expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
        const svc = one(objects, 'Service', `-${service}`);
        expect(svc.spec.selector).toEqual(deployment.spec.selector.matchLabels);
        expect(svc.spec.ports[0].port).toBe(port);
        const policy = one(objects, 'NetworkPolicy', `-${service}`);
        expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
        expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      },
    );

    it.each(SERVICES)(
      '%s: passes only SEQUENT_* variables the service reads, with values it accepts',
      (service) => {
        const c = container(one(objects, 'Deployment', `-${service}`));
        expect(unknownSettings(service, Object.keys(env(c)))).toEqual([]);
        // Variables from Secrets (valueFrom) get a placeholder: their content is not in the chart.
        const values = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? 'from-secret']));
        expect(serviceEnvProblems(service, values)).toEqual([]);
      },
    );

    it.each(GRPC_SERVICES)(
      '%s serves gRPC on its own named port: values, container, env, Service and NetworkPolicy agree',
      (service) => {
        const grpcValues = values()[service].grpc as { enabled: boolean; port: number };
        expect(grpcValues.enabled).toBe(true);
        const c = container(one(objects, 'Deployment', `-${service}`));
        const grpc = c.ports?.find((p) => p.name === 'grpc')?.containerPort;
        expect(grpc).toBe(grpcValues.port);
        expect(grpc).toBe(defaultGrpcPort(service));
        expect(grpc).not.toBe(c.ports?.find((p) => p.name === 'http')?.containerPort);
        // The variables the service itself reads turn the server on, on that port.
        expect([...serviceSettings(service)]).toEqual(
          expect.arrayContaining(['SEQUENT_GRPC_ENABLED', 'SEQUENT_GRPC_PORT']),
        );
        expect(env(c).SEQUENT_GRPC_ENABLED).toBe('true');
        expect(env(c).SEQUENT_GRPC_PORT).toBe(String(grpc));
        const svc = one(objects, 'Service', `-${service}`);
        expect(svc.spec.ports.find((p: { name: string }) => p.name === 'grpc')).toEqual({
          name: 'grpc',
          port: grpc,
          targetPort: 'grpc',
          protocol: 'TCP',
        });
        // Ingress to the gRPC port from its callers only: event senders (ingest), API clients (alerter).
        const ingress = one(objects, 'NetworkPolicy', `-${service}`).spec.ingress as Ingress;
        expect(ingress.flatMap((r) => r.ports.map((p) => p.port))).toEqual(['http', 'grpc']);
        const np = values().networkPolicy;
        expect(ingress.find((r) => r.ports.some((p) => p.port === 'grpc'))?.from).toEqual(
          service === 'ingest' ? np.ingestFrom : np.grpcFrom,
        );
      },
    );

    it('correlator mounts the rules ConfigMap read-only where SEQUENT_RULES_PATHS points', () => {
      const deployment = one(objects, 'Deployment', '-correlator');
      const c = container(deployment);
      const mount = c.volumeMounts?.find((m) => m.name === 'rules');
      expect(mount?.readOnly).toBe(true);
      expect(env(c).SEQUENT_RULES_PATHS).toBe(mount?.mountPath);
      const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'rules');
      const chartConfigMaps = find(objects, 'ConfigMap', '-rules');
      if (existingRules) {
        // Rules managed outside the chart: the pod mounts that ConfigMap, the chart ships none.
        expect(volume.configMap.name).toBe(existingRules);
        expect(chartConfigMaps).toEqual([]);
      } else {
        expect(chartConfigMaps.map((c) => c.metadata.name)).toEqual([volume.configMap.name]);
        // The bundled rules (rules/*.toml) are in it.
        expect(
          Object.keys(chartConfigMaps[0].data ?? {}).filter((k) => k.endsWith('.toml')).length,
        ).toBeGreaterThan(0);
      }
    });

    it('ServiceMonitors scrape /metrics on the http port of each Service', () => {
      for (const service of SERVICES) {
        const monitor = one(objects, 'ServiceMonitor', `-${service}`);
        expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
        expect(monitor.spec.selector.matchLabels).toEqual(
          one(objects, 'Service', `-${service}`).spec.selector,
        );
      }
    });

    it('ships the PrometheusRule and one labelled dashboard ConfigMap per dashboard file', () => {
      const rule = one(objects, 'PrometheusRule');
      expect(rule.spec.groups.length).toBeGreaterThan(0);
      const dashboards = find(objects, 'ConfigMap').filter(
        (c) => c.metadata.labels?.grafana_dashboard === '1',
      );
      expect(dashboards.length).toBe(dashboardFiles().length);
      for (const cm of dashboards) {
        for (const json of Object.values(cm.data ?? {})) expect(JSON.parse(json).uid).toMatch(/^sequent-/);
      }
    });
  });

  it('changing rules does not change the correlator pod template (they reload, no restart)', () => {
    const template = (objects: KubeObject[]) =>
      JSON.stringify(one(objects, 'Deployment', '-correlator').spec.template);
    const before = renderChart();
    const after = renderChart({ set: { 'correlator.rules.files.extra\\.toml': '[rule]' } });
    expect(one(after, 'ConfigMap', '-rules').data?.['extra.toml']).toBe('[rule]\n');
    expect(template(after)).toBe(template(before));
  });

  describe("ingest's gRPC intake port", () => {
    const grpcPorts = (objects: KubeObject[]) => {
      const c = container(one(objects, 'Deployment', '-ingest'));
      return {
        container: c.ports?.find((p) => p.name === 'grpc')?.containerPort,
        env: env(c).SEQUENT_GRPC_PORT,
        enabled: env(c).SEQUENT_GRPC_ENABLED,
        service: one(objects, 'Service', '-ingest').spec.ports.find(
          (p: { name: string }) => p.name === 'grpc',
        )?.port,
        policy: (one(objects, 'NetworkPolicy', '-ingest').spec.ingress as Ingress).some((r) =>
          r.ports.some((p) => p.port === 'grpc'),
        ),
      };
    };

    it('a port set in the values reaches the container, its env, the Service and the NetworkPolicy', () => {
      const objects = renderChart({ set: { 'ingest.grpc.port': '6000' } });
      expect(grpcPorts(objects)).toEqual({
        container: 6000,
        env: '6000',
        enabled: 'true',
        service: 6000,
        policy: true,
      });
    });

    it('turned off, no port is opened anywhere and the service is told so; the alerter keeps its own', () => {
      const objects = renderChart({ set: { 'ingest.grpc.enabled': 'false' } });
      expect(grpcPorts(objects)).toEqual({
        container: undefined,
        env: undefined,
        enabled: 'false',
        service: undefined,
        policy: false,
      });
      expect(
        container(one(objects, 'Deployment', '-alerter')).ports?.find((p) => p.name === 'grpc')
          ?.containerPort,
      ).toBe(50051);
    });

    it('bad values are refused: the schema checks the port, the chart a clash with the HTTP port', () => {
      expect(() => renderChart({ set: { 'ingest.grpc.port': '0' } })).toThrow(/port/);
      expect(() => renderChart({ set: { 'ingest.grpc.prot': '50052' } })).toThrow(/prot/);
      expect(() => renderChart({ set: { 'ingest.grpc.port': '8080' } })).toThrow(
        /ingest\.grpc\.port 8080 is also ingest\.port/,
      );
    });

    it('a token Secret and mutual TLS are mounted and passed as files', () => {
      const objects = renderChart({
        set: {
          'ingest.grpc.authTokenSecret.name': 'ingest-grpc-token',
          'ingest.grpc.tlsSecret.name': 'ingest-tls',
          'ingest.grpc.tlsSecret.clientCa': 'true',
        },
      });
      const deployment = one(objects, 'Deployment', '-ingest');
      const e = env(container(deployment));
      expect(e.SEQUENT_GRPC_AUTH_TOKEN_FILE).toBe('/var/run/secrets/sequent/grpc-token/token');
      expect(e.SEQUENT_GRPC_TLS_CERT_FILE).toBe('/var/run/secrets/sequent/grpc-tls/tls.crt');
      expect(e.SEQUENT_GRPC_TLS_KEY_FILE).toBe('/var/run/secrets/sequent/grpc-tls/tls.key');
      expect(e.SEQUENT_GRPC_TLS_CLIENT_CA_FILE).toBe('/var/run/secrets/sequent/grpc-tls/ca.crt');
      const volumes = deployment.spec.template.spec.volumes as Array<{
        name: string;
        secret?: { secretName: string };
      }>;
      expect(volumes.find((v) => v.name === 'grpc-token')?.secret?.secretName).toBe('ingest-grpc-token');
      expect(volumes.find((v) => v.name === 'grpc-tls')?.secret?.secretName).toBe('ingest-tls');
      const mounts = container(deployment).volumeMounts ?? [];
      expect(mounts.filter((m) => m.name.startsWith('grpc-')).map((m) => [m.mountPath, m.readOnly])).toEqual([
        ['/var/run/secrets/sequent/grpc-token', true],
        ['/var/run/secrets/sequent/grpc-tls', true],
      ]);
      expect(validateWithModels(objects).filter((r) => r.status === 'invalid')).toEqual([]);
      expect(
        serviceEnvProblems('ingest', Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v ?? 'x']))),
      ).toEqual([]);
    });
  });

  describe('correlator scaling follows the partitions of ecs.events', () => {
    it.each([
      [{}, 12],
      [{ 'topics.events.partitions': '48' }, 48],
      [{ 'topics.events.partitions': '8', 'correlator.autoscaling.maxReplicas': '20' }, 8],
      [{ 'topics.events.partitions': '32', 'correlator.autoscaling.maxReplicas': '10' }, 10],
    ])('with %j the ScaledObject allows at most %i pods', (set, expected) => {
      const objects = renderChart({ set: set as Record<string, string> });
      const scaled = one(objects, 'ScaledObject');
      expect(scaled.spec.maxReplicaCount).toBe(expected);
      expect(scaled.spec.scaleTargetRef.name).toBe(one(objects, 'Deployment', '-correlator').metadata.name);
      const trigger = scaled.spec.triggers[0];
      expect(trigger.type).toBe('kafka');
      expect(trigger.metadata).toMatchObject({ topic: 'ecs.events', consumerGroup: 'sequent-correlator' });
      // KEDA owns the replica count.
      expect(one(objects, 'Deployment', '-correlator').spec.replicas).toBeUndefined();
      expect(find(objects, 'HorizontalPodAutoscaler', '-correlator')).toEqual([]);
    });

    it('ingest and alerter scale with HPAs; without KEDA the correlator has fixed replicas', () => {
      const objects = renderChart({
        set: { 'correlator.autoscaling.enabled': 'false', 'correlator.replicas': '3' },
      });
      expect(find(objects, 'ScaledObject')).toEqual([]);
      expect(one(objects, 'Deployment', '-correlator').spec.replicas).toBe(3);
      for (const service of ['ingest', 'alerter']) {
        const hpa = one(objects, 'HorizontalPodAutoscaler', `-${service}`);
        expect(hpa.spec.scaleTargetRef.name).toBe(one(objects, 'Deployment', `-${service}`).metadata.name);
      }
    });
  });

  describe('secrets are referenced, never inlined', () => {
    const objects = () => renderChart({ valuesFiles: [productionValues] });

    it('Kafka SASL/TLS and Redis auth come from existing Secrets, passwords as mounted files', () => {
      const all = objects();
      expect(find(all, 'Secret')).toEqual([]);
      for (const service of SERVICES) {
        const deployment = one(all, 'Deployment', `-${service}`);
        const e = env(container(deployment));
        expect(e.SEQUENT_KAFKA_SSL).toBe('true');
        expect(e.SEQUENT_KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
        expect(e.SEQUENT_KAFKA_SASL_PASSWORD_FILE).toMatch(/^\/var\/run\/secrets\/sequent\/kafka-sasl\//);
        expect(e.SEQUENT_KAFKA_SSL_CA_FILE).toMatch(/^\/var\/run\/secrets\/sequent\/kafka-ca\//);
        expect(e.SEQUENT_KAFKA_SASL_PASSWORD).toBeUndefined();
        const volumes = deployment.spec.template.spec.volumes as Array<{
          name: string;
          secret?: { secretName: string };
        }>;
        expect(volumes.find((v) => v.name === 'kafka-sasl')?.secret?.secretName).toBe('sequent-kafka-user');
        if (service !== 'ingest') {
          expect(e.SEQUENT_REDIS_PASSWORD_FILE).toMatch(/^\/var\/run\/secrets\/sequent\/redis\//);
          expect(volumes.find((v) => v.name === 'redis-auth')?.secret?.secretName).toBe('sequent-redis');
        }
      }
      const alerter = env(container(one(all, 'Deployment', '-alerter')));
      expect(alerter.SEQUENT_GRPC_AUTH_TOKEN_FILE).toBe('/var/run/secrets/sequent/grpc-token/token');
      expect(alerter.SEQUENT_GRPC_TLS_CERT_FILE).toBe('/var/run/secrets/sequent/grpc-tls/tls.crt');
      expect(alerter.SEQUENT_GRPC_TLS_KEY_FILE).toBe('/var/run/secrets/sequent/grpc-tls/tls.key');
      expect(alerter.SEQUENT_SINKS_WEBHOOKS_FILE).toBe('/var/run/secrets/sequent/webhooks/webhooks.json');
      // ingest's gRPC intake: TLS from its own Secret, the intake token (no separate one).
      const ingestDeployment = one(all, 'Deployment', '-ingest');
      const ingest = env(container(ingestDeployment));
      expect(ingest.SEQUENT_GRPC_TLS_CERT_FILE).toBe('/var/run/secrets/sequent/grpc-tls/tls.crt');
      expect(ingest.SEQUENT_GRPC_TLS_KEY_FILE).toBe('/var/run/secrets/sequent/grpc-tls/tls.key');
      expect(ingest.SEQUENT_GRPC_AUTH_TOKEN_FILE).toBeUndefined();
      expect(ingest.SEQUENT_INTAKE_TOKEN_FILE).toBe('/var/run/secrets/sequent/intake/token');
      expect(
        (
          ingestDeployment.spec.template.spec.volumes as Array<{
            name: string;
            secret?: { secretName: string };
          }>
        ).find((v) => v.name === 'grpc-tls')?.secret?.secretName,
      ).toBe('sequent-ingest-tls');
      const auth = one(all, 'TriggerAuthentication');
      expect(auth.spec.secretTargetRef.map((r: { parameter: string }) => r.parameter).sort()).toEqual([
        'ca',
        'password',
        'username',
      ]);
      expect(one(all, 'ScaledObject').spec.triggers[0].authenticationRef.name).toBe(auth.metadata.name);
    });

    it('the topic Job script is valid bash and creates every topic the services use', () => {
      const all = objects();
      const job = one(all, 'Job', '-topics');
      expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const script: string = job.spec.template.spec.containers[0].args[0];
      const syntax = run('bash', ['-n'], script);
      expect(syntax.stderr).toBe('');
      expect(syntax.status).toBe(0);
      const created = new Set([...script.matchAll(/^\s*create "([^"]+)" (\d+)/gm)].map((m) => m[1]));
      const production = parse(readFileSync(productionValues, 'utf8'));
      expect(script).toMatch(new RegExp(`create "ecs.events" ${production.topics.events.partitions} keep`));
      for (const service of SERVICES) {
        const e = env(container(one(all, 'Deployment', `-${service}`)));
        for (const [name, value] of Object.entries(e)) {
          if (!name.startsWith('SEQUENT_TOPICS_') || !value) continue;
          for (const topic of value.split(',')) expect(created).toContain(topic);
        }
      }
    });
  });
});

describe('settings the deploy files pass ahead of the services', () => {
  it.each(SERVICES)(
    '%s: every pending setting is still unread (remove it from PENDING_SETTINGS once read)',
    (service: Service) => {
      for (const name of Object.keys(PENDING_SETTINGS[service]))
        expect(serviceSettings(service).has(name)).toBe(false);
    },
  );

  it("a value the service's schema refuses is reported by variable", () => {
    const problems = serviceEnvProblems('correlator', {
      SEQUENT_KAFKA_BROKERS: 'kafka',
      SEQUENT_HTTP_PORT: '9464',
    });
    expect(problems.join('\n')).toMatch(/SEQUENT_KAFKA_BROKERS.*host:port/);
    expect(
      serviceEnvProblems('ingest', {
        SEQUENT_KAFKA_BROKERS: 'kafka:9092',
        SEQUENT_SOURCES: '[{"topic":"raw.x","format":"evtx"}]',
      }),
    ).not.toEqual([]);
  });

  it('an unknown variable is reported', () => {
    expect(unknownSettings('ingest', ['SEQUENT_KAFKA_BROKERS', 'SEQUENT_KAFKA_BROKER'])).toEqual([
      'SEQUENT_KAFKA_BROKER',
    ]);
  });
});

describe('kubectl from the same layer', () => {
  it('is a working client binary', () => {
    const { kubectl } = kubeTools();
    const res = run(kubectl, ['version', '--client', '--output=json']);
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).clientVersion.major).toBe('1');
    expect(repoRoot).toBeTruthy();
  });
});

// What each service really reads: its SEQUENT_* variables, listed by the service itself
// (`main.ts --settings`, printed by runService from the service's zod schema), and its
// default ops port from apps/<service>/src/config.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, run } from './tools';

export type Service = 'ingest' | 'correlator' | 'alerter';
export const SERVICES: Service[] = ['ingest', 'correlator', 'alerter'];

/**
 * Settings the deploy files already pass but the service does not read yet, with the issue
 * that adds them. A spec asserts each is still unread, so this list cannot go stale silently.
 */
export const PENDING_SETTINGS: Record<Service, Record<string, string>> = {
  ingest: {},
  correlator: {},
  alerter: {},
};

const cache = new Map<Service, Set<string>>();

/** Every variable the service reads, including `<VAR>_FILE` for secrets and SEQUENT_CONFIG_FILE. */
export function serviceSettings(service: Service): Set<string> {
  const cached = cache.get(service);
  if (cached) return cached;
  const res = run(process.execPath, [
    '--require',
    path.join(repoRoot, 'tools', 'harness', 'src', 'swc-register.js'),
    path.join(repoRoot, 'apps', service, 'src', 'main.ts'),
    '--settings',
  ]);
  if (res.status !== 0) throw new Error(`${service} --settings failed: ${res.stderr}`);
  const names = new Set<string>(['SEQUENT_CONFIG_FILE']);
  for (const line of res.stdout.split('\n')) {
    // variable \t setting path \t default \t notes ("secret; or <variable>_FILE")
    const [env, , , notes] = line.split('\t');
    if (!/^SEQUENT_[A-Z0-9_]+$/.test(env ?? '')) continue;
    names.add(env);
    const file = /or (SEQUENT_[A-Z0-9_]+_FILE)/.exec(notes ?? '');
    if (file) names.add(file[1]);
  }
  if (names.size < 5) throw new Error(`${service} --settings printed too little:\n${res.stdout}`);
  cache.set(service, names);
  return names;
}

/** The ops/HTTP port the service listens on when SEQUENT_HTTP_PORT is not set. */
export function defaultPort(service: Service): number {
  const source = readFileSync(path.join(repoRoot, 'apps', service, 'src', 'config.ts'), 'utf8');
  const m = /http:\s*httpSettings\.extend\(\{\s*port:[^}]*?\.default\((\d+)\)/s.exec(source);
  if (!m) throw new Error(`cannot find the default http port in apps/${service}/src/config.ts`);
  return Number(m[1]);
}

/** The services with a gRPC server (SEQUENT_GRPC_*): ingest's intake, the alerter's API. */
export const GRPC_SERVICES = ['ingest', 'alerter'] as const;
export type GrpcService = (typeof GRPC_SERVICES)[number];

/** Whether the gRPC server runs, and on which port, when SEQUENT_GRPC_* are not set. */
export function grpcDefaults(service: GrpcService): { enabled: boolean; port: number } {
  const source = readFileSync(path.join(repoRoot, 'apps', service, 'src', 'config.ts'), 'utf8');
  const block = /\bgrpc:\s*z\.object\(\{(.*?)\n {2}\}\),/s.exec(source)?.[1] ?? '';
  const enabled = /\benabled:\s*z\.boolean\(\)\.default\((true|false)\)/.exec(block);
  const port = /\bport:[^,\n]*?\.default\((\d+)\)/.exec(block);
  if (!enabled || !port) throw new Error(`cannot find the gRPC defaults in apps/${service}/src/config.ts`);
  return { enabled: enabled[1] === 'true', port: Number(port[1]) };
}

/** The gRPC port the service listens on when SEQUENT_GRPC_PORT is not set. */
export function defaultGrpcPort(service: GrpcService): number {
  return grpcDefaults(service).port;
}

/** Variables in `names` that `service` does not read (pending ones excepted). */
export function unknownSettings(service: Service, names: Iterable<string>): string[] {
  const known = serviceSettings(service);
  return [...names].filter((n) => n.startsWith('SEQUENT_') && !known.has(n) && !PENDING_SETTINGS[service][n]);
}

/**
 * Problems the service's own configuration loader finds with `env` (empty when it would start
 * with it). Values that reference the environment of a container runtime (`${...}`) are not
 * resolvable here and must not be passed.
 */
export function serviceEnvProblems(service: Service, env: Record<string, string>): string[] {
  const res = run(
    process.execPath,
    [
      '--require',
      path.join(repoRoot, 'tools', 'harness', 'src', 'swc-register.js'),
      path.join(__dirname, 'check-service-env.js'),
    ],
    JSON.stringify({ service, env }),
  );
  if (res.status !== 0) throw new Error(`check-service-env ${service} failed: ${res.stderr}`);
  const result = JSON.parse(res.stdout) as { ok: boolean; problems?: string[] };
  return result.ok ? [] : (result.problems ?? ['invalid']);
}

// Validated configuration: one zod schema per service, filled from an optional JSON file
// (SEQUENT_CONFIG_FILE) and from SEQUENT_* environment variables (which win). The variable
// for a setting is derived from its path: `kafka.saslPassword` -> SEQUENT_KAFKA_SASL_PASSWORD.
// Secrets (marked with `secret()`) may also come from a mounted file named by `<VAR>_FILE`,
// and are never printed: `redactConfig` masks them and errors never echo their values.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const ENV_PREFIX = 'SEQUENT_';

const secretSchemas = new WeakSet<z.ZodType>();

/** Marks a setting as secret: readable from `<VAR>_FILE`, masked in logs and errors. */
export function secret<T extends z.ZodType>(schema: T): T {
  secretSchemas.add(schema);
  return schema;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Kind = 'object' | 'number' | 'boolean' | 'array' | 'scalar';

interface Leaf {
  path: string[];
  env: string;
  kind: Kind;
  secret: boolean;
  /** The schema's default, when it has one. */
  defaultValue?: unknown;
  optional: boolean;
}

/** Peels default/optional/nullable/pipe wrappers; remembers whether any layer was marked secret. */
function unwrap(schema: z.ZodType): {
  inner: z.ZodType;
  secret: boolean;
  defaultValue?: unknown;
  optional: boolean;
} {
  let current = schema;
  let isSecret = secretSchemas.has(current);
  let defaultValue: unknown;
  let optional = false;
  for (;;) {
    const def = current.def as {
      type: string;
      innerType?: z.ZodType;
      in?: z.ZodType;
      defaultValue?: unknown;
    };
    if (def.type === 'default' && defaultValue === undefined) defaultValue = def.defaultValue;
    if (def.type === 'optional' || def.type === 'nullable') optional = true;
    if (
      def.type === 'default' ||
      def.type === 'optional' ||
      def.type === 'nullable' ||
      def.type === 'prefault'
    ) {
      current = def.innerType as z.ZodType;
    } else if (def.type === 'pipe' && def.in) {
      current = def.in;
    } else {
      return { inner: current, secret: isSecret, defaultValue, optional };
    }
    isSecret ||= secretSchemas.has(current);
  }
}

function kindOf(schema: z.ZodType): Kind {
  const type = schema.def.type;
  if (type === 'object' || type === 'number' || type === 'boolean' || type === 'array') return type;
  return 'scalar';
}

/** `saslPassword` -> `SASL_PASSWORD` */
function envSegment(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function envNameFor(path: string[]): string {
  return ENV_PREFIX + path.map(envSegment).join('_');
}

function leavesOf(schema: z.ZodObject, prefix: string[] = []): Leaf[] {
  const leaves: Leaf[] = [];
  for (const [key, child] of Object.entries(schema.shape) as Array<[string, z.ZodType]>) {
    const path = [...prefix, key];
    const { inner, secret: isSecret, defaultValue, optional } = unwrap(child);
    const kind = kindOf(inner);
    if (kind === 'object') leaves.push(...leavesOf(inner as z.ZodObject, path));
    else leaves.push({ path, env: envNameFor(path), kind, secret: isSecret, defaultValue, optional });
  }
  return leaves;
}

/** Turns an environment string into the JSON type the schema expects (validation comes later). */
function fromEnvString(raw: string, kind: Kind): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'number':
      return text === '' || Number.isNaN(Number(text)) ? raw : Number(text);
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return raw;
    case 'array':
      // A JSON array for values containing commas, otherwise a comma-separated list.
      if (text.startsWith('[')) {
        try {
          return JSON.parse(text);
        } catch {
          return raw;
        }
      }
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Every object level exists, so nested defaults apply even when a whole section is absent. */
function skeleton(schema: z.ZodObject, base: unknown): Record<string, unknown> {
  const out: Record<string, unknown> =
    typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...(base as object) } : {};
  for (const [key, child] of Object.entries(schema.shape) as Array<[string, z.ZodType]>) {
    const { inner } = unwrap(child);
    if (kindOf(inner) === 'object') out[key] = skeleton(inner as z.ZodObject, out[key]);
  }
  return out;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Reads `*_FILE` secrets and SEQUENT_CONFIG_FILE (injectable for tests). */
  readFile?: (path: string) => string;
}

/**
 * Builds the configuration for `schema` from SEQUENT_CONFIG_FILE (JSON, nested like the schema)
 * and SEQUENT_* variables. Throws a ConfigError naming every bad setting by variable and path.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const problems: string[] = [];

  let fileValues: unknown = {};
  const configFile = env[`${ENV_PREFIX}CONFIG_FILE`];
  if (configFile) {
    try {
      fileValues = JSON.parse(readFile(configFile));
    } catch (err) {
      problems.push(`${ENV_PREFIX}CONFIG_FILE (${configFile}): cannot read JSON: ${(err as Error).message}`);
    }
  }
  const raw = skeleton(schema, fileValues);

  const leaves = leavesOf(schema);
  for (const leaf of leaves) {
    const direct = env[leaf.env];
    const fileRef = leaf.secret ? env[`${leaf.env}_FILE`] : undefined;
    if (direct !== undefined) {
      setPath(raw, leaf.path, fromEnvString(direct, leaf.kind));
    } else if (fileRef) {
      try {
        // Mounted secrets usually end with a newline that is not part of the secret.
        setPath(raw, leaf.path, readFile(fileRef).replace(/\r?\n$/, ''));
      } catch (err) {
        problems.push(
          `${leaf.env}_FILE: cannot read ${fileRef}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        );
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const secretPaths = new Set(leaves.filter((l) => l.secret).map((l) => l.path.join('.')));
  for (const issue of result.error.issues) {
    const path = issue.path.map(String);
    const dotted = path.join('.');
    // Zod messages describe the expected shape; for secrets, say only that the value is invalid.
    const message = secretPaths.has(dotted) ? 'invalid value (not shown: secret)' : issue.message;
    problems.push(`${envNameFor(path.filter((p) => !/^\d+$/.test(p)))} (${dotted || '<root>'}): ${message}`);
  }
  throw new ConfigError(problems);
}

/** A copy of `config` with every secret setting replaced by `***`, safe to log. */
export function redactConfig<S extends z.ZodObject>(schema: S, config: z.infer<S>): z.infer<S> {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const leaf of leavesOf(schema)) {
    if (!leaf.secret) continue;
    let node: unknown = copy;
    for (const key of leaf.path.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[key];
    const last = leaf.path[leaf.path.length - 1];
    if (node && typeof node === 'object' && (node as Record<string, unknown>)[last] !== undefined) {
      (node as Record<string, unknown>)[last] = '***';
    }
  }
  return copy as z.infer<S>;
}

/** Environment variables a schema reads, for `--help` output and docs. */
export interface SettingDescription {
  env: string;
  path: string;
  secret: boolean;
  /** The default value, absent when the setting has none. */
  defaultValue?: unknown;
  /** Required: no default and not optional. */
  required: boolean;
}

export function describeSettings(schema: z.ZodObject): SettingDescription[] {
  return leavesOf(schema).map((l) => ({
    env: l.env,
    path: l.path.join('.'),
    secret: l.secret,
    ...(l.defaultValue !== undefined ? { defaultValue: l.defaultValue } : {}),
    required: l.defaultValue === undefined && !l.optional,
  }));
}

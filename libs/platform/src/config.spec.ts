import { z } from 'zod';
import { ConfigError, describeSettings, loadConfig, redactConfig, secret } from './config';
import { kafkaSettings } from './settings';

const schema = z.object({
  kafka: kafkaSettings,
  topics: z.object({
    events: z.string().default('ecs.events'),
    raw: z.array(z.string()).default(['raw.ecs']),
  }),
  groupId: z.string().default('g'),
  batchSize: z.number().int().positive().default(100),
  verbose: z.boolean().default(false),
  apiToken: secret(z.string().optional()),
});

const files = (contents: Record<string, string>) => (path: string) => {
  if (!(path in contents)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return contents[path];
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('maps nested settings to SEQUENT_ variables and applies defaults', () => {
    const config = loadConfig(schema, {
      env: {
        SEQUENT_KAFKA_BROKERS: 'a:9092, b:9093',
        SEQUENT_TOPICS_EVENTS: 'custom.events',
        SEQUENT_BATCH_SIZE: '25',
      },
    });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.kafka.clientId).toBe('sequent');
    expect(config.topics).toEqual({ events: 'custom.events', raw: ['raw.ecs'] });
    expect(config.batchSize).toBe(25);
    expect(config.verbose).toBe(false);
  });

  it('reads booleans and JSON arrays from strings', () => {
    const config = loadConfig(schema, {
      env: { SEQUENT_KAFKA_BROKERS: '["h:1"]', SEQUENT_VERBOSE: 'yes', SEQUENT_KAFKA_SSL: 'true' },
    });
    expect(config.kafka.brokers).toEqual(['h:1']);
    expect(config.verbose).toBe(true);
    expect(config.kafka.ssl).toBe(true);
  });

  it('names every bad setting by variable and path', () => {
    const err = configError(() =>
      loadConfig(schema, {
        env: { SEQUENT_KAFKA_BROKERS: 'no-port', SEQUENT_BATCH_SIZE: 'lots', SEQUENT_VERBOSE: 'maybe' },
      }),
    );
    expect(err.message).toContain('SEQUENT_KAFKA_BROKERS (kafka.brokers.0): expected host:port');
    expect(err.message).toContain('SEQUENT_BATCH_SIZE (batchSize)');
    expect(err.message).toContain('SEQUENT_VERBOSE (verbose)');
    expect(err.problems).toHaveLength(3);
  });

  it('reports a missing required setting', () => {
    const err = configError(() => loadConfig(schema, { env: {} }));
    expect(err.message).toContain('SEQUENT_KAFKA_BROKERS (kafka.brokers)');
  });

  it('merges a JSON config file under the environment', () => {
    const config = loadConfig(schema, {
      env: { SEQUENT_CONFIG_FILE: '/etc/sequent.json', SEQUENT_GROUP_ID: 'from-env' },
      readFile: files({
        '/etc/sequent.json': JSON.stringify({
          kafka: { brokers: ['file:9092'] },
          groupId: 'from-file',
          batchSize: 7,
        }),
      }),
    });
    expect(config.kafka.brokers).toEqual(['file:9092']);
    expect(config.groupId).toBe('from-env');
    expect(config.batchSize).toBe(7);
  });

  it('explains an unreadable or malformed config file', () => {
    const err = configError(() =>
      loadConfig(schema, {
        env: { SEQUENT_CONFIG_FILE: '/bad.json' },
        readFile: files({ '/bad.json': '{oops' }),
      }),
    );
    expect(err.message).toContain('SEQUENT_CONFIG_FILE (/bad.json): cannot read JSON');
  });

  it('reads secrets from *_FILE without a trailing newline, and never from *_FILE for plain settings', () => {
    const config = loadConfig(schema, {
      env: {
        SEQUENT_KAFKA_BROKERS: 'h:1',
        SEQUENT_API_TOKEN_FILE: '/run/secrets/token',
        SEQUENT_KAFKA_SASL_PASSWORD_FILE: '/run/secrets/sasl',
        SEQUENT_GROUP_ID_FILE: '/run/secrets/token',
      },
      readFile: files({ '/run/secrets/token': 's3cr3t\n', '/run/secrets/sasl': 'pw' }),
    });
    expect(config.apiToken).toBe('s3cr3t');
    expect(config.kafka.saslPassword).toBe('pw');
    expect(config.groupId).toBe('g');
  });

  it('reports a missing secret file without its contents', () => {
    const err = configError(() =>
      loadConfig(schema, {
        env: { SEQUENT_KAFKA_BROKERS: 'h:1', SEQUENT_API_TOKEN_FILE: '/nope' },
        readFile: files({}),
      }),
    );
    expect(err.message).toContain('SEQUENT_API_TOKEN_FILE: cannot read /nope: ENOENT');
  });

  it('never echoes a secret value in errors', () => {
    const strict = z.object({ password: secret(z.string().min(12)) });
    const err = configError(() => loadConfig(strict, { env: { SEQUENT_PASSWORD: 'hunter2' } }));
    expect(err.message).toContain('SEQUENT_PASSWORD (password): invalid value (not shown: secret)');
    expect(err.message).not.toContain('hunter2');
  });

  it('redacts secrets for logging and lists the variables it reads', () => {
    const config = loadConfig(schema, {
      env: { SEQUENT_KAFKA_BROKERS: 'h:1', SEQUENT_API_TOKEN: 'tok', SEQUENT_KAFKA_SASL_PASSWORD: 'pw' },
    });
    const safe = redactConfig(schema, config);
    expect(safe.apiToken).toBe('***');
    expect(safe.kafka.saslPassword).toBe('***');
    expect(safe.kafka.brokers).toEqual(['h:1']);
    expect(config.apiToken).toBe('tok');
    const settings = describeSettings(schema);
    expect(settings).toContainEqual(
      expect.objectContaining({ env: 'SEQUENT_API_TOKEN', path: 'apiToken', secret: true }),
    );
    expect(settings).toContainEqual({
      env: 'SEQUENT_KAFKA_SASL_PASSWORD',
      path: 'kafka.saslPassword',
      secret: true,
      required: false,
    });
    expect(settings).toContainEqual({
      env: 'SEQUENT_KAFKA_BROKERS',
      path: 'kafka.brokers',
      secret: false,
      required: true,
    });
    expect(settings).toContainEqual(
      expect.objectContaining({
        env: 'SEQUENT_TOPICS_EVENTS',
        path: 'topics.events',
        secret: false,
        required: false,
        defaultValue: expect.any(String),
      }),
    );
  });
});

// Kafka SASL/SSL and Redis AUTH/TLS: the settings every service loads (SEQUENT_* variables and
// `*_FILE` secrets) reach the kafkajs and ioredis clients, and secrets are masked when logged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  createRedisClient,
  kafkaClientConfig,
  kafkaSettings,
  loadConfig,
  redactConfig,
  redisSettings,
  type RedisClient,
} from '@sequent/platform';

const schema = z.object({ kafka: kafkaSettings, redis: redisSettings });

describe('client configuration from the environment', () => {
  let dir: string;
  const clients: RedisClient[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-client-config-'));
    writeFileSync(path.join(dir, 'sasl-password'), 's3cret-sasl\n');
    writeFileSync(path.join(dir, 'redis-password'), 's3cret-redis\n');
    writeFileSync(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  });
  afterAll(() => {
    for (const c of clients) c.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const load = (env: Record<string, string>) =>
    loadConfig(schema, { env: { SEQUENT_KAFKA_BROKERS: 'k:9093', ...env } });

  it('wires SASL (password from *_FILE) and TLS with a private CA into kafkajs', () => {
    const config = load({
      SEQUENT_KAFKA_SSL: 'true',
      SEQUENT_KAFKA_SSL_CA_FILE: path.join(dir, 'ca.pem'),
      SEQUENT_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      SEQUENT_KAFKA_SASL_USERNAME: 'sequent',
      SEQUENT_KAFKA_SASL_PASSWORD_FILE: path.join(dir, 'sasl-password'),
    });
    const client = kafkaClientConfig(config.kafka);
    expect(client.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'sequent', password: 's3cret-sasl' });
    expect(client.ssl).toEqual({
      rejectUnauthorized: true,
      ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
    });
    expect(client.brokers).toEqual(['k:9093']);
  });

  it('is plaintext without SASL unless asked, and refuses SASL without credentials', () => {
    const plain = kafkaClientConfig(load({}).kafka);
    expect(plain.ssl).toBeUndefined();
    expect(plain.sasl).toBeUndefined();
    expect(() => kafkaClientConfig(load({ SEQUENT_KAFKA_SASL_MECHANISM: 'plain' }).kafka)).toThrow(
      /SEQUENT_KAFKA_SASL_USERNAME and SEQUENT_KAFKA_SASL_PASSWORD are required/,
    );
  });

  it('wires Redis AUTH (password from *_FILE, ACL user) and TLS into ioredis', () => {
    const config = load({
      SEQUENT_REDIS_URL: 'redis://10.0.0.1:6380',
      SEQUENT_REDIS_USERNAME: 'sequent',
      SEQUENT_REDIS_PASSWORD_FILE: path.join(dir, 'redis-password'),
      SEQUENT_REDIS_TLS: 'true',
    });
    const client = createRedisClient(config.redis, undefined, { lazyConnect: true });
    clients.push(client);
    const options = (client as unknown as { options: Record<string, unknown> }).options;
    expect(options).toMatchObject({
      host: '10.0.0.1',
      port: 6380,
      username: 'sequent',
      password: 's3cret-redis',
    });
    expect(options.tls).toEqual({});
    // A private CA: TLS with that CA.
    writeFileSync(
      path.join(dir, 'redis-ca.pem'),
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    );
    const withCa = createRedisClient(
      load({ SEQUENT_REDIS_TLS_CA_FILE: path.join(dir, 'redis-ca.pem') }).redis,
      undefined,
      {
        lazyConnect: true,
      },
    );
    clients.push(withCa);
    expect((withCa as unknown as { options: { tls: { ca: string[] } } }).options.tls.ca[0]).toContain(
      'BEGIN CERTIFICATE',
    );
    const open = createRedisClient(load({}).redis, undefined, { lazyConnect: true });
    clients.push(open);
    expect((open as unknown as { options: Record<string, unknown> }).options.tls).toBeUndefined();
  });

  it('masks every secret when the configuration is logged', () => {
    const config = load({
      SEQUENT_KAFKA_SASL_MECHANISM: 'plain',
      SEQUENT_KAFKA_SASL_USERNAME: 'sequent',
      SEQUENT_KAFKA_SASL_PASSWORD: 'env-sasl-secret',
      SEQUENT_REDIS_PASSWORD: 'env-redis-secret',
    });
    const text = JSON.stringify(redactConfig(schema, config));
    expect(text).not.toContain('env-sasl-secret');
    expect(text).not.toContain('env-redis-secret');
    expect(text).toContain('"saslPassword":"***"');
  });
});

// Redis clients on ioredis: a single node (URL), Sentinel or Cluster, chosen by configuration.
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from './logger';
import type { RedisSettings } from './settings';

export type RedisClient = Redis | Cluster;

function parseHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/**
 * Creates a client for the configured topology. Commands wait for the connection (offline
 * queue) and failed connections are retried with capped backoff, so a Redis restart surfaces
 * as latency and `isRedisReady() === false`, not as a crash.
 */
export function createRedisClient(
  settings: RedisSettings,
  logger?: Logger,
  options: { lazyConnect?: boolean } = {},
): RedisClient {
  const lazyConnect = options.lazyConnect ?? false;
  const common: RedisOptions = {
    username: settings.username,
    password: settings.password,
    tls:
      settings.tls || settings.tlsCaFile
        ? settings.tlsCaFile
          ? { ca: [readFileSync(settings.tlsCaFile, 'utf8')] }
          : {}
        : undefined,
    lazyConnect,
    maxRetriesPerRequest: 20,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  };
  let client: RedisClient;
  if (settings.clusterNodes.length > 0) {
    const options: ClusterOptions = {
      redisOptions: common,
      lazyConnect,
      clusterRetryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    };
    client = new Cluster(settings.clusterNodes.map(parseHostPort), options);
  } else if (settings.sentinels.length > 0) {
    client = new Redis({
      ...common,
      sentinels: settings.sentinels.map(parseHostPort),
      name: settings.sentinelMasterName,
      sentinelPassword: settings.password,
    });
  } else {
    client = new Redis(settings.url, common);
  }
  if (logger) {
    let lastError = '';
    client.on('error', (err: Error) => {
      // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
      if (err.message === lastError) return;
      lastError = err.message;
      logger.warn('redis error', { error: err.message });
    });
    client.on('ready', () => {
      lastError = '';
      logger.info('redis ready');
    });
  }
  return client;
}

export function isRedisReady(client: RedisClient): boolean {
  return client.status === 'ready';
}

/** Prefixes keys with the configured namespace (so several deployments can share a Redis). */
export function redisKey(settings: Pick<RedisSettings, 'keyPrefix'>, ...parts: string[]): string {
  return settings.keyPrefix + parts.join(':');
}

// Against the harness Redis (started by the Jest global setup).
import { createLogger } from './logger';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient, isRedisReady, redisKey } from './redis';
import type { RedisSettings } from './settings';

const url = process.env.SEQUENT_TEST_REDIS_URL;
if (!url) throw new Error('SEQUENT_TEST_REDIS_URL is not set: run through Jest (tools/harness global setup)');

const base: RedisSettings = {
  url,
  tls: false,
  sentinels: [],
  sentinelMasterName: 'mymaster',
  clusterNodes: [],
  keyPrefix: 'platform-test:',
};

describe('createRedisClient (real Redis)', () => {
  it('connects, becomes ready and round-trips values under the key prefix', async () => {
    const client = createRedisClient(base);
    try {
      const key = redisKey(base, 'a', 'b');
      expect(key).toBe('platform-test:a:b');
      await client.set(key, 'v', 'EX', 60);
      expect(await client.get(key)).toBe('v');
      expect(isRedisReady(client)).toBe(true);
    } finally {
      await client.quit();
    }
  });

  it('authenticates with username and password, and reports a wrong password without logging it', async () => {
    const admin = createRedisClient(base);
    const username = `tester-${process.pid}`;
    await admin.call('ACL', 'SETUSER', username, 'on', '>right-password', '~platform-test:*', '+@all');
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    const good = createRedisClient({ ...base, username, password: 'right-password' }, logger);
    const bad = createRedisClient({ ...base, username, password: 'wrong-password' }, logger);
    try {
      await good.set('platform-test:acl', '1');
      expect(await good.get('platform-test:acl')).toBe('1');
      await expect(bad.ping()).rejects.toThrow(/WRONGPASS|NOAUTH|invalid/i);
      expect(isRedisReady(bad)).toBe(false);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toMatch(/right-password|wrong-password/);
    } finally {
      bad.disconnect();
      await good.quit();
      await admin.call('ACL', 'DELUSER', username);
      await admin.quit();
    }
  });
});

describe('createRedisClient topologies', () => {
  it('builds a Cluster client from cluster nodes and a Sentinel client from sentinels', () => {
    const cluster = createRedisClient(
      { ...base, clusterNodes: ['10.0.0.1:7000', '10.0.0.2:7000'] },
      undefined,
      {
        lazyConnect: true,
      },
    );
    const sentinel = createRedisClient(
      { ...base, sentinels: ['10.0.0.3:26379'], sentinelMasterName: 'primary', password: 'pw' },
      undefined,
      { lazyConnect: true },
    );
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      expect((cluster as unknown as { startupNodes: unknown }).startupNodes).toEqual([
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7000 },
      ]);
      expect(sentinel).toBeInstanceOf(Redis);
      expect((sentinel as Redis).options).toMatchObject({
        name: 'primary',
        sentinels: [{ host: '10.0.0.3', port: 26379 }],
        password: 'pw',
      });
      expect(cluster.status).toBe('wait');
    } finally {
      cluster.disconnect();
      sentinel.disconnect();
    }
  });
});

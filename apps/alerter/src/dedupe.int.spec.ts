// Against the harness Redis (started by the Jest global setup).
import { randomBytes } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@sequent/platform';
import { RedisAlertDeduper } from './dedupe';

const url = process.env.SEQUENT_TEST_REDIS_URL;
if (!url) throw new Error('SEQUENT_TEST_REDIS_URL is not set: run through Jest (tools/harness global setup)');

describe('RedisAlertDeduper (real Redis)', () => {
  let redis: RedisClient;
  const prefix = `dedupe-test-${randomBytes(3).toString('hex')}:`;

  beforeAll(() => {
    redis = createRedisClient({
      url,
      tls: false,
      sentinels: [],
      sentinelMasterName: 'm',
      clusterNodes: [],
      keyPrefix: prefix,
    });
  });
  afterAll(() => redis.quit());

  it('remembers published ids with a TTL under the key prefix', async () => {
    const deduper = new RedisAlertDeduper(redis, prefix, 120);
    expect(await deduper.seen(['a', 'b'])).toEqual([false, false]);
    await deduper.markPublished(['a']);
    expect(await deduper.seen(['a', 'b'])).toEqual([true, false]);
    const ttl = await redis.ttl(`${prefix}alert:seen:a`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await deduper.seen([])).toEqual([]);
  });

  it('does not extend the TTL of an id recorded twice (SET NX)', async () => {
    const deduper = new RedisAlertDeduper(redis, prefix, 120);
    await deduper.markPublished(['x']);
    await redis.expire(`${prefix}alert:seen:x`, 30);
    await deduper.markPublished(['x']);
    expect(await redis.ttl(`${prefix}alert:seen:x`)).toBeLessThanOrEqual(30);
  });
});

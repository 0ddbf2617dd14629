// Remembers published alert ids in Redis (`<prefix>alert:seen:<uuid>`, with a TTL).
// Order matters for "no alert lost": the stage checks ids, publishes the unseen ones, and
// records them only after the broker acknowledged them. A crash between publishing and
// recording can publish an alert twice; recording first could lose it, which is worse.
import { redisKey, type RedisClient } from '@sequent/platform';

export interface AlertDeduper {
  /** For each id, whether it was already published. */
  seen(uuids: string[]): Promise<boolean[]>;
  markPublished(uuids: string[]): Promise<void>;
}

export class RedisAlertDeduper implements AlertDeduper {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(uuid: string): string {
    return redisKey({ keyPrefix: this.keyPrefix }, 'alert', 'seen', uuid);
  }

  async seen(uuids: string[]): Promise<boolean[]> {
    if (uuids.length === 0) return [];
    // One round trip per key in a pipeline (MGET would fail across Cluster slots).
    const pipeline = this.redis.pipeline();
    for (const uuid of uuids) pipeline.exists(this.key(uuid));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, count]) => {
      if (err) throw err;
      return Number(count) > 0;
    });
  }

  async markPublished(uuids: string[]): Promise<void> {
    if (uuids.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const uuid of uuids) pipeline.set(this.key(uuid), '1', 'EX', this.ttlSeconds, 'NX');
    const replies = (await pipeline.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
  }
}

// Redis implementations of the @sequent/alerting stores, shared by every alerter pod:
//   <prefix>alert:supp:<rule>:<terms-hash>  open suppression group (hash: counters + JSON base, TTL)
//   <prefix>alert:cap:<rule>:<window>       alerts published by a rule in a rate window (TTL)
//   <prefix>risk:in:<type>:<name>           entity risk inputs (hash alertId -> "score|time", TTL = window)
//   <prefix>risk:top:<type>                 leaderboard (sorted set name -> normalized score, bounded)
//   <prefix>{alerts}:recent / :docs         recent alerts for ListAlerts (sorted set + hash, bounded)
import {
  computeEntityRisk,
  mergeRiskInputs,
  type EntityRef,
  type EntityRisk,
  type EntityRiskOptions,
  type EntityRiskStore,
  type EntityType,
  type RateCapStore,
  type RiskInput,
  type RiskWatermark,
  type SuppressionRecord,
  type SuppressionStore,
  type SuppressionWrite,
  writeSuppressionFields,
} from '@sequent/alerting';
import type { RedisClient } from '@sequent/platform';
import type { StoredAlert } from '@sequent/pipeline';

type Replies = Array<[Error | null, unknown]> | null;

function check(replies: Replies): unknown[] {
  return (replies ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/**
 * Applies one batch's view of a suppression group atomically, so pods sharing a group do not
 * lose each other's counts: a group this batch opened is written whole (unless another pod
 * opened one in the same window meanwhile: theirs is kept); a stored group this batch folded
 * alerts into gets `docs_count += folded` and start/end widened.
 * KEYS[1] group hash; ARGV: uuid, base, start, end, docsCount, windowStart, windowEnd, opened, folded, ttlMs
 */
const MERGE_SUPPRESSION_LUA = `
local cur = redis.call('HGET', KEYS[1], 'uuid')
local function write_all()
  redis.call('HSET', KEYS[1], 'uuid', ARGV[1], 'base', ARGV[2], 'start', ARGV[3], 'end', ARGV[4],
    'docsCount', ARGV[5], 'windowStart', ARGV[6], 'windowEnd', ARGV[7])
end
if not cur then
  write_all()
elseif cur == ARGV[1] then
  if ARGV[8] == '1' then
    write_all()
  else
    redis.call('HINCRBY', KEYS[1], 'docsCount', ARGV[9])
    if tonumber(ARGV[3]) < tonumber(redis.call('HGET', KEYS[1], 'start')) then
      redis.call('HSET', KEYS[1], 'start', ARGV[3])
    end
    if tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[1], 'end')) then
      redis.call('HSET', KEYS[1], 'end', ARGV[4])
    end
  end
elseif ARGV[8] == '1' and tonumber(ARGV[6]) >= tonumber(redis.call('HGET', KEYS[1], 'windowEnd')) then
  write_all()
else
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[10])
return 1
`;

export class RedisSuppressionStore implements SuppressionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(k: string) {
    return `${this.prefix}alert:supp:${k}`;
  }

  async get(keys: string[]): Promise<Array<SuppressionRecord | null>> {
    if (keys.length === 0) return [];
    const p = this.redis.pipeline();
    for (const k of keys) p.hgetall(this.key(k));
    return check(await p.exec()).map((v) => {
      const h = v as Record<string, string>;
      if (!h || !h.uuid || !h.base) return null;
      const record = JSON.parse(h.base) as SuppressionRecord;
      record.start = Number(h.start);
      record.end = Number(h.end);
      record.docsCount = Number(h.docsCount);
      writeSuppressionFields(record.doc, record);
      return record;
    });
  }

  async put(items: SuppressionWrite[]): Promise<void> {
    if (items.length === 0) return;
    const p = this.redis.pipeline();
    for (const { key, record, ttlMs, opened, folded } of items) {
      p.eval(
        MERGE_SUPPRESSION_LUA,
        1,
        this.key(key),
        record.uuid,
        JSON.stringify(record),
        String(record.start),
        String(record.end),
        String(record.docsCount),
        String(record.windowStart),
        String(record.windowEnd),
        opened ? '1' : '0',
        String(folded),
        String(Math.ceil(ttlMs)),
      );
    }
    check(await p.exec());
  }
}

export class RedisRateCapStore implements RateCapStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(k: string) {
    return `${this.prefix}alert:cap:${k}`;
  }

  async counts(keys: string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const p = this.redis.pipeline();
    for (const k of keys) p.get(this.key(k));
    return check(await p.exec()).map((v) => Number(v ?? 0));
  }

  async add(items: Array<{ key: string; n: number; ttlMs: number }>): Promise<void> {
    if (items.length === 0) return;
    const p = this.redis.pipeline();
    for (const { key, n, ttlMs } of items) {
      p.incrby(this.key(key), n);
      p.pexpire(this.key(key), ttlMs);
    }
    check(await p.exec());
  }
}

function parseInputs(hash: Record<string, string>): RiskInput[] {
  return Object.entries(hash).map(([alertId, v]) => {
    const [score, time] = v.split('|');
    return { alertId, riskScore: Number(score), time: Number(time) };
  });
}

export class RedisEntityRiskStore implements EntityRiskStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly options: EntityRiskOptions,
    private readonly maxEntities: number,
  ) {}

  private inputsKey(e: EntityRef) {
    return `${this.prefix}risk:in:${e.type}:${e.name}`;
  }
  private topKey(type: EntityType) {
    return `${this.prefix}risk:top:${type}`;
  }

  async add(items: Array<{ entity: EntityRef; input: RiskInput }>, now: number): Promise<EntityRisk[]> {
    const grouped = new Map<string, { entity: EntityRef; added: RiskInput[] }>();
    for (const { entity, input } of items) {
      const k = `${entity.type}:${entity.name}`;
      const g = grouped.get(k) ?? { entity, added: [] };
      g.added.push(input);
      grouped.set(k, g);
    }
    // Three round trips per batch whatever the number of entities: add + read, then prune + rank.
    const groups = [...grouped.values()];
    const write = this.redis.pipeline();
    for (const { entity, added } of groups) {
      const key = this.inputsKey(entity);
      for (const i of added) write.hset(key, i.alertId, `${i.riskScore}|${i.time}`);
      write.hgetall(key);
    }
    const replies = check(await write.exec());
    const out: EntityRisk[] = [];
    const update = this.redis.pipeline();
    let at = 0;
    for (const { entity, added } of groups) {
      at += added.length;
      const all = parseInputs(replies[at++] as Record<string, string>);
      const kept = mergeRiskInputs([], all, now, this.options);
      const keptIds = new Set(kept.map((i) => i.alertId));
      const removed = all.filter((i) => !keptIds.has(i.alertId)).map((i) => i.alertId);
      const risk = computeEntityRisk(entity, kept, now, this.options);
      const key = this.inputsKey(entity);
      if (removed.length) update.hdel(key, ...removed);
      update.pexpire(key, this.options.windowMs);
      update.zadd(this.topKey(entity.type), risk.score, entity.name);
      out.push(risk);
    }
    check(await update.exec());
    for (const type of new Set(out.map((r) => r.type))) {
      // Bounded leaderboard: the lowest-scored entities fall off.
      await this.redis.zremrangebyrank(this.topKey(type), 0, -this.maxEntities - 1);
    }
    return out;
  }

  async get(entity: EntityRef, now: number): Promise<EntityRisk | null> {
    const hash = await this.redis.hgetall(this.inputsKey(entity));
    if (Object.keys(hash).length === 0) return null;
    return computeEntityRisk(entity, parseInputs(hash), now, this.options);
  }

  async top(limit: number, now: number, type?: EntityType): Promise<EntityRisk[]> {
    if (limit <= 0) return [];
    const types: EntityType[] = type ? [type] : ['host', 'user'];
    // Leaderboard scores were computed at the entity's last update and only decay since
    // (inputs leave the window), so recompute a margin of candidates and re-rank.
    const fetch = limit * 2 + 10;
    const candidates: EntityRef[] = [];
    for (const t of types) {
      const names = await this.redis.zrevrange(this.topKey(t), 0, fetch - 1);
      for (const name of names) candidates.push({ type: t, name });
    }
    const risks = await Promise.all(candidates.map((e) => this.get(e, now)));
    return risks
      .filter((r): r is EntityRisk => r !== null && r.inputs > 0)
      .sort((a, b) => b.score - a.score || `${a.type}:${a.name}`.localeCompare(`${b.type}:${b.name}`))
      .slice(0, limit);
  }
}

/** Recent alerts (newest first) for ListAlerts, bounded to `max`. */
export class RedisRecentAlerts {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly max: number,
  ) {}

  // One hash tag: both keys live in one Cluster slot.
  private get indexKey() {
    return `${this.prefix}{alerts}:recent`;
  }
  private get docsKey() {
    return `${this.prefix}{alerts}:recent:docs`;
  }

  async add(alerts: StoredAlert[], now: number): Promise<void> {
    if (alerts.length === 0) return;
    const p = this.redis.pipeline();
    alerts.forEach((a, i) => {
      // Same-millisecond alerts keep their batch order.
      p.zadd(this.indexKey, now + i / 1000, a.uuid);
      p.hset(this.docsKey, a.uuid, JSON.stringify(a));
    });
    p.zcard(this.indexKey);
    const replies = check(await p.exec());
    const size = Number(replies[replies.length - 1]);
    if (size > this.max) {
      const evicted = await this.redis.zrange(this.indexKey, 0, size - this.max - 1);
      if (evicted.length) {
        const t = this.redis.pipeline();
        t.zrem(this.indexKey, ...evicted);
        t.hdel(this.docsKey, ...evicted);
        check(await t.exec());
      }
    }
  }

  /**
   * Scans newest first from position `offset`, keeping those `accept` takes, until `pageSize`
   * are found or `scanLimit` were looked at. Returns the next position, or null at the end.
   */
  async list(
    offset: number,
    pageSize: number,
    accept: (a: StoredAlert) => boolean,
    scanLimit = 5_000,
  ): Promise<{ alerts: StoredAlert[]; next: number | null }> {
    const alerts: StoredAlert[] = [];
    let pos = offset;
    const chunk = 200;
    while (alerts.length < pageSize && pos - offset < scanLimit) {
      const ids = await this.redis.zrevrange(this.indexKey, pos, pos + chunk - 1);
      if (ids.length === 0) return { alerts, next: null };
      const docs = await this.redis.hmget(this.docsKey, ...ids);
      for (let i = 0; i < ids.length; i++) {
        pos++;
        const raw = docs[i];
        if (raw) {
          const a = JSON.parse(raw) as StoredAlert;
          if (accept(a)) alerts.push(a);
        }
        if (alerts.length === pageSize) break;
      }
      if (ids.length < chunk && alerts.length < pageSize) return { alerts, next: null };
    }
    const more = (await this.redis.zrevrange(this.indexKey, pos, pos)).length > 0;
    return { alerts, next: more ? pos : null };
  }
}

const ADVANCE_WATERMARK_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local t = tonumber(ARGV[1])
if t > cur then
  redis.call('SET', KEYS[1], ARGV[1])
  return ARGV[1]
end
return tostring(cur)
`;

/** The event clock of entity risk, shared by every pod (`<prefix>risk:watermark`). */
export class RedisRiskWatermark implements RiskWatermark {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private get key() {
    return `${this.prefix}risk:watermark`;
  }

  async get(): Promise<number> {
    return Number((await this.redis.get(this.key)) ?? 0);
  }

  async advance(time: number): Promise<number> {
    return Number(await this.redis.eval(ADVANCE_WATERMARK_LUA, 1, this.key, String(Math.floor(time))));
  }
}

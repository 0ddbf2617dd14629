/**
 * The engine's state store on Redis (DESIGN.md "Delivery guarantees"): a batch's state
 * changes, its partition offset and its alerts (outbox) are written in ONE MULTI/EXEC, so
 * Redis always holds the state of a whole number of batches together with the offset that
 * produced it. One round trip per batch for the write, one for the new_terms reads.
 *
 * Key layout (prefix P, partition p; `{p}` is a cluster hash tag keeping a partition's keys
 * in one slot):
 *   P part:{p}:meta            hash   offset, clock (JSON)
 *   P part:{p}:buf             hash   reorder-buffer events by arrival seq (JSON)
 *   P part:{p}:outbox          list   alerts committed, not yet acknowledged as produced
 *   P part:{p}:seq:<key>       string one join key of a sequence rule, or its scalar part (JSON), PX retention
 *   P part:{p}:thr:<key>       string one threshold group (JSON), PX retention
 *   P nt:<ruleKey>\x1f<term>   string new_terms history "first,last", global, PX window
 * Retention TTLs are the rule's maxspan / window / history window plus the allowed lateness,
 * never below `minTtlMs` (a pod that is down for a while must find its state again). Sizes
 * are bounded by the engine (keys per rule, evictions counted there); Redis mirrors them.
 *
 * The all-in-one MULTI needs every key in one node: single Redis or Sentinel. (With Redis
 * Cluster the global new_terms keys live in other slots; not supported by this store.)
 */
import type {
  AlertDocument,
  BufferedEvent,
  PartitionClock,
  PartitionSnapshot,
  StateChanges,
  StateStore,
  TermRecord,
  ThresholdGroupState,
} from '@sequent/engine';
import { emptySnapshot, splitStateKey } from '@sequent/engine';
import type { RedisClient } from './redis';

export interface RedisStateStoreOptions {
  /** Key prefix (configuration: several deployments may share one Redis). */
  keyPrefix: string;
  /** The allowed lateness added to every retention TTL (ms). */
  allowedLatenessMs?: number;
  /** Lowest TTL for any state key (ms). */
  minTtlMs?: number;
  /** Keys fetched per SCAN step when loading a partition. */
  scanCount?: number;
}

export interface RedisStateStoreStats {
  commits: number;
  /** Redis round trips and their total time, for latency metrics. */
  roundTrips: number;
  roundTripMs: number;
  errors: number;
  lastCommitBytes: number;
}

export class RedisStateStore implements StateStore {
  readonly stats: RedisStateStoreStats = {
    commits: 0,
    roundTrips: 0,
    roundTripMs: 0,
    errors: 0,
    lastCommitBytes: 0,
  };
  private readonly prefix: string;
  private readonly lateness: number;
  private readonly minTtl: number;
  private readonly scanCount: number;

  constructor(
    private readonly redis: RedisClient,
    options: RedisStateStoreOptions,
  ) {
    this.prefix = options.keyPrefix;
    this.lateness = options.allowedLatenessMs ?? 5_000;
    this.minTtl = options.minTtlMs ?? 3_600_000;
    this.scanCount = options.scanCount ?? 1000;
  }

  private part(p: string): string {
    return `${this.prefix}part:{${p}}`;
  }

  private termKey(key: string): string {
    return `${this.prefix}nt:${key}`;
  }

  private ttl(retentionMs: number | undefined): number {
    return Math.max(this.minTtl, Math.ceil((retentionMs ?? 0) + this.lateness));
  }

  private async timed<T>(op: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await op();
    } catch (err) {
      this.stats.errors++;
      throw err;
    } finally {
      this.stats.roundTrips++;
      this.stats.roundTripMs += performance.now() - t0;
    }
  }

  private async scanKeys(pattern: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.timed(() =>
        (this.redis as import('ioredis').Redis).scan(cursor, 'MATCH', pattern, 'COUNT', this.scanCount),
      );
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
    return out;
  }

  private async getMany(keys: string[]): Promise<Array<string | null>> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const k of keys) pipeline.get(k);
    const results = (await this.timed(() => pipeline.exec())) ?? [];
    return results.map(([err, v]) => {
      if (err) throw err;
      return (v as string | null) ?? null;
    });
  }

  /** Escapes glob characters of a literal key part for SCAN MATCH. */
  private static glob(s: string): string {
    return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  }

  async loadPartition(partition: string): Promise<PartitionSnapshot> {
    const base = this.part(partition);
    const pipeline = this.redis.pipeline();
    pipeline.hgetall(`${base}:meta`);
    pipeline.hgetall(`${base}:buf`);
    pipeline.lrange(`${base}:outbox`, 0, -1);
    const res = (await this.timed(() => pipeline.exec())) ?? [];
    for (const [err] of res) if (err) throw err;
    const meta = (res[0]?.[1] ?? {}) as Record<string, string>;
    const buf = (res[1]?.[1] ?? {}) as Record<string, string>;
    const outbox = (res[2]?.[1] ?? []) as string[];
    const snapshot = emptySnapshot();
    if (meta.offset !== undefined && meta.offset !== '') snapshot.offset = meta.offset;
    if (meta.clock) snapshot.clock = JSON.parse(meta.clock) as PartitionClock;
    snapshot.buffered = Object.values(buf)
      .map((v) => JSON.parse(v) as BufferedEvent)
      .sort((a, b) => a.seq - b.seq);
    snapshot.pendingAlerts = outbox.map((v) => JSON.parse(v) as AlertDocument);

    const g = RedisStateStore.glob(base);
    const seqKeys = await this.scanKeys(`${g}:seq:*`);
    const seqValues = await this.getMany(seqKeys);
    seqKeys.forEach((k, i) => {
      const v = seqValues[i];
      if (v !== null) snapshot.sequences.push([k.slice(`${base}:seq:`.length), JSON.parse(v)]);
    });
    const thrKeys = await this.scanKeys(`${g}:thr:*`);
    const thrValues = await this.getMany(thrKeys);
    thrKeys.forEach((k, i) => {
      const v = thrValues[i];
      if (v !== null)
        snapshot.thresholds.push([k.slice(`${base}:thr:`.length), JSON.parse(v) as ThresholdGroupState]);
    });
    return snapshot;
  }

  async getTerms(keys: readonly string[]): Promise<Map<string, TermRecord>> {
    const out = new Map<string, TermRecord>();
    if (keys.length === 0) return out;
    const values = await this.timed(() => this.redis.mget(...keys.map((k) => this.termKey(k))));
    keys.forEach((k, i) => {
      const v = values[i];
      if (v === null || v === undefined) return;
      const comma = v.indexOf(',');
      out.set(k, { first: Number(v.slice(0, comma)), last: Number(v.slice(comma + 1)) });
    });
    return out;
  }

  async commit(partition: string, changes: StateChanges): Promise<void> {
    const base = this.part(partition);
    const tx = this.redis.multi();
    let bytes = 0;
    const meta: Record<string, string> = { clock: JSON.stringify(changes.clock) };
    if (changes.offset !== null) meta.offset = changes.offset;
    tx.hset(`${base}:meta`, meta);
    if (changes.bufferRemoved.length > 0) tx.hdel(`${base}:buf`, ...changes.bufferRemoved.map(String));
    if (changes.bufferAdded.length > 0) {
      const fields: Record<string, string> = {};
      for (const e of changes.bufferAdded) {
        const json = JSON.stringify(e);
        bytes += json.length;
        fields[String(e.seq)] = json;
      }
      tx.hset(`${base}:buf`, fields);
    }
    for (const [key, value] of changes.sequences) {
      const k = `${base}:seq:${key}`;
      if (value === null) tx.del(k);
      else {
        const json = JSON.stringify(value);
        bytes += json.length;
        tx.set(k, json, 'PX', this.ttl(changes.ttlMs.sequences.get(splitStateKey(key)[0])));
      }
    }
    for (const [key, value] of changes.thresholds) {
      const k = `${base}:thr:${key}`;
      if (value === null) tx.del(k);
      else {
        const json = JSON.stringify(value);
        bytes += json.length;
        tx.set(k, json, 'PX', this.ttl(changes.ttlMs.thresholds.get(splitStateKey(key)[0])));
      }
    }
    for (const [key, r] of changes.terms) {
      const v = `${r.first},${r.last}`;
      bytes += v.length + key.length;
      tx.set(this.termKey(key), v, 'PX', this.ttl(changes.ttlMs.terms.get(splitStateKey(key)[0])));
    }
    if (changes.alerts.length > 0) {
      const items = changes.alerts.map((a) => JSON.stringify(a));
      for (const s of items) bytes += s.length;
      tx.rpush(`${base}:outbox`, ...items);
    }
    const res = await this.timed(() => tx.exec());
    if (res === null) throw new Error('redis state commit aborted');
    for (const [err] of res) if (err) throw err;
    this.stats.commits++;
    this.stats.lastCommitBytes = bytes;
  }

  async ackAlerts(partition: string): Promise<void> {
    await this.timed(() => this.redis.del(`${this.part(partition)}:outbox`));
  }

  async dropPartition(partition: string): Promise<void> {
    const base = this.part(partition);
    const g = RedisStateStore.glob(base);
    const keys = [
      `${base}:meta`,
      `${base}:buf`,
      `${base}:outbox`,
      ...(await this.scanKeys(`${g}:seq:*`)),
      ...(await this.scanKeys(`${g}:thr:*`)),
    ];
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      await this.timed(() => this.redis.del(...chunk));
    }
  }

  /** Bytes Redis uses for the partition's keys (MEMORY USAGE), for the state bench. */
  async partitionBytes(partition: string): Promise<number> {
    const base = this.part(partition);
    const g = RedisStateStore.glob(base);
    const keys = [`${base}:meta`, `${base}:buf`, `${base}:outbox`, ...(await this.scanKeys(`${g}:*`))];
    let total = 0;
    for (const k of new Set(keys)) {
      const n = (await this.timed(() => this.redis.call('MEMORY', 'USAGE', k))) as number | null;
      total += n ?? 0;
    }
    return total;
  }
}

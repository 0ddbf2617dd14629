/**
 * The bus the stages run on. Two implementations: `MemoryBus` (the embedded wiring, one
 * process) and the Kafka bus of the services. Stage code sees only this interface, so the
 * same code path runs in both wirings (DESIGN.md "One code path, two wirings").
 */

export interface BusRecord {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit; kept as decimal strings like kafkajs does. */
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Producer timestamp (ms since epoch): the ingest time of the record. */
  timestamp: number;
}

export interface OutgoingRecord {
  key?: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface BusBatch {
  topic: string;
  partition: number;
  records: BusRecord[];
}

export interface ConsumeOptions {
  groupId: string;
  topics: string[];
  /** Handles one batch of one partition. The batch's offsets are committed only after it resolves. */
  onBatch(batch: BusBatch): Promise<void>;
  /** A partition was assigned to this consumer (load its state here). */
  onAssign?(topic: string, partition: number): Promise<void>;
  /** A partition is being taken away (flush its state here). */
  onRevoke?(topic: string, partition: number): Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface Bus {
  produce(topic: string, records: OutgoingRecord[]): Promise<void>;
  consume(options: ConsumeOptions): Promise<Subscription>;
}

/** Kafka's default partitioner (murmur2 of the key), so an in-memory run partitions events
 * exactly as the services do and per-partition state behaves the same in both wirings. */
export function partitionForKey(key: string | null, partitions: number, fallback: number): number {
  if (key === null) return fallback % partitions;
  return (toPositive(murmur2(Buffer.from(key))) % partitions) >>> 0;
}

function toPositive(x: number): number {
  return x & 0x7fffffff;
}

/** murmur2 as in the Java client and kafkajs' DefaultPartitioner. */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ length;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k =
      (data[i4] & 0xff) +
      ((data[i4 + 1] & 0xff) << 8) +
      ((data[i4 + 2] & 0xff) << 16) +
      ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const left = length % 4;
  const base = length - left;
  if (left >= 3) h ^= (data[base + 2] & 0xff) << 16;
  if (left >= 2) h ^= (data[base + 1] & 0xff) << 8;
  if (left >= 1) {
    h ^= data[base] & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

import {
  partitionForKey,
  type Bus,
  type BusBatch,
  type BusRecord,
  type ConsumeOptions,
  type OutgoingRecord,
  type Subscription,
} from './bus';

interface Group {
  options: ConsumeOptions;
  /** Next offset to deliver, per topic and partition. */
  positions: Map<string, number[]>;
  stopped: boolean;
}

/**
 * The in-memory bus of the embedded wiring: topics with partitions, keyed partitioning like
 * Kafka's, one consumer per group, batches delivered in offset order per partition and
 * committed when the handler resolves. Records of a fully consumed prefix are released so a
 * long run does not keep every message.
 */
export class MemoryBus implements Bus {
  private readonly logs = new Map<string, BusRecord[][]>();
  private readonly bases = new Map<string, number[]>();
  private readonly groups: Group[] = [];
  private roundRobin = 0;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;

  constructor(
    private readonly partitionsPerTopic: Record<string, number> = {},
    private readonly defaultPartitions = 1,
    private readonly maxBatch = 500,
  ) {}

  private partitions(topic: string): BusRecord[][] {
    let log = this.logs.get(topic);
    if (!log) {
      const n = this.partitionsPerTopic[topic] ?? this.defaultPartitions;
      log = Array.from({ length: n }, () => []);
      this.logs.set(topic, log);
      this.bases.set(topic, new Array<number>(n).fill(0));
    }
    return log;
  }

  async produce(topic: string, records: OutgoingRecord[]): Promise<void> {
    const log = this.partitions(topic);
    const bases = this.bases.get(topic)!;
    const now = Date.now();
    for (const r of records) {
      const key = r.key ?? null;
      const p = partitionForKey(key, log.length, this.roundRobin++);
      const value = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      log[p].push({
        topic,
        partition: p,
        offset: String(bases[p] + log[p].length),
        key,
        value,
        headers: r.headers ?? {},
        timestamp: now,
      });
    }
    this.schedulePump();
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    const group: Group = { options, positions: new Map(), stopped: false };
    for (const topic of options.topics) {
      const n = this.partitions(topic).length;
      group.positions.set(topic, new Array<number>(n).fill(0));
      for (let p = 0; p < n; p++) await options.onAssign?.(topic, p);
    }
    this.groups.push(group);
    this.schedulePump();
    return {
      stop: async () => {
        group.stopped = true;
        for (const topic of options.topics) {
          const n = this.partitions(topic).length;
          for (let p = 0; p < n; p++) await options.onRevoke?.(topic, p);
        }
      },
    };
  }

  /** Resolves when every produced record has been handled by every consumer. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.pumping) await this.pumping;
      if (!this.hasPending()) return;
      this.schedulePump();
    }
  }

  private hasPending(): boolean {
    return this.groups.some(
      (g) =>
        !g.stopped &&
        g.options.topics.some((t) => {
          const log = this.partitions(t);
          const bases = this.bases.get(t)!;
          const pos = g.positions.get(t)!;
          return log.some((records, p) => pos[p] < bases[p] + records.length);
        }),
    );
  }

  private schedulePump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    // Start on a later microtask: a handler that produces re-enters here while the pump is
    // running, and must only ask for another round, never start a nested pump.
    this.pumping = Promise.resolve()
      .then(async () => {
        do {
          this.pumpAgain = false;
          await this.pumpOnce();
        } while (this.pumpAgain || this.hasPending());
      })
      .finally(() => {
        this.pumping = null;
      });
  }

  private async pumpOnce(): Promise<void> {
    for (const group of this.groups) {
      if (group.stopped) continue;
      for (const topic of group.options.topics) {
        const log = this.partitions(topic);
        const bases = this.bases.get(topic)!;
        const pos = group.positions.get(topic)!;
        for (let p = 0; p < log.length; p++) {
          while (pos[p] < bases[p] + log[p].length) {
            const start = pos[p] - bases[p];
            const records = log[p].slice(start, start + this.maxBatch);
            const batch: BusBatch = { topic, partition: p, records };
            await group.options.onBatch(batch);
            pos[p] += records.length;
          }
        }
      }
    }
    this.compact();
  }

  /** Drops records every group has consumed. */
  private compact(): void {
    for (const [topic, log] of this.logs) {
      const bases = this.bases.get(topic)!;
      for (let p = 0; p < log.length; p++) {
        let min = Infinity;
        for (const g of this.groups) {
          const pos = g.positions.get(topic);
          if (pos && !g.stopped) min = Math.min(min, pos[p]);
        }
        if (min === Infinity) continue;
        const consumed = min - bases[p];
        if (consumed > 0) {
          log[p].splice(0, consumed);
          bases[p] = min;
        }
      }
    }
  }
}

// In-memory stores for the embedded wiring and tests (the service uses Redis ones).
import { MemoryEntityRiskStore, type EntityRiskOptions } from './entity-risk';
import type { AlertingStores, DedupeStore, RateCapStore } from './processor';
import { MemorySuppressionStore } from './suppression';

export class MemoryDedupeStore implements DedupeStore {
  readonly published = new Set<string>();
  async seen(uuids: string[]): Promise<boolean[]> {
    return uuids.map((u) => this.published.has(u));
  }
  async markPublished(uuids: string[]): Promise<void> {
    for (const u of uuids) this.published.add(u);
  }
}

export class MemoryRateCapStore implements RateCapStore {
  private readonly counters = new Map<string, { n: number; expires: number }>();
  constructor(private readonly clock: () => number = Date.now) {}
  async counts(keys: string[]): Promise<number[]> {
    const now = this.clock();
    return keys.map((k) => {
      const c = this.counters.get(k);
      return c && c.expires > now ? c.n : 0;
    });
  }
  async add(items: Array<{ key: string; n: number; ttlMs: number }>): Promise<void> {
    const now = this.clock();
    for (const { key, n, ttlMs } of items) {
      const c = this.counters.get(key);
      const live = c && c.expires > now ? c.n : 0;
      this.counters.set(key, { n: live + n, expires: now + ttlMs });
    }
  }
}

export function memoryAlertingStores(
  options: { clock?: () => number; entityRisk?: EntityRiskOptions } = {},
): AlertingStores {
  return {
    dedupe: new MemoryDedupeStore(),
    suppression: new MemorySuppressionStore(options.clock),
    rateCap: new MemoryRateCapStore(options.clock),
    entityRisk: new MemoryEntityRiskStore(options.entityRisk),
  };
}

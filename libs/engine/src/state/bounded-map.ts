/**
 * A map with a key limit and recency order: writing a key moves it to the back, the front is
 * the least recently written. When the limit is passed the front key is evicted (counted, and
 * reported through `onEvict` so the durable copy deletes it too). Sweeping from the front
 * stops at the first entry still alive, so expiry costs O(expired).
 */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  evictions = 0;

  constructor(
    private readonly maxKeys: number,
    private readonly onEvict?: (key: string) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxKeys) {
      const first = this.map.keys().next().value as string;
      this.map.delete(first);
      this.evictions++;
      this.onEvict?.(first);
    }
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  /** Deletes entries from the least recently written while `expired` says so; returns the
   * deleted keys. */
  sweep(expired: (value: V, key: string) => boolean): string[] {
    const out: string[] = [];
    for (const [k, v] of this.map) {
      if (!expired(v, k)) break;
      this.map.delete(k);
      out.push(k);
    }
    return out;
  }

  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * The in-memory state store of the embedded wiring (`npm start`, `sequent hunt`, tests): the
 * same contract as the Redis store, values deep-copied on the way in and out so that no
 * caller can share mutable state with it (as with a real store).
 */
import type { AlertDocument } from '../alerts/alert-document';
import type { BufferedEvent } from '../ordering/reorder-buffer';
import {
  emptySnapshot,
  type PartitionClock,
  type PartitionSnapshot,
  type SequenceState,
  type StateChanges,
  type StateStore,
  type TermRecord,
  type ThresholdGroupState,
} from './state-store';

interface StoredPartition {
  offset: string | null;
  clock: PartitionClock;
  buffered: Map<number, BufferedEvent>;
  sequences: Map<string, SequenceState>;
  thresholds: Map<string, ThresholdGroupState>;
  pendingAlerts: AlertDocument[];
}

export interface MemoryStateStoreOptions {
  /** Most new_terms keys kept (oldest written evicted first). */
  maxTerms?: number;
  /** Copy values in and out (true by default; hunt turns it off for speed since it owns the store). */
  copyValues?: boolean;
}

/**
 * A deep copy of a stored value. State is plain data (objects, arrays, strings, numbers,
 * booleans, null), which a direct recursive copy handles several times faster than
 * structuredClone; anything else (a Map, a Date, a cycle, a very deep value) goes to
 * structuredClone whole.
 */
export function copyValue<T>(v: T): T {
  const out = copyPlain(v, 0);
  return (out === NOT_PLAIN ? structuredClone(v) : out) as T;
}

const NOT_PLAIN = Symbol('not plain');
const MAX_PLAIN_DEPTH = 32;

function copyPlain(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object')
    return typeof v === 'function' || typeof v === 'symbol' ? NOT_PLAIN : v;
  if (depth > MAX_PLAIN_DEPTH) return NOT_PLAIN;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = copyPlain(v[i], depth + 1);
      if (x === NOT_PLAIN) return NOT_PLAIN;
      out[i] = x;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = copyPlain((v as Record<string, unknown>)[k], depth + 1);
    if (x === NOT_PLAIN) return NOT_PLAIN;
    // defineProperty: a key named __proto__ stays an own key, as structuredClone keeps it.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

export class MemoryStateStore implements StateStore {
  private readonly partitions = new Map<string, StoredPartition>();
  private readonly terms = new Map<string, TermRecord>();
  private readonly maxTerms: number;
  private readonly copy: <T>(v: T) => T;
  termEvictions = 0;
  commits = 0;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.maxTerms = options.maxTerms ?? 1_000_000;
    this.copy = options.copyValues === false ? (v) => v : copyValue;
  }

  async loadPartition(partition: string): Promise<PartitionSnapshot> {
    const p = this.partitions.get(partition);
    if (!p) return emptySnapshot();
    return this.copy({
      offset: p.offset,
      clock: p.clock,
      buffered: [...p.buffered.values()].sort((a, b) => a.seq - b.seq),
      sequences: [...p.sequences],
      thresholds: [...p.thresholds],
      pendingAlerts: p.pendingAlerts,
    });
  }

  async getTerms(keys: readonly string[]): Promise<Map<string, TermRecord>> {
    const out = new Map<string, TermRecord>();
    for (const k of keys) {
      const r = this.terms.get(k);
      if (r) out.set(k, { ...r });
    }
    return out;
  }

  async commit(partition: string, changes: StateChanges): Promise<void> {
    let p = this.partitions.get(partition);
    if (!p) {
      p = {
        offset: null,
        clock: changes.clock,
        buffered: new Map(),
        sequences: new Map(),
        thresholds: new Map(),
        pendingAlerts: [],
      };
      this.partitions.set(partition, p);
    }
    for (const seq of changes.bufferRemoved) p.buffered.delete(seq);
    // Events are never mutated by the engine: buffered ones are kept by reference.
    for (const e of changes.bufferAdded) p.buffered.set(e.seq, e);
    for (const [k, v] of changes.sequences) {
      if (v === null) p.sequences.delete(k);
      else p.sequences.set(k, this.copy(v));
    }
    for (const [k, v] of changes.thresholds) {
      if (v === null) p.thresholds.delete(k);
      else p.thresholds.set(k, this.copy(v));
    }
    for (const [k, v] of changes.terms) {
      this.terms.delete(k);
      this.terms.set(k, { ...v });
      if (this.terms.size > this.maxTerms) {
        this.terms.delete(this.terms.keys().next().value as string);
        this.termEvictions++;
      }
    }
    if (changes.alerts.length > 0) p.pendingAlerts.push(...this.copy(changes.alerts));
    p.offset = changes.offset ?? p.offset;
    p.clock = { ...changes.clock };
    this.commits++;
  }

  async ackAlerts(partition: string): Promise<void> {
    const p = this.partitions.get(partition);
    if (p) p.pendingAlerts = [];
  }

  async dropPartition(partition: string): Promise<void> {
    this.partitions.delete(partition);
  }

  /** Counts for tests and metrics. */
  sizes(partition: string): { sequences: number; thresholds: number; buffered: number; terms: number } {
    const p = this.partitions.get(partition);
    return {
      sequences: p?.sequences.size ?? 0,
      thresholds: p?.thresholds.size ?? 0,
      buffered: p?.buffered.size ?? 0,
      terms: this.terms.size,
    };
  }
}

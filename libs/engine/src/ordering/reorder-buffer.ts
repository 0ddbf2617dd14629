/**
 * The reorder buffer of one partition (DESIGN.md "Event time"): events wait until the
 * watermark (max event time seen minus the allowed lateness) passes them, then leave in
 * event-time order (tiebreaker, then arrival). An event older than what was already released
 * is late: it is released at once (still evaluated) and counted. The buffer is bounded: when
 * full, the oldest event leaves early and that forced release is counted.
 *
 * Its content is plain data (`snapshot` / `restore`), so a partition's buffer survives a
 * restart through the state store.
 */
import { compileFieldGetter } from '@sequent/ecs';
import { eventTimeReader } from '../event/event-time';

export interface BufferedEvent {
  /** Arrival number within the partition: unique, also the last tiebreaker. */
  seq: number;
  /** Event time in epoch ms (the watermark's time when the event had none). */
  time: number;
  tie: string | number | null;
  event: unknown;
}

export interface ReleasedEvent extends BufferedEvent {
  /** Released after a later event had already been released. */
  late: boolean;
}

export interface ReorderOptions {
  /** How far behind the newest event time an event may arrive and still be ordered (ms). */
  allowedLatenessMs: number;
  /** Most events held; beyond it the oldest is released early. */
  maxBuffered: number;
  timestampField?: string;
  tiebreakerField?: string;
}

export interface ReorderStats {
  late: number;
  forced: number;
  /** Events without a readable timestamp (ordered at the current watermark). */
  untimed: number;
}

export interface ReorderSnapshot {
  maxEventTime: number | null;
  lastReleasedTime: number | null;
  nextSeq: number;
  events: BufferedEvent[];
}

function compareTie(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function compareBuffered(a: BufferedEvent, b: BufferedEvent): number {
  return a.time - b.time || compareTie(a.tie, b.tie) || a.seq - b.seq;
}

/** Swaps two entries (without the array a destructuring swap may allocate per call). */
function swap(a: BufferedEvent[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** A binary min-heap in event order. */
class EventHeap {
  readonly items: BufferedEvent[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): BufferedEvent | undefined {
    return this.items[0];
  }
  push(e: BufferedEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compareBuffered(a[p], a[i]) <= 0) break;
      swap(a, p, i);
      i = p;
    }
  }
  pop(): BufferedEvent | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && compareBuffered(a[l], a[m]) < 0) m = l;
        if (r < a.length && compareBuffered(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        swap(a, m, i);
        i = m;
      }
    }
    return top;
  }
}

export class ReorderBuffer {
  readonly stats: ReorderStats = { late: 0, forced: 0, untimed: 0 };
  private readonly heap = new EventHeap();
  private readonly readTime: (event: unknown) => number | null;
  private readonly readTie: ((event: unknown) => unknown) | undefined;
  private maxEventTime: number | null = null;
  private lastReleasedTime: number | null = null;
  private nextSeq = 0;
  /** Released but not yet taken by `drain`. */
  private out: ReleasedEvent[] = [];

  constructor(private readonly options: ReorderOptions) {
    this.readTime = eventTimeReader(options.timestampField);
    this.readTie = options.tiebreakerField ? compileFieldGetter(options.tiebreakerField) : undefined;
  }

  get size(): number {
    return this.heap.size;
  }

  /** Max event time seen minus the allowed lateness; null before the first timed event. */
  get watermark(): number | null {
    return this.maxEventTime === null ? null : this.maxEventTime - this.options.allowedLatenessMs;
  }

  get newestEventTime(): number | null {
    return this.maxEventTime;
  }

  /** Adds an event; returns its buffered form (what a durable store must keep until release). */
  push(event: unknown): BufferedEvent {
    let time = this.readTime(event);
    if (time === null) {
      this.stats.untimed++;
      time = this.maxEventTime ?? this.lastReleasedTime ?? 0;
    } else if (this.maxEventTime === null || time > this.maxEventTime) this.maxEventTime = time;
    const tieValue = this.readTie ? this.readTie(event) : null;
    const tie = typeof tieValue === 'number' || typeof tieValue === 'string' ? tieValue : null;
    const entry: BufferedEvent = { seq: this.nextSeq++, time, tie, event };
    if (this.lastReleasedTime !== null && time < this.lastReleasedTime) {
      // Too late to be ordered: evaluate now rather than drop.
      this.stats.late++;
      this.out.push({ ...entry, late: true });
      return entry;
    }
    this.heap.push(entry);
    this.releaseReady();
    return entry;
  }

  /** Events released so far (in release order), emptying the output. */
  drain(): ReleasedEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Releases everything (end of input, partition revoked). */
  flush(): ReleasedEvent[] {
    while (this.heap.size > 0) this.releaseOne();
    return this.drain();
  }

  private releaseOne(): void {
    const e = this.heap.pop()!;
    if (this.lastReleasedTime === null || e.time > this.lastReleasedTime) this.lastReleasedTime = e.time;
    // The entry leaves the buffer for good: mark it rather than copy it (one object per event).
    const released = e as ReleasedEvent;
    released.late = false;
    this.out.push(released);
  }

  private releaseReady(): void {
    const wm = this.watermark;
    while (this.heap.size > 0 && wm !== null && this.heap.peek()!.time <= wm) this.releaseOne();
    while (this.heap.size > this.options.maxBuffered) {
      this.stats.forced++;
      this.releaseOne();
    }
  }

  /** The clock part of the snapshot (cheap: no copy of the buffered events). */
  clock(): Omit<ReorderSnapshot, 'events'> {
    return {
      maxEventTime: this.maxEventTime,
      lastReleasedTime: this.lastReleasedTime,
      nextSeq: this.nextSeq,
    };
  }

  snapshot(): ReorderSnapshot {
    return {
      maxEventTime: this.maxEventTime,
      lastReleasedTime: this.lastReleasedTime,
      nextSeq: this.nextSeq,
      events: [...this.heap.items].sort(compareBuffered),
    };
  }

  restore(s: ReorderSnapshot): void {
    this.maxEventTime = s.maxEventTime;
    this.lastReleasedTime = s.lastReleasedTime;
    this.nextSeq = s.nextSeq;
    for (const e of s.events) this.heap.push(e);
  }
}

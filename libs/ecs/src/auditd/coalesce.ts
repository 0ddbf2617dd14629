/**
 * Groups the records of one audit event. The kernel writes the records of an event
 * (SYSCALL, EXECVE, CWD, PATH..., PROCTITLE) one after another with the same
 * `msg=audit(time:serial)` and closes them with an EOE record; user-space records
 * (USER_*, CRED_*...) stand alone. A group is complete when its EOE arrives, when a record
 * with a newer serial arrives from the same node, when it is older than `timeoutMs` in event
 * time, or when the buffer is full (oldest first). Everything is bounded: the number of open
 * groups and the records kept per group.
 */
import type { AuditLine } from './line';

export interface AuditRecordRef {
  line: AuditLine;
  /** 1-based input line number. */
  lineNo: number;
  raw: string;
}

export interface AuditGroup {
  node?: string;
  serial: number;
  timeMs: number;
  records: AuditRecordRef[];
  /** Records dropped because the group hit `maxRecordsPerEvent`. */
  dropped: number;
  /** Why the group was closed. */
  closedBy: 'eoe' | 'serial' | 'timeout' | 'capacity' | 'flush';
}

export interface CoalescerOptions {
  /** Event-time age after which an open group is closed (default 5000 ms). */
  timeoutMs?: number;
  /** Open groups kept at once (default 4096); beyond it the oldest is closed. */
  maxOpenEvents?: number;
  /** Records kept per event (default 512); more are counted in `dropped`. */
  maxRecordsPerEvent?: number;
}

export class AuditCoalescer {
  private readonly open = new Map<string, AuditGroup>();
  private readonly latestSerial = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly maxOpen: number;
  private readonly maxRecords: number;
  private watermarkMs = -Infinity;
  /** Lower bound of the open groups' times (so expire() rarely scans). */
  private oldestHint = Infinity;
  /** Newest record time and a lower bound of the open groups' times, per node: a record
   * times out only against newer records of its own host, so a stream that interleaves hosts
   * whose clocks or backlogs differ by more than the timeout (several partitions of a raw
   * topic, a catch-up after an outage) never splits an event. Bounded like latestSerial. */
  private readonly nodeClock = new Map<string, { newest: number; oldestOpen: number }>();

  constructor(options: CoalescerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxOpen = options.maxOpenEvents ?? 4096;
    this.maxRecords = options.maxRecordsPerEvent ?? 512;
  }

  get openCount(): number {
    return this.open.size;
  }

  /** First input line of the oldest open event (Infinity when none is open). */
  oldestOpenLine(): number {
    for (const g of this.open.values()) return g.records[0]?.lineNo ?? Infinity;
    return Infinity;
  }

  /** Adds one record; returns the groups it completed, oldest first. */
  push(ref: AuditRecordRef): AuditGroup[] {
    const { line } = ref;
    const done: AuditGroup[] = [];
    const serial = line.serial ?? -1;
    const timeMs = line.timeMs ?? this.watermarkMs;
    const node = line.node ?? '';
    const key = `${node}\u0000${serial}`;
    if (timeMs > this.watermarkMs) this.watermarkMs = timeMs;

    let clock = this.nodeClock.get(node);
    if (!clock) {
      clock = { newest: timeMs, oldestOpen: Infinity };
      this.nodeClock.set(node, clock);
      if (this.nodeClock.size > this.maxOpen)
        this.nodeClock.delete(this.nodeClock.keys().next().value as string);
    } else if (timeMs > clock.newest) clock.newest = timeMs;

    // A newer serial from the same node closes that node's older open groups.
    const latest = this.latestSerial.get(node);
    if (latest !== undefined && serial > latest) {
      for (const [k, g] of this.open) {
        if ((g.node ?? '') === node && g.serial < serial) {
          this.open.delete(k);
          g.closedBy = 'serial';
          done.push(g);
        }
      }
    }
    if (latest === undefined || serial > latest) {
      this.latestSerial.delete(node);
      this.latestSerial.set(node, serial);
      if (this.latestSerial.size > this.maxOpen) {
        const first = this.latestSerial.keys().next().value as string;
        this.latestSerial.delete(first);
      }
    }

    let group = this.open.get(key);
    if (line.type === 'EOE') {
      if (group) {
        this.open.delete(key);
        group.closedBy = 'eoe';
        done.push(group);
      }
      done.push(...this.expireNode(node, clock));
      return done;
    }
    if (!group) {
      group = { serial, timeMs, records: [], dropped: 0, closedBy: 'flush' };
      if (line.node !== undefined) group.node = line.node;
      this.open.set(key, group);
      if (timeMs < this.oldestHint) this.oldestHint = timeMs;
      if (timeMs < clock.oldestOpen) clock.oldestOpen = timeMs;
      if (this.open.size > this.maxOpen) {
        const [oldKey, oldest] = this.open.entries().next().value as [string, AuditGroup];
        this.open.delete(oldKey);
        oldest.closedBy = 'capacity';
        done.push(oldest);
      }
    }
    if (group.records.length < this.maxRecords) group.records.push(ref);
    else group.dropped++;
    done.push(...this.expireNode(node, clock));
    return done;
  }

  /** Closes `node`'s groups older than `timeoutMs` before the node's newest record. */
  private expireNode(node: string, clock: { newest: number; oldestOpen: number }): AuditGroup[] {
    const done: AuditGroup[] = [];
    if (clock.newest - clock.oldestOpen <= this.timeoutMs) return done;
    let oldest = Infinity;
    for (const [k, g] of this.open) {
      if ((g.node ?? '') !== node) continue;
      if (clock.newest - g.timeMs > this.timeoutMs) {
        this.open.delete(k);
        g.closedBy = 'timeout';
        done.push(g);
      } else if (g.timeMs < oldest) oldest = g.timeMs;
    }
    clock.oldestOpen = oldest;
    return done;
  }

  /** Closes groups older than `timeoutMs` before `nowMs` (event time, or wall time when idle). */
  expire(nowMs: number): AuditGroup[] {
    const done: AuditGroup[] = [];
    if (nowMs - this.oldestHint <= this.timeoutMs) return done;
    // Groups are kept in arrival order, which is close to time order: scan them all only
    // when the oldest one may have expired, and remember the oldest survivor.
    let oldest = Infinity;
    for (const [k, g] of this.open) {
      if (nowMs - g.timeMs > this.timeoutMs) {
        this.open.delete(k);
        g.closedBy = 'timeout';
        done.push(g);
      } else if (g.timeMs < oldest) oldest = g.timeMs;
    }
    this.oldestHint = oldest;
    return done;
  }

  /** Closes every open group (end of input). */
  flush(): AuditGroup[] {
    const done = [...this.open.values()];
    for (const g of done) g.closedBy = 'flush';
    this.open.clear();
    return done;
  }
}

/**
 * Per-host process table for sources that have no process entity ids (auditd, Sysmon).
 * Entity ids follow Elastic Defend's definition: base64 of `<host id>-<pid>-<start>`, so the
 * same process gets the same id on every event and every run, and a reused pid gets a new
 * one. The table remembers what Defend puts on `process.parent.*` (name, executable, args,
 * command line) so child events can carry it. It is bounded: at most `maxHosts` hosts and
 * `maxProcessesPerHost` processes per host, least recently seen evicted first (and counted).
 */

export interface ProcessInfo {
  entityId: string;
  pid: number;
  ppid?: number;
  name?: string;
  executable?: string;
  args?: string[];
  commandLine?: string;
  workingDirectory?: string;
  /** The start key used in the entity id (start time, or the source's own process GUID). */
  start: string;
  /** Effective uid when last seen (for `process.parent.user.id`). */
  userId?: string;
  /** Effective gid, real uid/gid when last seen. */
  groupId?: string;
  realUserId?: string;
  realGroupId?: string;
  interactive?: boolean;
  /** ISO start time when known (auditd: the exec or fork time; Sysmon: UtcTime of id 1). */
  startTime?: string;
  /** Sysmon: the parent's start key (its process GUID), to name a parent not seen yet. */
  parentStart?: string;
}

export interface ProcessTableOptions {
  maxHosts?: number;
  maxProcessesPerHost?: number;
  /** Processes across all hosts (default 500000); the least recently active host gives way. */
  maxProcesses?: number;
}

export function entityId(hostId: string, pid: number, start: string): string {
  return Buffer.from(`${hostId}-${pid}-${start}`, 'utf8').toString('base64');
}

export class ProcessTable {
  private readonly hosts = new Map<string, Map<number, ProcessInfo>>();
  private readonly maxHosts: number;
  private readonly maxPerHost: number;
  private readonly maxTotal: number;
  private total = 0;
  /** Entries evicted because a bound was reached. */
  evictions = 0;

  constructor(options: ProcessTableOptions = {}) {
    this.maxHosts = options.maxHosts ?? 10_000;
    this.maxPerHost = options.maxProcessesPerHost ?? 8192;
    this.maxTotal = options.maxProcesses ?? 500_000;
  }

  private host(hostId: string): Map<number, ProcessInfo> {
    let h = this.hosts.get(hostId);
    if (h) {
      // keep recently active hosts at the end
      this.hosts.delete(hostId);
      this.hosts.set(hostId, h);
      return h;
    }
    h = new Map();
    this.hosts.set(hostId, h);
    if (this.hosts.size > this.maxHosts) {
      const oldest = this.hosts.keys().next().value as string;
      const gone = this.hosts.get(oldest)?.size ?? 0;
      this.evictions += gone;
      this.total -= gone;
      this.hosts.delete(oldest);
    }
    return h;
  }

  get(hostId: string, pid: number): ProcessInfo | undefined {
    const h = this.hosts.get(hostId);
    const p = h?.get(pid);
    if (h && p) {
      h.delete(pid);
      h.set(pid, p);
    }
    return p;
  }

  set(hostId: string, info: ProcessInfo): ProcessInfo {
    const h = this.host(hostId);
    if (!h.delete(info.pid)) this.total++;
    h.set(info.pid, info);
    if (h.size > this.maxPerHost) {
      const oldest = h.keys().next().value as number;
      h.delete(oldest);
      this.total--;
      this.evictions++;
    }
    while (this.total > this.maxTotal) {
      // the least recently active host loses its least recently seen process
      const [lruId, lru] = this.hosts.entries().next().value as [string, Map<number, ProcessInfo>];
      const pid = lru.keys().next().value as number | undefined;
      if (pid === undefined) {
        this.hosts.delete(lruId);
        continue;
      }
      lru.delete(pid);
      if (lru.size === 0) this.hosts.delete(lruId);
      this.total--;
      this.evictions++;
    }
    return info;
  }

  delete(hostId: string, pid: number): void {
    if (this.hosts.get(hostId)?.delete(pid)) this.total--;
  }

  /** The process `pid`, created with `start` as its start key when unknown. */
  getOrCreate(hostId: string, pid: number, start: string, fill: Partial<ProcessInfo> = {}): ProcessInfo {
    const known = this.get(hostId, pid);
    if (known) return known;
    return this.set(hostId, { ...fill, pid, start, entityId: entityId(hostId, pid, start) });
  }

  get size(): number {
    return this.total;
  }
}

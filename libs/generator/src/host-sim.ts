import { createHash } from 'node:crypto';
import type { EcsEvent } from './types';

/** Static facts about one simulated machine. */
export interface HostInfo {
  index: number;
  id: string;
  name: string;
  ip: string;
  agentId: string;
  osVersion: string;
  kernel: string;
}

export interface User {
  id: string;
  name: string;
}

export const ROOT: User = { id: '0', name: 'root' };

/** One entry of the per-host process table. */
export interface Proc {
  entityId: string;
  pid: number;
  name: string;
  executable: string;
  args: string[];
  commandLine: string;
  cwd: string;
  user: User;
  startMs: number;
  parent?: Proc;
  tty?: string;
}

export interface ExecSpec {
  executable: string;
  args: string[];
  cwd?: string;
  user?: User;
  envVars?: string[];
}

const ECS_VERSION = '8.11.0';

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/**
 * Keeps one host's process table and turns activity into Elastic Defend events. Every event
 * gets a per-host sequence number and an id derived from the fleet seed, the host and that
 * number, so ids are unique and stable across runs.
 */
export class HostSim {
  readonly events: EcsEvent[] = [];
  private nextPid = 900;
  private seq = 0;

  constructor(
    readonly host: HostInfo,
    private readonly idPrefix: string,
  ) {}

  /** A process that was already running when the window opened (systemd, sshd, cron...). */
  daemon(atMs: number, spec: ExecSpec, pid: number, parent?: Proc): Proc {
    return this.exec(atMs, parent, spec, pid);
  }

  exec(atMs: number, parent: Proc | undefined, spec: ExecSpec, fixedPid?: number): Proc {
    const pid = fixedPid ?? this.allocatePid();
    // Children never start before their parent: keeps the tree causal after sorting by time.
    const startMs = parent ? Math.max(atMs, parent.startMs + 1) : atMs;
    const proc: Proc = {
      entityId: this.entityId(pid, startMs),
      pid,
      name: basename(spec.executable),
      executable: spec.executable,
      args: spec.args,
      commandLine: spec.args.join(' '),
      cwd: spec.cwd ?? parent?.cwd ?? '/',
      user: spec.user ?? parent?.user ?? ROOT,
      startMs,
      parent,
      tty: parent?.tty,
    };
    const process = this.processFields(proc, true);
    if (spec.envVars) process.env_vars = spec.envVars;
    this.push(startMs, 'process', ['start'], 'exec', { process, user: { ...proc.user } });
    return proc;
  }

  end(atMs: number, proc: Proc, exitCode = 0): void {
    const process = this.processFields(proc, true);
    process.exit_code = exitCode;
    process.end = new Date(Math.max(atMs, proc.startMs)).toISOString();
    this.push(Math.max(atMs, proc.startMs), 'process', ['end'], 'end', { process, user: { ...proc.user } });
  }

  connect(
    atMs: number,
    proc: Proc,
    destIp: string,
    destPort: number,
    transport: 'tcp' | 'udp' = 'tcp',
  ): EcsEvent {
    const v6 = destIp.includes(':');
    const sourcePort = 32768 + ((proc.pid * 7919 + destPort + this.seq) % 28000);
    return this.push(Math.max(atMs, proc.startMs), 'network', ['start'], 'connection_attempted', {
      process: this.processFields(proc, false),
      user: { ...proc.user },
      source: { ip: v6 ? '::' : this.host.ip, port: sourcePort },
      destination: { ip: destIp, port: destPort },
      network: { transport, type: v6 ? 'ipv6' : 'ipv4', direction: 'egress' },
    });
  }

  writeFile(
    atMs: number,
    proc: Proc,
    path: string,
    action: 'creation' | 'rename' | 'deletion' = 'creation',
  ): EcsEvent {
    const name = basename(path);
    const dot = name.lastIndexOf('.');
    const file: Record<string, unknown> = {
      path,
      name,
      directory: path.slice(0, Math.max(1, path.lastIndexOf('/'))),
    };
    if (dot > 0) file.extension = name.slice(dot + 1);
    const type = action === 'deletion' ? ['deletion'] : action === 'rename' ? ['change'] : ['creation'];
    return this.push(Math.max(atMs, proc.startMs), 'file', type, action, {
      process: this.processFields(proc, false),
      user: { ...proc.user },
      file,
    });
  }

  /** The id of the most recent event (used by attack labels). */
  lastEventId(): string {
    const last = this.events[this.events.length - 1];
    return (last.event as { id: string }).id;
  }

  private allocatePid(): number {
    this.nextPid += 1 + (this.seq % 5);
    if (this.nextPid > 4_000_000) this.nextPid = 1000;
    return this.nextPid;
  }

  private entityId(pid: number, startMs: number): string {
    // Defend's entity ids are opaque base64 strings unique per process instance.
    const digest = createHash('sha256').update(`${this.host.agentId}:${pid}:${startMs}`).digest();
    return digest.subarray(0, 30).toString('base64');
  }

  private processFields(proc: Proc, withParentDetail: boolean): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      entity_id: proc.entityId,
      pid: proc.pid,
      name: proc.name,
      executable: proc.executable,
      args: proc.args,
      args_count: proc.args.length,
      command_line: proc.commandLine,
      working_directory: proc.cwd,
      start: new Date(proc.startMs).toISOString(),
    };
    if (proc.tty) fields.tty = { char_device: { name: proc.tty } };
    if (proc.parent) {
      const p = proc.parent;
      fields.parent = withParentDetail
        ? {
            entity_id: p.entityId,
            pid: p.pid,
            name: p.name,
            executable: p.executable,
            args: p.args,
            args_count: p.args.length,
            command_line: p.commandLine,
            start: new Date(p.startMs).toISOString(),
          }
        : { entity_id: p.entityId, pid: p.pid, name: p.name, executable: p.executable };
    }
    return fields;
  }

  private push(
    atMs: number,
    category: 'process' | 'network' | 'file',
    type: string[],
    action: string,
    body: Record<string, unknown>,
  ): EcsEvent {
    this.seq += 1;
    const dataset = `endpoint.events.${category}`;
    const event: EcsEvent = {
      '@timestamp': new Date(atMs).toISOString(),
      agent: { id: this.host.agentId, type: 'endpoint', version: '8.11.0' },
      data_stream: { type: 'logs', dataset, namespace: 'default' },
      ecs: { version: ECS_VERSION },
      event: {
        id: `${this.idPrefix}-${this.host.index.toString(36).padStart(3, '0')}-${this.seq.toString(36).padStart(6, '0')}`,
        kind: 'event',
        category: [category],
        type,
        action,
        dataset,
        module: 'endpoint',
        sequence: this.seq,
        // The ingest pipeline stamps this; a constant per-host shipping delay keeps each host's order.
        ingested: new Date(atMs + 1_000 + ((this.host.index * 137) % 2_000)).toISOString(),
      },
      host: {
        id: this.host.id,
        name: this.host.name,
        hostname: this.host.name,
        architecture: 'x86_64',
        ip: [this.host.ip],
        os: {
          type: 'linux',
          family: 'debian',
          name: 'Ubuntu',
          platform: 'ubuntu',
          version: this.host.osVersion,
          kernel: this.host.kernel,
        },
      },
      ...body,
    };
    this.events.push(event);
    return event;
  }
}

export function eventId(event: EcsEvent): string {
  return (event.event as { id: string }).id;
}

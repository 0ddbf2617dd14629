/**
 * `--shape endpoint`: what Elastic Defend would have recorded for the same activity, so that
 * rules written for Defend's events (index `logs-endpoint.events.*`, `event.action` exec /
 * fork / end / connection_attempted / creation / rename / deletion, process and parent
 * entity ids, parent name/executable/args) apply to auditd and Sysmon fleets.
 * Activity Defend does not record this way (logins, reads, configuration changes) stays in
 * the integration shape.
 */
import type { Doc } from './field';
import type { LibauditEvent } from './auditd/event';
import type { SysmonView } from './sysmon/ecs';
import { entityId, type ProcessInfo, type ProcessTable } from './process-table';

export interface HostIdentity {
  id: string;
  name: string;
}

export const ECS_VERSION = '8.11.0';

/** Deterministic event ids (replays give the same ids, so alerts dedupe): host, serial, time. */
export function eventId(hostId: string, serial: number | string, time: string): string {
  return Buffer.from(`${hostId}|${serial}|${time}`, 'utf8').toString('base64url');
}

type Dataset = 'process' | 'network' | 'file';

function basename(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const i = path.lastIndexOf('/');
  const b = i === -1 ? path : path.slice(i + 1);
  return b || undefined;
}

/** Shared endpoint-shaped skeleton: event.*, host.*, data_stream.* and `_index`. */
export function endpointBase(
  dataset: Dataset,
  action: string,
  category: string,
  type: string[],
  timestamp: string,
  host: HostIdentity,
  namespace: string,
): Doc {
  const ds = `endpoint.events.${dataset}`;
  return {
    '@timestamp': timestamp,
    _index: `logs-${ds}-${namespace}`,
    event: { action, category: [category], type, kind: 'event', module: 'endpoint', dataset: ds },
    host: {
      id: host.id,
      name: host.name,
      hostname: host.name,
      os: { type: 'linux', family: 'linux', platform: 'linux', name: 'Linux' },
    },
    data_stream: { type: 'logs', dataset: ds, namespace },
    ecs: { version: ECS_VERSION },
  };
}

function processFields(p: ProcessInfo, parent: ProcessInfo | undefined): Doc {
  // (identity fields are added by the source-specific callers)
  const out: Doc = { pid: p.pid, entity_id: p.entityId };
  if (p.name) out.name = p.name;
  if (p.executable) out.executable = p.executable;
  if (p.args) {
    out.args = [...p.args];
    out.args_count = p.args.length;
  }
  if (p.commandLine !== undefined) out.command_line = p.commandLine;
  if (p.workingDirectory) out.working_directory = p.workingDirectory;
  if (p.startTime) out.start = p.startTime;
  if (parent) {
    const pp: Doc = { pid: parent.pid, entity_id: parent.entityId };
    if (parent.name) pp.name = parent.name;
    if (parent.executable) pp.executable = parent.executable;
    if (parent.args) {
      pp.args = [...parent.args];
      pp.args_count = parent.args.length;
    }
    if (parent.commandLine !== undefined) pp.command_line = parent.commandLine;
    if (parent.workingDirectory) pp.working_directory = parent.workingDirectory;
    if (parent.startTime) pp.start = parent.startTime;
    if (parent.userId !== undefined) pp.user = { id: parent.userId };
    if (parent.groupId !== undefined) pp.group = { id: parent.groupId };
    if (parent.realUserId !== undefined) pp.real_user = { id: parent.realUserId };
    if (parent.realGroupId !== undefined) pp.real_group = { id: parent.realGroupId };
    if (parent.interactive !== undefined) pp.interactive = parent.interactive;
    out.parent = pp;
  } else if (p.ppid !== undefined) out.parent = { pid: p.ppid };
  return out;
}

function toInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

/** ppid 0 is the kernel's "no parent" (init, kernel threads): Defend records no parent then. */
function parentPid(v: string | undefined): number | undefined {
  const n = toInt(v);
  return n === undefined || n <= 0 ? undefined : n;
}

/** Process name as Defend reports it: the kernel's comm, or the executable's basename when comm was cut at 15 bytes. */
function processName(comm: string | undefined, exe: string | undefined): string | undefined {
  const base = basename(exe);
  if (!comm) return base;
  if (comm.length >= 15 && base && base.startsWith(comm)) return base;
  return comm;
}

/**
 * Defend's identity fields from the audit ids: `user.id` / `process.user.id` are the effective
 * uid, `user.Ext.real.id` / `process.real_user.id` the real one (likewise for groups), names
 * when known (ENRICHED logs or a passwd map; uid/gid 0 is root everywhere).
 */
function identityFields(doc: Doc, integration: Doc, ev: LibauditEvent, p: ProcessInfo): void {
  const ids = ev.user.ids ?? {};
  const iu = (integration.user ?? {}) as Doc;
  const nameOf = (id: string | undefined, known: unknown): string | undefined =>
    typeof known === 'string' ? known : id === '0' ? 'root' : undefined;
  const uid = ids.uid !== 'unset' ? ids.uid : undefined;
  const euid = ids.euid ?? uid;
  const gid = ids.gid;
  const egid = ids.egid ?? gid;
  const euidName = nameOf(
    euid,
    (iu.effective as Doc | undefined)?.name ?? (euid === uid ? iu.name : undefined),
  );
  const uidName = nameOf(uid, iu.name);
  const egidName = nameOf(egid, ((iu.effective as Doc | undefined)?.group as Doc | undefined)?.name);
  const gidName = nameOf(gid, (iu.group as Doc | undefined)?.name);
  const ent = (id: string | undefined, name: string | undefined): Doc | undefined =>
    id === undefined && name === undefined
      ? undefined
      : { ...(id !== undefined ? { id } : {}), ...(name ? { name } : {}) };
  const user = ent(euid, euidName);
  if (user) {
    if (uid !== undefined) user.Ext = { real: ent(uid, uidName) };
    doc.user = user;
  }
  const group = ent(egid, egidName);
  if (group) {
    if (gid !== undefined) group.Ext = { real: ent(gid, gidName) };
    doc.group = group;
  }
  const proc = (doc.process ??= {}) as Doc;
  const pu = ent(euid, euidName);
  if (pu) proc.user = pu;
  const ru = ent(uid, uidName);
  if (ru) proc.real_user = ru;
  const pg = ent(egid, egidName);
  if (pg) proc.group = pg;
  const rg = ent(gid, gidName);
  if (rg) proc.real_group = rg;
  const tty = (ev.data ?? {}).tty;
  if (tty !== undefined) proc.interactive = tty !== '(none)' && tty !== '';
  if (euid !== undefined) p.userId = euid;
  if (egid !== undefined) p.groupId = egid;
  if (uid !== undefined) p.realUserId = uid;
  if (gid !== undefined) p.realGroupId = gid;
  if (typeof proc.interactive === 'boolean') p.interactive = proc.interactive;
  const dev = ttyDevice(tty);
  if (dev) proc.tty = { char_device: dev };
}

/** pts/N → major 136, ttyN → major 4 (the Linux device numbers Defend reports). */
function ttyDevice(tty: string | undefined): Doc | undefined {
  if (!tty) return undefined;
  const pts = /^pts\/?(\d{1,6})$/.exec(tty);
  if (pts) return { major: 136, minor: Number(pts[1]) };
  const vt = /^tty(\d{1,3})$/.exec(tty);
  if (vt) return { major: 4, minor: Number(vt[1]) };
  return undefined;
}

function joinPath(cwd: string | undefined, p: string): string {
  if (p.startsWith('/') || !cwd) return p;
  return `${cwd.replace(/\/+$/, '')}/${p.replace(/^\.\//, '')}`;
}

function fileFields(path: string): Doc {
  const f: Doc = { path };
  const name = basename(path);
  if (name) {
    f.name = name;
    const slash = path.lastIndexOf('/');
    f.directory = slash <= 0 ? '/' : path.slice(0, slash);
    const dot = name.lastIndexOf('.');
    if (dot > 0 && dot < name.length - 1) f.extension = name.slice(dot + 1);
  }
  return f;
}

const CLONE_THREAD = 0x10000;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;

/** Maps a coalesced audit event to Defend's shape, or returns undefined when Defend has no such event. */
export function auditdToEndpoint(
  ev: LibauditEvent,
  integration: Doc,
  host: HostIdentity,
  table: ProcessTable,
  namespace: string,
): Doc | undefined {
  const data = ev.data ?? {};
  const syscall = data.syscall;
  if (ev.record_type !== 'SYSCALL' || syscall === undefined) return undefined;
  const pid = toInt(ev.process.pid);
  if (pid === undefined) return undefined;
  const ppid = parentPid(ev.process.ppid);
  const ts = ev['@timestamp'];
  const ok = ev.result === 'success';
  const name = processName(ev.process.name, ev.process.exe);
  const args = ev.process.args ?? (ev.process.title ? ev.process.title.split(' ') : undefined);
  const current = (): ProcessInfo => {
    const p = table.getOrCreate(host.id, pid, ts, {});
    if (ppid !== undefined && p.ppid === undefined) p.ppid = ppid;
    p.name ??= name;
    p.executable ??= ev.process.exe;
    if (!p.args && args) {
      p.args = args;
      p.commandLine = args.join(' ');
    }
    p.workingDirectory ??= ev.process.cwd;
    return p;
  };
  const parentOf = (p: ProcessInfo) =>
    p.ppid !== undefined ? table.getOrCreate(host.id, p.ppid, ts, {}) : undefined;
  const finish = (doc: Doc, p: ProcessInfo, parent: ProcessInfo | undefined) => {
    identityFields(doc, integration, ev, p); // first: it records the ids the parent fields reuse
    const proc = doc.process as Doc | undefined;
    doc.process = { ...processFields(p, parent), ...(proc ?? {}) };
    const event = doc.event as Doc;
    event.sequence = ev.sequence; // the audit serial, unique per host
    event.created = ts;
    event.id = eventId(host.id, ev.sequence, ts);
    const arch = (ev.data ?? {}).arch;
    if (arch) (doc.host as Doc).architecture = arch;
    return doc;
  };

  let previous: { executable?: string; args?: string[] } | undefined;
  if ((syscall === 'execve' || syscall === 'execveat') && ok) {
    const known = table.get(host.id, pid);
    const p: ProcessInfo =
      known && known.ppid === ppid
        ? known
        : { pid, start: ts, startTime: ts, entityId: entityId(host.id, pid, ts) };
    if (known && known === p && (known.executable !== ev.process.exe || known.args)) {
      previous = { executable: known.executable, args: known.args };
    }
    p.ppid = ppid;
    p.name = name;
    p.executable = ev.process.exe;
    p.args = args;
    p.commandLine = args?.join(' ');
    p.workingDirectory = ev.process.cwd;
    table.set(host.id, p);
    const doc = endpointBase('process', 'exec', 'process', ['start'], ts, host, namespace);
    finish(doc, p, parentOf(p));
    if (previous && (previous.executable || previous.args)) {
      // the image this process ran before the exec (Defend's process.previous)
      (doc.process as Doc).previous = {
        ...(previous.executable ? { executable: previous.executable } : {}),
        ...(previous.args ? { args: [...previous.args], args_count: previous.args.length } : {}),
      };
    }
    return doc;
  }
  if (['clone', 'clone3', 'fork', 'vfork'].includes(syscall) && ok) {
    const child = toInt(data.exit);
    const flags =
      data.a0 !== undefined && /^[0-9a-f]{1,16}$/i.test(data.a0) ? parseInt(data.a0.slice(-8), 16) : 0;
    if (child === undefined || child <= 0 || (syscall === 'clone' && flags & CLONE_THREAD)) return undefined;
    const parent = current();
    const p = table.set(host.id, {
      pid: child,
      ppid: pid,
      start: ts,
      startTime: ts,
      entityId: entityId(host.id, child, ts),
      name: parent.name,
      executable: parent.executable,
      args: parent.args,
      commandLine: parent.commandLine,
      workingDirectory: parent.workingDirectory,
    });
    const doc = endpointBase('process', 'fork', 'process', ['start'], ts, host, namespace);
    return finish(doc, p, parent);
  }
  if (syscall === 'exit_group' || syscall === 'exit') {
    const p = current();
    const doc = endpointBase('process', 'end', 'process', ['end'], ts, host, namespace);
    finish(doc, p, parentOf(p));
    table.delete(host.id, pid);
    return doc;
  }
  const family = data.socket_family;
  if (
    (syscall === 'connect' || syscall === 'accept' || syscall === 'accept4') &&
    (family === 'ipv4' || family === 'ipv6')
  ) {
    const inbound = syscall !== 'connect';
    const doc = endpointBase(
      'network',
      inbound ? 'connection_accepted' : 'connection_attempted',
      'network',
      ['start'],
      ts,
      host,
      namespace,
    );
    const peer: Doc = {};
    if (data.socket_addr) peer.ip = data.socket_addr;
    const port = toInt(data.socket_port);
    if (port !== undefined) peer.port = port;
    doc[inbound ? 'source' : 'destination'] = peer;
    doc.network = { direction: inbound ? 'ingress' : 'egress', type: family };
    const p = current();
    return finish(doc, p, parentOf(p));
  }
  const paths = ev.paths ?? [];
  const byType = (t: string) => paths.find((x) => x.nametype === t)?.name;
  const cwd = ev.process.cwd;
  let action: string | undefined;
  let type: string[] = [];
  let target: string | undefined;
  let original: string | undefined;
  if (!ok) return undefined;
  if (syscall === 'rename' || syscall === 'renameat' || syscall === 'renameat2') {
    target = byType('CREATE');
    original = byType('DELETE');
    if (target && original) {
      action = 'rename';
      type = ['change'];
    }
  } else if (syscall === 'unlink' || syscall === 'unlinkat' || syscall === 'rmdir') {
    target = byType('DELETE');
    if (target) {
      action = 'deletion';
      type = ['deletion'];
    }
  } else if (['open', 'openat', 'openat2', 'creat'].includes(syscall)) {
    const created = byType('CREATE');
    const flagArg = syscall === 'open' ? data.a1 : syscall === 'openat' ? data.a2 : undefined;
    const flags =
      flagArg !== undefined && /^[0-9a-f]{1,16}$/i.test(flagArg) ? parseInt(flagArg.slice(-8), 16) : 0;
    if (created) {
      action = 'creation';
      type = ['creation'];
      target = created;
    } else if (syscall === 'creat' || (flags & O_ACCMODE) !== 0 || flags & (O_CREAT | O_TRUNC)) {
      target = byType('NORMAL') ?? paths[paths.length - 1]?.name;
      if (target) {
        action = 'modification';
        type = ['change'];
      }
    }
  } else if (['truncate', 'ftruncate', 'write'].includes(syscall)) {
    target = paths[0]?.name ?? ev.file?.path;
    if (target) {
      action = 'modification';
      type = ['change'];
    }
  }
  if (!action || !target) return undefined;
  const doc = endpointBase('file', action, 'file', type, ts, host, namespace);
  const file = fileFields(joinPath(cwd, target));
  if (original) file.Ext = { original: { path: joinPath(cwd, original), name: basename(original) } };
  doc.file = file;
  const p = current();
  return finish(doc, p, parentOf(p));
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'ash', 'busybox']);

/**
 * Sysmon for Linux gives the argv joined with spaces, so the boundaries are lost. Split on
 * spaces, except for the commonest case where that is wrong: a shell's `-c SCRIPT`, whose
 * script is one argument (`sh -c "curl x | sh"` must not become `sh -c curl x | sh`).
 */
export function splitArgs(cmd: string | undefined): string[] | undefined {
  if (!cmd) return undefined;
  const tokens = cmd.split(' ').filter((a) => a !== '');
  if (tokens.length === 0) return undefined;
  const shell = basename(tokens[0]);
  if (shell && SHELLS.has(shell)) {
    // options before the script: -c, -e, -x, -l, --, ... (the script follows -c and an optional --)
    let i = 1;
    let sawC = false;
    while (i < tokens.length && tokens[i].startsWith('-')) {
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(tokens[i])) sawC = true;
      i++;
      if (tokens[i - 1] === '--') break;
    }
    if (sawC && i < tokens.length) {
      // the script's own text, as it appeared after the options (inner spacing kept)
      let at = 0;
      for (let k = 0; k < i; k++) at = cmd.indexOf(tokens[k], at) + tokens[k].length;
      return [...tokens.slice(0, i), cmd.slice(at).trim()];
    }
  }
  return tokens;
}

function guidKey(guid: string | undefined): string | undefined {
  if (!guid) return undefined;
  return guid.replace(/^\{|\}$/g, '');
}

/** Maps one Sysmon for Linux event to Defend's shape, or undefined when Defend has no such event. */
export function sysmonToEndpoint(
  view: SysmonView,
  integration: Doc,
  host: HostIdentity,
  table: ProcessTable,
  namespace: string,
): Doc | undefined {
  const d = view.data;
  const ts = view.timestamp;
  const pid = toInt(d.ProcessId);
  if (!ts || pid === undefined) return undefined;
  const start = guidKey(d.ProcessGuid) ?? ts;
  const processOf = (): ProcessInfo => {
    const known = table.get(host.id, pid);
    if (known && known.start === start) return known;
    const exe = d.Image;
    return table.set(host.id, {
      pid,
      start,
      entityId: entityId(host.id, pid, start),
      name: basename(exe),
      executable: exe,
    });
  };
  // Sysmon names the user only; root is uid 0 on every Linux host.
  const userName = d.User ? (d.User.includes('\\') ? d.User.split('\\')[1] : d.User) : undefined;
  const user = userName ? { name: userName, ...(userName === 'root' ? { id: '0' } : {}) } : undefined;
  const finish = (doc: Doc, p: ProcessInfo) => {
    const seq = Number((integration.winlog as Doc | undefined)?.record_id);
    const event = doc.event as Doc;
    if (Number.isSafeInteger(seq)) event.sequence = seq;
    event.created = ts;
    event.id = eventId(host.id, Number.isSafeInteger(seq) ? seq : `${view.eventId}:${pid}`, ts);
    const parent = p.ppid !== undefined ? table.get(host.id, p.ppid) : undefined;
    doc.process = processFields(
      p,
      parent && (!p.parentStart || parent.start === p.parentStart) ? parent : undefined,
    );
    if (p.ppid !== undefined && !(doc.process as Doc).parent) (doc.process as Doc).parent = { pid: p.ppid };
    const pp = (doc.process as Doc).parent as Doc | undefined;
    if (pp && p.parentStart && pp.entity_id === undefined)
      pp.entity_id = entityId(host.id, p.ppid as number, p.parentStart);
    if (user) doc.user = user;
    return doc;
  };
  switch (view.eventId) {
    case '1': {
      const ppid = parentPid(d.ParentProcessId);
      const parentStart = guidKey(d.ParentProcessGuid);
      const args = splitArgs(d.CommandLine);
      const p = table.set(host.id, {
        pid,
        start,
        entityId: entityId(host.id, pid, start),
        ...(ppid !== undefined ? { ppid } : {}),
        ...(parentStart ? { parentStart } : {}),
        name: basename(d.Image),
        executable: d.Image,
        args,
        commandLine: d.CommandLine,
        workingDirectory: d.CurrentDirectory,
        startTime: ts,
      } as ProcessInfo);
      if (ppid !== undefined && parentStart && !table.get(host.id, ppid)) {
        const pargs = splitArgs(d.ParentCommandLine);
        table.set(host.id, {
          pid: ppid,
          start: parentStart,
          entityId: entityId(host.id, ppid, parentStart),
          name: basename(d.ParentImage),
          executable: d.ParentImage,
          args: pargs,
          commandLine: d.ParentCommandLine,
        });
      }
      return finish(endpointBase('process', 'exec', 'process', ['start'], ts, host, namespace), p);
    }
    case '5': {
      const p = processOf();
      const doc = finish(endpointBase('process', 'end', 'process', ['end'], ts, host, namespace), p);
      table.delete(host.id, pid);
      return doc;
    }
    case '3': {
      const inbound = d.Initiated === 'false';
      const doc = endpointBase(
        'network',
        inbound ? 'connection_accepted' : 'connection_attempted',
        'network',
        ['start'],
        ts,
        host,
        namespace,
      );
      const src: Doc = {};
      const dst: Doc = {};
      if (d.SourceIp) src.ip = d.SourceIp;
      if (toInt(d.SourcePort) !== undefined) src.port = toInt(d.SourcePort);
      if (d.DestinationIp) dst.ip = d.DestinationIp;
      if (toInt(d.DestinationPort) !== undefined) dst.port = toInt(d.DestinationPort);
      if (Object.keys(src).length) doc.source = src;
      if (Object.keys(dst).length) doc.destination = dst;
      doc.network = {
        direction: inbound ? 'ingress' : 'egress',
        ...(d.Protocol ? { transport: d.Protocol } : {}),
        ...(d.SourceIsIpv6 ? { type: d.SourceIsIpv6 === 'true' ? 'ipv6' : 'ipv4' } : {}),
      };
      return finish(doc, processOf());
    }
    case '11':
    case '23':
    case '26': {
      if (!d.TargetFilename) return undefined;
      const creation = view.eventId === '11';
      const doc = endpointBase(
        'file',
        creation ? 'creation' : 'deletion',
        'file',
        [creation ? 'creation' : 'deletion'],
        ts,
        host,
        namespace,
      );
      doc.file = fileFields(d.TargetFilename);
      return finish(doc, processOf());
    }
    default:
      void integration;
      return undefined;
  }
}

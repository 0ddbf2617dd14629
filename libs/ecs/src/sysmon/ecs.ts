/**
 * Sysmon for Linux → ECS as Elastic's `sysmon_linux` integration maps it (its ingest
 * pipeline): `event.code` = event id, `event.category`/`type` per id, `process.*` from
 * ProcessGuid/ProcessId/Image/CommandLine/CurrentDirectory and the Parent* fields,
 * `file.path` from TargetFilename, `source`/`destination` from the network fields, `dns.*`
 * from DNS queries, `related.*`. Quirks kept for fidelity: `event.action` is "log",
 * `process.name` comes from the syslog app name, `user.name` is only set from `DOMAIN\\user`.
 */
import { isForbiddenSegment, type Doc } from '../field';
import { isIp } from '../net';

const CATEGORIZATION: Record<string, [string[] | undefined, string[]]> = {
  '1': [['process'], ['start']],
  '2': [['file'], ['change']],
  '3': [['network'], ['start', 'connection', 'protocol']],
  '4': [['process'], ['change']],
  '5': [['process'], ['end']],
  '6': [['driver'], ['start']],
  '7': [['process'], ['change']],
  '10': [['process'], ['access']],
  '11': [['file'], ['creation']],
  '12': [['configuration', 'registry'], ['change']],
  '13': [['configuration', 'registry'], ['change']],
  '14': [['configuration', 'registry'], ['change']],
  '15': [['file'], ['access']],
  '16': [['configuration'], ['change']],
  '17': [['file'], ['creation']],
  '18': [['file'], ['access']],
  '22': [['network'], ['connection', 'protocol', 'info']],
  '23': [['file'], ['deletion']],
  '24': [undefined, ['change']],
  '25': [['process'], ['change']],
  '26': [['file'], ['deletion']],
};

const DNS_TYPES: Record<string, string> = {
  '1': 'A',
  '2': 'NS',
  '5': 'CNAME',
  '6': 'SOA',
  '12': 'PTR',
  '15': 'MX',
  '16': 'TXT',
  '28': 'AAAA',
  '33': 'SRV',
  '35': 'NAPTR',
  '39': 'DNAME',
  '41': 'OPT',
  '43': 'DS',
  '46': 'RRSIG',
  '47': 'NSEC',
  '48': 'DNSKEY',
  '255': 'ANY',
  '257': 'CAA',
  '64': 'SVCB',
  '65': 'HTTPS',
};

const EMPTY = new Set(['', '-', '{00000000-0000-0000-0000-000000000000}']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function long(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Windows-style command line splitting, as the pipeline does it (Go's CommandLineToArgv rules). */
export function splitCommandLine(cmd: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = cmd.length;
  while (i < n) {
    while (i < n && (cmd[i] === ' ' || cmd[i] === '\t')) i++;
    if (i >= n) break;
    let arg = '';
    let inQuote = false;
    let slashes = 0;
    for (; i < n; i++) {
      const c = cmd[i];
      if ((c === ' ' || c === '\t') && !inQuote) break;
      if (c === '"') {
        arg += '\\'.repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 0) {
          if (inQuote && cmd[i + 1] === '"') {
            arg += '"';
            i++;
          }
          inQuote = !inQuote;
        } else arg += '"';
        slashes = 0;
        continue;
      }
      if (c === '\\') {
        slashes++;
        continue;
      }
      arg += '\\'.repeat(slashes);
      slashes = 0;
      arg += c;
    }
    arg += '\\'.repeat(slashes);
    args.push(arg);
  }
  return args;
}

function parseUtc(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(v.replace(' ', 'T') + (v.endsWith('Z') ? '' : 'Z'));
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export interface SysmonView {
  eventId: string;
  data: Record<string, string>;
  hostName?: string;
  timestamp?: string;
}

/** The winlog object's event data with the pipeline's empty values removed. */
export function sysmonView(input: Doc): SysmonView {
  const winlog = (input.winlog ?? {}) as Doc;
  const raw = (winlog.event_data ?? {}) as Doc;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const s = str(v);
    if (s !== undefined && !EMPTY.has(s)) data[k] = s;
  }
  const syslog = ((input.log as Doc | undefined)?.syslog ?? {}) as Doc;
  // UtcTime is the event's own time (ms precision); syslog stamps have whole seconds.
  const ts =
    parseUtc(data.UtcTime) ??
    (typeof input['@timestamp'] === 'string' ? input['@timestamp'] : undefined) ??
    (typeof winlog.time_created === 'string' ? winlog.time_created : undefined);
  return {
    eventId: str(winlog.event_id) ?? '',
    data,
    hostName: str(syslog.hostname) ?? str(winlog.computer_name),
    ...(ts ? { timestamp: ts } : {}),
  };
}

/** Maps decoded Sysmon for Linux (a `winlog` document) to the integration's ECS document. */
export function sysmonToEcs(input: Doc): Doc {
  const winlogIn = (input.winlog ?? {}) as Doc;
  const view = sysmonView(input);
  const d = { ...view.data };
  const code = view.eventId;
  // Everything else the agent put on the document (host.*, agent.*, tags...) stays, as the
  // pipeline keeps it; the mapped fields are laid over it.
  const doc: Doc = {};
  for (const [k, v] of Object.entries(input)) {
    if (k !== 'winlog' && k !== 'log' && k !== 'event' && !isForbiddenSegment(k)) doc[k] = v;
  }
  const logIn = (input.log ?? {}) as Doc;
  for (const [k, v] of Object.entries(logIn))
    if (k !== 'syslog') doc.log = { ...((doc.log as Doc) ?? {}), [k]: v };
  if (view.timestamp) doc['@timestamp'] = view.timestamp;
  const eventIn =
    input.event && typeof input.event === 'object' && !Array.isArray(input.event) ? (input.event as Doc) : {};
  const event: Doc = { ...eventIn, kind: 'event', code, action: 'log' };
  doc.event = event;
  const winlog: Doc = {};
  for (const k of [
    'channel',
    'computer_name',
    'event_id',
    'process',
    'provider_guid',
    'record_id',
    'user',
    'task',
    'keywords',
  ]) {
    if (winlogIn[k] !== undefined) winlog[k] = winlogIn[k];
  }
  if (winlog.record_id !== undefined) winlog.record_id = String(winlog.record_id);
  if (typeof winlogIn.level === 'string' && winlogIn.level !== '')
    doc.log = { ...((doc.log as Doc) ?? {}), level: winlogIn.level };
  if (typeof winlogIn.time_created === 'string') {
    const t = Date.parse(winlogIn.time_created);
    if (!Number.isNaN(t)) event.created = new Date(t).toISOString();
  }
  const syslog = ((input.log as Doc | undefined)?.syslog ?? {}) as Doc;
  const process: Doc = {};
  const host: Doc = {};
  if (str(syslog.appname)) process.name = str(syslog.appname);
  if (str(syslog.hostname)) host.hostname = str(syslog.hostname);
  const procid = long(syslog.procid);
  if (procid !== undefined) process.pid = procid;
  const cat = CATEGORIZATION[code];
  if (cat) {
    if (cat[0]) event.category = [...cat[0]];
    event.type = [...cat[1]];
  }
  const provider = d.provider_name ?? str(winlogIn.provider_name);
  if (provider) event.provider = provider;
  delete d.provider_name;
  if (d.opcode !== undefined) winlog.opcode = d.opcode;
  else if (winlogIn.opcode !== undefined) winlog.opcode = winlogIn.opcode;
  delete d.opcode;
  const version = long(d.version) ?? long(winlogIn.version);
  if (version !== undefined) winlog.version = version;
  delete d.version;
  if (d.RuleName) doc.rule = { name: d.RuleName };
  if (code === '255' && d.ID) doc.error = { code: d.ID };
  if (code === '25' && d.Type) doc.message = d.Type;

  // Hashes
  const hashes: Record<string, string> = {};
  const hashText = d.Hashes ?? d.Hash;
  if (hashText) {
    for (const pair of hashText.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const v = pair.slice(eq + 1).toLowerCase();
      if (v === '' || /^0*$/.test(v)) continue;
      hashes[pair.slice(0, eq).toLowerCase()] = v;
    }
  }
  const related: Record<string, string[]> = {};
  if (Object.keys(hashes).length) related.hash = Object.values(hashes);
  if (Object.keys(hashes).length && ['1', '23', '24', '25', '26'].includes(code))
    process.hash = { ...hashes };

  if (d.ProcessGuid) process.entity_id = d.ProcessGuid;
  const pid = long(d.ProcessId);
  if (pid !== undefined) process.pid = pid;
  if (d.Image) process.executable = d.Image;
  if (d.SourceProcessGuid ?? d.SourceProcessGUID)
    process.entity_id = d.SourceProcessGuid ?? d.SourceProcessGUID;
  const spid = long(d.SourceProcessId);
  if (spid !== undefined) process.pid = spid;
  if (d.SourceImage) process.executable = d.SourceImage;
  if (d.Destination) process.executable = d.Destination;
  if (d.CommandLine) process.command_line = d.CommandLine;
  if (d.CurrentDirectory) process.working_directory = d.CurrentDirectory;
  const parent: Doc = {};
  if (d.ParentProcessGuid) parent.entity_id = d.ParentProcessGuid;
  const ppid = long(d.ParentProcessId);
  if (ppid !== undefined) parent.pid = ppid;
  if (d.ParentImage) parent.executable = d.ParentImage;
  if (d.ParentCommandLine) parent.command_line = d.ParentCommandLine;
  if (typeof process.command_line === 'string' && process.command_line) {
    process.args = splitCommandLine(process.command_line);
    process.args_count = (process.args as string[]).length;
  }
  if (typeof parent.command_line === 'string' && parent.command_line) {
    parent.args = splitCommandLine(parent.command_line);
    parent.args_count = (parent.args as string[]).length;
  }
  if (Object.keys(parent).length) process.parent = parent;

  // Files
  const file: Doc = {};
  if (Object.keys(hashes).length && ['6', '7', '15'].includes(code)) file.hash = { ...hashes };
  const filePath = d.TargetFilename ?? d.Device ?? d.ImageLoaded;
  if (filePath) file.path = filePath;
  if (d.PipeName) file.name = d.PipeName;

  // Network
  const network: Doc = {};
  if (d.Protocol) network.transport = d.Protocol;
  if (code !== '22') {
    if (d.DestinationPortName) network.protocol = d.DestinationPortName;
    if (d.SourcePortName) network.protocol = d.SourcePortName;
  } else network.protocol = 'dns';
  const source: Doc = {};
  const destination: Doc = {};
  if (d.SourceIp && isIp(d.SourceIp)) source.ip = d.SourceIp;
  if (d.SourceHostname) source.domain = d.SourceHostname;
  const sport = long(d.SourcePort);
  if (sport !== undefined) source.port = sport;
  if (d.DestinationIp && isIp(d.DestinationIp)) destination.ip = d.DestinationIp;
  if (d.DestinationHostname) destination.domain = d.DestinationHostname;
  const dport = long(d.DestinationPort);
  if (dport !== undefined) destination.port = dport;
  if (d.Initiated === 'true') network.direction = 'egress';
  if (d.Initiated === 'false') network.direction = 'ingress';
  if (d.SourceIsIpv6 === 'false') network.type = 'ipv4';
  if (d.SourceIsIpv6 === 'true') network.type = 'ipv6';
  const dns: Doc = {};
  if (d.QueryName) {
    dns.question = { name: d.QueryName };
    (related.hosts ??= []).push(d.QueryName);
  }
  if (d.QueryResults) {
    const answers: Doc[] = [];
    const ips: string[] = [];
    for (const r of d.QueryResults.split(';')) {
      if (!r) continue;
      if (r.startsWith('type:')) {
        const parts = r.split(/\s+/);
        if (parts.length === 3) {
          answers.push({ type: DNS_TYPES[parts[1]] ?? parts[1], data: parts[2] });
          (related.hosts ??= []).push(parts[2]);
        }
      } else {
        const ip = r.replace(/^\[?::ffff:(\d+\.\d+\.\d+\.\d+)\]?(?::\d+)?$/, '$1');
        if (isIp(ip)) ips.push(ip);
      }
    }
    for (const ip of ips) answers.push({ type: ip.includes(':') ? 'AAAA' : 'A', data: ip });
    if (answers.length) dns.answers = answers;
    if (ips.length) {
      dns.resolved_ip = ips;
      related.ip = [...new Set([...(related.ip ?? []), ...ips])];
    }
  }

  // User
  const user: Doc = {};
  const uid = (winlogIn.user as Doc | undefined)?.identifier;
  if (typeof uid === 'string' && uid) user.id = uid;
  if (d.User) {
    const parts = d.User.split('\\');
    if (parts.length === 2) {
      if (parts[0]) user.domain = parts[0];
      if (parts[1]) user.name = parts[1];
    }
  }
  if (typeof user.name === 'string') related.user = [user.name];
  for (const ip of [source.ip, destination.ip]) {
    if (typeof ip === 'string') related.ip = [...new Set([...(related.ip ?? []), ip])];
  }
  const sysmon: Doc = {};
  if (d.Archived !== undefined) sysmon.file = { ...(sysmon.file as Doc), archived: d.Archived === 'true' };
  if (d.IsExecutable !== undefined)
    sysmon.file = { ...(sysmon.file as Doc), is_executable: d.IsExecutable === 'true' };
  if (d.QueryStatus) sysmon.dns = { status: d.QueryStatus === '0' ? 'SUCCESS' : d.QueryStatus };

  const rest: Doc = {};
  const REMOVED = new Set([
    'ProcessId',
    'ParentProcessId',
    'SourceProcessId',
    'SourceThreadId',
    'SourceIp',
    'SourcePort',
    'SourcePortName',
    'DestinationIp',
    'DestinationPort',
    'DestinationPortName',
    'RuleName',
    'User',
    'Initiated',
    'SourceIsIpv6',
    'DestinationIsIpv6',
    'QueryStatus',
    'Archived',
    'IsExecutable',
    'QueryResults',
    'UtcTime',
    'Hash',
    'Hashes',
    'TargetObject',
    'Details',
    'ProcessGuid',
    'Image',
    'CommandLine',
    'CurrentDirectory',
    'ParentProcessGuid',
    'ParentImage',
    'ParentCommandLine',
    'TargetFilename',
    'Protocol',
    'SourceHostname',
    'DestinationHostname',
    'QueryName',
  ]);
  for (const [k, v] of Object.entries(d)) if (!REMOVED.has(k)) rest[k] = v;
  if (Object.keys(rest).length) winlog.event_data = rest;

  const overlay = (key: string, value: Doc) => {
    if (!Object.keys(value).length) return;
    const prev = doc[key];
    doc[key] =
      prev && typeof prev === 'object' && !Array.isArray(prev) ? { ...(prev as Doc), ...value } : value;
  };
  overlay('process', process);
  overlay('host', host);
  overlay('file', file);
  overlay('network', network);
  overlay('source', source);
  overlay('destination', destination);
  overlay('dns', dns);
  overlay('user', user);
  overlay('related', related);
  overlay('sysmon', sysmon);
  doc.winlog = winlog;
  return doc;
}

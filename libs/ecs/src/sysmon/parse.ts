/**
 * Sysmon for Linux writes one event per syslog line: `<header> sysmon: <Event>...</Event>`.
 * This turns the line into the `winlog` object Elastic Agent's XML decoding produces
 * (`winlog.event_id`, `winlog.event_data.*`, `winlog.computer_name`, ...) plus the syslog
 * header fields (`log.syslog.hostname/appname/procid`).
 */
import { XMLParser } from 'fast-xml-parser';
import type { Doc } from '../field';

export class SysmonParseError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'Data',
});

const LEVELS: Record<string, string> = {
  '0': 'information',
  '1': 'critical',
  '2': 'error',
  '3': 'warning',
  '4': 'information',
  '5': 'verbose',
};
const OPCODES: Record<string, string> = { '0': 'Info', '1': 'Start', '2': 'Stop' };
const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

export interface SyslogHeader {
  timestamp?: string;
  hostname?: string;
  appname?: string;
  procid?: string;
}

/** RFC 3164 (`Oct 24 17:06:14 host sysmon[12]:`) or RFC 5424 (`<14>1 2022-... host sysmon 12 - -`). */
export function parseSyslogHeader(header: string, referenceYear: number): SyslogHeader {
  const h = header.trim().replace(/^<\d{1,3}>/, '');
  const parts = h.split(/\s+/);
  if (parts[0] === '1' && parts.length >= 4) {
    const [, ts, host, app, procid] = parts;
    return {
      ...(Date.parse(ts) ? { timestamp: new Date(ts).toISOString() } : {}),
      hostname: host,
      appname: app,
      ...(procid && procid !== '-' ? { procid } : {}),
    };
  }
  const out: SyslogHeader = {};
  let i = 0;
  if (parts.length >= 3 && MONTHS[parts[0]] !== undefined) {
    const day = Number(parts[1]);
    const [hh, mm, ss] = parts[2].split(':').map(Number);
    const t = Date.UTC(referenceYear, MONTHS[parts[0]], day, hh, mm, ss);
    if (Number.isFinite(t)) out.timestamp = new Date(t).toISOString();
    i = 3;
  } else if (parts.length > 0 && !Number.isNaN(Date.parse(parts[0])) && /\d{4}-\d\d-\d\dT/.test(parts[0])) {
    out.timestamp = new Date(parts[0]).toISOString();
    i = 1;
  }
  if (parts[i] !== undefined && !parts[i].endsWith(':')) out.hostname = parts[i++];
  const tag = parts[i];
  if (tag) {
    const m = /^([^[:]+)(?:\[(\d+)\])?:?$/.exec(tag);
    if (m) {
      out.appname = m[1];
      if (m[2]) out.procid = m[2];
    }
  }
  return out;
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && '#text' in (v as Doc)) return String((v as Doc)['#text']);
  if (typeof v === 'object') return '';
  return String(v);
}

/**
 * A linear check that tags nest and close (what fast-xml-parser's validator would reject,
 * at a fraction of its cost; the parser itself is lenient).
 */
export function tagStructureProblem(xml: string): string | undefined {
  const stack: string[] = [];
  let i = 0;
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) break;
    for (const [open, close] of [
      ['<!--', '-->'],
      ['<![CDATA[', ']]>'],
      ['<?', '?>'],
    ]) {
      if (xml.startsWith(open, lt)) {
        const e = xml.indexOf(close, lt + open.length);
        if (e === -1) return `unterminated ${open}`;
        i = e + close.length;
        break;
      }
    }
    if (i > lt) continue;
    let j = lt + 1;
    let quote = 0;
    for (; j < xml.length; j++) {
      const c = xml.charCodeAt(j);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 62) break;
      else if (c === 60) return 'unexpected "<" inside a tag';
    }
    if (j >= xml.length) return 'unterminated tag';
    const inner = xml.slice(lt + 1, j);
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim();
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? ''}>`;
    } else if (!inner.endsWith('/')) {
      let end = 0;
      while (end < inner.length && !/[\s/>]/.test(inner[end])) end++;
      if (end === 0) return 'tag without a name';
      if (stack.length >= 64) return 'elements nest too deep';
      stack.push(inner.slice(0, end));
    }
    i = j + 1;
  }
  return stack.length ? `<${stack[stack.length - 1]}> is never closed` : undefined;
}

/** Parses one syslog line holding a Sysmon `<Event>`; throws SysmonParseError when it cannot. */
export function parseSysmonLine(line: string, referenceYear = new Date().getUTCFullYear()): Doc {
  const at = line.indexOf('<Event');
  if (at === -1) throw new SysmonParseError('no <Event> element in the line');
  const header = parseSyslogHeader(line.slice(0, at), referenceYear);
  const end = line.lastIndexOf('</Event>');
  if (end === -1) throw new SysmonParseError('unterminated <Event> element');
  const xml = line.slice(at, end + '</Event>'.length);
  const problem = tagStructureProblem(xml);
  if (problem) throw new SysmonParseError(`invalid Event XML: ${problem}`);
  let parsed: Doc;
  try {
    parsed = parser.parse(xml) as Doc;
  } catch (err) {
    throw new SysmonParseError(`invalid Event XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const event = parsed.Event as Doc | undefined;
  if (!event || typeof event !== 'object') throw new SysmonParseError('invalid Event XML: no Event element');
  const system = (event.System ?? {}) as Doc;
  if (typeof system !== 'object') throw new SysmonParseError('invalid Event XML: no System element');
  const eventId = text(system.EventID);
  if (eventId === undefined || !/^\d{1,5}$/.test(eventId.trim()))
    throw new SysmonParseError('Event has no numeric EventID');
  const winlog: Doc = { event_id: eventId.trim() };
  const provider = system.Provider as Doc | undefined;
  if (provider && typeof provider === 'object') {
    if (provider['@Name'] !== undefined) winlog.provider_name = String(provider['@Name']);
    if (provider['@Guid'] !== undefined) winlog.provider_guid = String(provider['@Guid']);
  }
  const level = text(system.Level);
  if (level !== undefined) winlog.level = LEVELS[level] ?? level;
  const opcode = text(system.Opcode);
  if (opcode !== undefined) winlog.opcode = OPCODES[opcode] ?? opcode;
  const version = text(system.Version);
  if (version !== undefined && /^\d+$/.test(version)) winlog.version = Number(version);
  const tc = system.TimeCreated as Doc | undefined;
  if (tc && typeof tc === 'object' && tc['@SystemTime'] !== undefined) {
    const t = Date.parse(String(tc['@SystemTime']));
    if (!Number.isNaN(t)) winlog.time_created = new Date(t).toISOString();
  }
  const rid = text(system.EventRecordID);
  if (rid !== undefined) winlog.record_id = rid;
  const exec = system.Execution as Doc | undefined;
  if (exec && typeof exec === 'object') {
    const proc: Doc = {};
    if (exec['@ProcessID'] !== undefined) proc.pid = Number(exec['@ProcessID']);
    if (exec['@ThreadID'] !== undefined) proc.thread = { id: Number(exec['@ThreadID']) };
    winlog.process = proc;
  }
  const channel = text(system.Channel);
  if (channel !== undefined) winlog.channel = channel;
  const computer = text(system.Computer);
  if (computer !== undefined) winlog.computer_name = computer;
  const sec = system.Security as Doc | undefined;
  if (sec && typeof sec === 'object' && sec['@UserId'] !== undefined)
    winlog.user = { identifier: String(sec['@UserId']) };
  const data: Doc = {};
  const ed = event.EventData as Doc | undefined;
  const items = ed && typeof ed === 'object' ? (ed.Data as unknown[] | undefined) : undefined;
  for (const item of items ?? []) {
    if (!item || typeof item !== 'object') continue;
    const name = (item as Doc)['@Name'];
    if (typeof name !== 'string' || name === '__proto__' || name === 'constructor' || name === 'prototype')
      continue;
    data[name] = text(item) ?? '';
  }
  winlog.event_data = data;
  const doc: Doc = { winlog };
  const syslog: Doc = {};
  if (header.hostname) syslog.hostname = header.hostname;
  if (header.appname) syslog.appname = header.appname;
  if (header.procid) syslog.procid = header.procid;
  if (Object.keys(syslog).length) doc.log = { syslog };
  if (header.timestamp) doc['@timestamp'] = header.timestamp;
  return doc;
}

/**
 * `auditd-records` mode: one ECS document per auditd line, as Elastic's `auditd` integration
 * (packages/auditd, data stream `log`) builds it in its Elasticsearch ingest pipeline:
 * `auditd.log.*` keeps the record's key/values (hex decoded for the keys the pipeline
 * decodes, `?`/`(null)`/empty dropped), and the well-known keys move to ECS (`uid` →
 * `user.id`, `exe` → `process.executable`, `res` → `event.outcome`, ...). Categorization
 * comes from the go-libaudit tables (`tables.ts`); `event.action` is the normalized action
 * when the record type has one, else the lowercased record type.
 *
 * Quirks are kept on purpose, because rules and dashboards written for the integration
 * expect them: a field the pipeline cannot move (its ECS target is already set) stays under
 * `auditd.log`; SYSTEM_BOOT gets scalar `event.category: "host"`; EXECVE arguments are
 * kept as logged.
 */
import type { Doc } from '../field';

// The documents here are built by this module (plain nested objects, no dotted keys), so a
// direct walk is enough and much cheaper than the general accessor.
function getField(doc: Doc, path: string): unknown {
  let node: unknown = doc;
  for (const seg of path.split('.')) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Doc)[seg];
    if (node === undefined) return null;
  }
  return node;
}

function setField(doc: Doc, path: string, value: unknown): void {
  const segs = path.split('.');
  let node = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    const next = node[segs[i]];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node = node[segs[i]] = {} as Doc;
    else node = next as Doc;
  }
  node[segs[segs.length - 1]] = value;
}
import { GROUP_SEPARATOR, isHex, parseAuditLine, splitKeyValues, type AuditLine } from './line';
import {
  archName,
  defaultSyscallNormalization,
  recordTypeNormalization,
  syscallNormalization,
  type Normalization,
} from './tables';
import { isIp } from '../net';

type Log = Record<string, unknown>;

const HEX_KEYS = new Set([
  'exe',
  'cmd',
  'data',
  'path',
  'comm',
  'file',
  'name',
  'watch',
  'cwd',
  'acct',
  'dir',
  'vm',
  'old-chardev',
  'new-chardev',
  'old-disk',
  'new-disk',
  'old-fs',
  'new-fs',
  'old-net',
  'new-net',
  'device',
  'cgroup',
  'apparmor',
  'operation',
  'denied_mask',
  'info',
  'profile',
  'requested_mask',
  'old-rng',
  'new-rng',
  'ocomm',
  'grp',
  'new_group',
  'invalid_context',
  'sw',
  'root_dir',
  'proctitle',
]);
const BOOLEAN_KEYS = new Set(['success', 'key_enforce']);
const LONG_KEYS = [
  'sequence',
  'lport',
  'rport',
  'entries',
  'dst_prefixlen',
  'ksize',
  'size',
  'src_prefixlen',
];

/** The integration's hex rule: decode only when the text needed encoding; control bytes as ^X. */
export function decodeHexCaret(hex: string): string {
  let out = '';
  let needed = false;
  for (let i = 0; i + 1 < hex.length; i += 2) {
    let cp = parseInt(hex.slice(i, i + 2), 16);
    if (cp < 33 || cp === 34 || cp === 127) needed = true;
    if (cp < 32 || cp === 127) {
      out += '^';
      cp ^= 64;
    }
    out += String.fromCharCode(cp);
  }
  return needed ? out : hex;
}

const WORDISH = /^[\w"]+$/;

/**
 * The pipeline's kv split: pairs are separated by whitespace followed by a `key=` token, so a
 * value runs on over words without `=` ("op=adding user" → op: "adding user"); the key is
 * what precedes the first `=`; quotes stay on the value (trimmed later, as the pipeline does).
 * Words before the first pair are not part of the key/values.
 */
function pipelinePairs(text: string, sub: boolean): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const token of text.split(/[ \t\n]+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq > 0) pairs.push([token.slice(0, eq), token.slice(eq + 1)]);
    else if (pairs.length && (sub || WORDISH.test(token))) pairs[pairs.length - 1][1] += ` ${token}`;
  }
  return pairs;
}

function addKv(log: Log, text: string, sub = false): void {
  for (const [key, value] of pipelinePairs(text, sub)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const prev = log[key];
    if (prev === undefined) log[key] = value;
    else log[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
}

/** Drops the words before the first key of a user-space `msg='...'` (`pam: `, `changing system time `). */
function stripMsgPrefix(inner: string): string {
  const eq = inner.indexOf('=');
  if (eq === -1) return inner;
  const head = inner.slice(0, eq);
  const lastSpace = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'));
  return lastSpace === -1 ? inner : inner.slice(lastSpace + 1);
}

const OLD_AUID = / old auid=(\d+) new auid=(\d+) old ses=(\d+) new ses=(\d+)\s*$/;

/** Fills `log` with the record's key/values the way the integration's grok + kv steps do. */
function extractKeyValues(parsed: AuditLine, log: Log): { enrichedByGs: boolean } {
  const body = parsed.body;
  const login = OLD_AUID.exec(body);
  if (login) {
    addKv(log, body.slice(0, login.index));
    log.old_auid = login[1];
    log.new_auid = login[2];
    log.old_ses = login[3];
    log.new_ses = login[4];
    return { enrichedByGs: false };
  }
  const msgAt = findUserMsg(body);
  if (msgAt) {
    addKv(log, body.slice(0, msgAt.start));
    addKv(log, stripMsgPrefix(msgAt.inner), true);
    if (parsed.enriched !== undefined) addKv(log, parsed.enriched, true);
    return { enrichedByGs: false };
  }
  if (parsed.enriched !== undefined) {
    const braced = /^(\w+)=\{ (.*) \}$/.exec(parsed.enriched);
    if (braced) {
      addKv(log, body);
      log.original_field = braced[1].toLowerCase();
      addKv(log, braced[2], true);
      return { enrichedByGs: false };
    }
    // A plain record with an ENRICHED tail: the pinned pipeline version does not split at
    // the separator, so the last key absorbs the first enriched pair.
    const tokens = splitKeyValues(body);
    addKv(log, body);
    const extra = splitKeyValues(parsed.enriched);
    if (tokens.length > 0 && extra.length > 0) {
      const last = tokens[tokens.length - 1];
      const quoted = last.quote ? `${last.quote}${last.value}${last.quote}` : last.value;
      log[last.key] =
        `${quoted}${GROUP_SEPARATOR}${extra[0].key}=${extra[0].quote ?? ''}${extra[0].value}${extra[0].quote ?? ''}`;
      for (const p of extra.slice(1)) if (log[p.key] === undefined) log[p.key] = p.value;
    } else addKv(log, parsed.enriched);
    return { enrichedByGs: true };
  }
  addKv(log, body);
  return { enrichedByGs: false };
}

function findUserMsg(body: string): { start: number; inner: string } | undefined {
  for (const q of ["'", '"']) {
    const at = body.indexOf(` msg=${q}`);
    if (at === -1) continue;
    const from = at + 6;
    const end = body.lastIndexOf(q);
    if (end < from) continue;
    return { start: at, inner: body.slice(from, end) };
  }
  return undefined;
}

function cleanValues(log: Log): void {
  for (const key of Object.keys(log)) {
    let v = log[key];
    if (v === '?' || v === '(null)' || v === '') {
      delete log[key];
      continue;
    }
    if (typeof v === 'string' && HEX_KEYS.has(key) && isHex(v)) v = decodeHexCaret(v);
    if (typeof v === 'string' && BOOLEAN_KEYS.has(key)) {
      const l = v.toLowerCase();
      v = l === 'yes' || l === 'true' || l === '1';
    }
    if (typeof v === 'string') {
      let t: string = v;
      if (t.startsWith("'") || t.startsWith('"')) t = t.slice(1);
      if (t.endsWith("'") || t.endsWith('"')) t = t.slice(0, -1);
      v = t;
    }
    if (key === 'arch' && v === 'c000003e') v = 'x86_64';
    log[key] = v;
  }
}

function toLong(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isSafeInteger(n) ? n : v;
}

const has = (doc: Doc, path: string) => getField(doc, path) !== null;

/** ES `rename` semantics: moves only when the source exists and the target does not. */
function rename(doc: Doc, log: Log, key: string, target: string, convert?: (v: unknown) => unknown): void {
  if (!(key in log) || has(doc, target)) return;
  const v = log[key];
  delete log[key];
  setField(doc, target, convert ? convert(v) : v);
}

function pickNormalization(log: Log, recordType: string, enrichedByGs: boolean): Normalization | undefined {
  const byType = recordTypeNormalization(recordType, (f) => log[f] !== undefined && log[f] !== null);
  if (byType) return byType;
  const syscall = typeof log.syscall === 'string' ? log.syscall : undefined;
  const named = !enrichedByGs && typeof log.SYSCALL === 'string' ? log.SYSCALL : undefined;
  if (syscall === undefined && named === undefined) return undefined;
  return (
    (named && syscallNormalization(named)) ||
    (syscall && syscallNormalization(syscall)) ||
    defaultSyscallNormalization()
  );
}

const INGRESS = new Set(['accept', '43', 'recvfrom', '45', 'recvmsg', '47', 'accept4', '288']);
const EGRESS = new Set(['connect', '42', 'sendto', '44', 'sendmsg', '46']);

/** Maps one auditd line to the document the `auditd` integration would index. */
export function auditRecordToDoc(line: string, keepOriginal = true): Doc {
  const parsed = parseAuditLine(line);
  const log: Log = {};
  const doc: Doc = {};
  if (parsed.timeMs !== undefined) doc['@timestamp'] = new Date(parsed.timeMs).toISOString();
  if (parsed.node !== undefined) log.node = parsed.node;
  log.record_type = parsed.type;
  if (parsed.serial !== undefined) log.sequence = String(parsed.serial);
  const { enrichedByGs } = extractKeyValues(parsed, log);
  cleanValues(log);
  if ('old-auid' in log) rename(doc, log, 'old-auid', 'auditd.log.old_auid');
  for (const k of LONG_KEYS) if (k in log) log[k] = toLong(log[k]);
  const event: Doc = { kind: 'event' };
  doc.event = event;

  const recordType = parsed.type;
  const n = pickNormalization(log, recordType, enrichedByGs);
  if (n) {
    if (n.action) event.action = [n.action];
    if (n.category.length) event.category = [...n.category];
    if (n.type.length) event.type = [...n.type];
    for (const [from, to] of n.copy ?? []) {
      let value: unknown;
      for (const f of from) if (value === undefined || value === null) value = log[f];
      if (typeof value === 'string') setField(doc, `${to}${/^[0-9]+$/.test(value) ? '.id' : '.name'}`, value);
    }
  }
  if (recordType === 'SYSTEM_BOOT' || recordType === 'SYSTEM_SHUTDOWN') {
    event.category = 'host';
    event.type = 'info';
  }
  if (recordType === 'SYSCALL' && log.syscall === 'execve') {
    event.category = 'process';
    event.type = 'info';
  }
  if (recordType === 'VIRT_CONTROL' || recordType === 'VIRT_MACHINE_ID') event.category = 'host';
  if (recordType === 'VIRT_CONTROL') {
    const t = { start: 'start', stop: 'end', create: 'creation', delete: 'deletion' }[String(log.op)];
    if (t) event.type = t;
  }
  if (recordType === 'VIRT_MACHINE_ID') {
    event.type = 'creation';
    if (typeof log.vm === 'string' && log.vm) setField(doc, 'container.name', log.vm);
    if (typeof log.virt === 'string' && log.virt) setField(doc, 'container.runtime', log.virt);
  }
  if (recordType === 'SYSCALL' && typeof log.syscall === 'string') {
    if (INGRESS.has(log.syscall)) setField(doc, 'network.direction', 'ingress');
    if (EGRESS.has(log.syscall)) setField(doc, 'network.direction', 'egress');
  }
  if (typeof log.arch === 'string') setField(doc, 'host.architecture', log.arch);

  rename(doc, log, 'acct', 'user.name');
  rename(doc, log, 'user', 'user.name');
  rename(doc, log, 'uid', 'user.id');
  rename(doc, log, 'gid', 'user.group.id');
  rename(doc, log, 'agid', 'user.audit.group.id');
  rename(doc, log, 'auid', 'user.audit.id');
  rename(doc, log, 'fsgid', 'user.filesystem.group.id');
  rename(doc, log, 'fsuid', 'user.filesystem.id');
  rename(doc, log, 'egid', 'user.effective.group.id');
  rename(doc, log, 'euid', 'user.effective.id');
  rename(doc, log, 'sgid', 'user.saved.group.id');
  rename(doc, log, 'suid', 'user.saved.id');
  rename(doc, log, 'ogid', 'user.owner.group.id');
  rename(doc, log, 'ouid', 'user.owner.id');
  rename(doc, log, 'comm', 'process.name');
  rename(doc, log, 'exe', 'process.executable');
  rename(doc, log, 'pid', 'process.pid', toLong);
  rename(doc, log, 'ppid', 'process.parent.pid', toLong);
  rename(doc, log, 'cmd', 'process.args', (v) => (typeof v === 'string' ? v.split(/\s+/) : v));
  rename(doc, log, 'argc', 'process.args_count');
  const args = getField(doc, 'process.args');
  if (Array.isArray(args)) setField(doc, 'process.args_count', args.length);
  const argc = getField(doc, 'process.args_count');
  if (argc !== null) setField(doc, 'process.args_count', toLong(argc));
  rename(doc, log, 'exit', 'process.exit_code', toLong);
  rename(doc, log, 'cwd', 'process.working_directory');
  rename(doc, log, 'terminal', 'user.terminal');
  rename(doc, log, 'msg', 'message');
  if (typeof log.res === 'string') {
    const res = log.res;
    event.outcome =
      res === '1' || res === 'success' ? 'success' : res === '0' || res === 'failed' ? 'failure' : 'unknown';
  }
  if (recordType === 'EXECVE') execveArgs(doc, log);
  if (!('action' in event) && typeof log.record_type === 'string') {
    event.action = log.record_type.toLowerCase();
    // the pipeline version of the ENRICHED samples copies rather than moves the record type
    if (parsed.enriched === undefined) delete log.record_type;
  }
  rename(doc, log, 'src', 'source.address');
  rename(doc, log, 'addr', 'source.address');
  rename(doc, log, 'dst', 'destination.address');
  const srcAddr = getField(doc, 'source.address');
  if (typeof srcAddr === 'string' && isIp(srcAddr)) setField(doc, 'source.ip', srcAddr);
  // related.user, as the integration's newer pipeline appends it
  const names = new Set<string>();
  for (const f of [
    'user.name',
    'user.effective.name',
    'user.target.name',
    'user.audit.name',
    'user.changes.name',
  ]) {
    const v = getField(doc, f);
    if (typeof v === 'string' && v) names.add(v);
  }
  if (names.size) setField(doc, 'related.user', [...names]);
  delete log.arch;
  delete log.res;
  if (log.sequence !== undefined) log.sequence = toLong(log.sequence);
  const prior = getField(doc, 'auditd.log') as Log | null;
  setField(doc, 'auditd.log', prior ? Object.assign(prior, log) : log);
  if (keepOriginal) event.original = line;
  return doc;
}

const ARG_KEY = /^a([0-9]+)(.*)$/;

function execveArgs(doc: Doc, log: Log): void {
  const args: Array<[number, unknown]> = [];
  for (const key of Object.keys(log)) {
    const m = ARG_KEY.exec(key);
    if (!m) continue;
    const v = log[key];
    delete log[key];
    if (m[2] === '_len') continue;
    args.push([Number(m[1]), v]);
  }
  if (args.length === 0) return;
  args.sort((a, b) => a[0] - b[0]);
  const values = args.map((a) => a[1]);
  if (args[0][0] === 0) setField(doc, 'process.executable', values[0]);
  else values.unshift(`[... ${args[0][0]} truncated arguments ...]`);
  setField(doc, 'process.args', values);
}

export { archName };

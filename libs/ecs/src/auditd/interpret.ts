/**
 * Record interpretation as go-libaudit's auparse does it (the layer Auditbeat and Elastic
 * Agent's auditd_manager build on): key/values of the record and of its user-space `msg='...'`
 * merged; hex-encoded untrusted strings decoded; `arch` and `syscall` named; `auid`/`ses`
 * 4294967295 → `unset`; `success`/`res` → `result`; SELinux contexts split into
 * `subj_*`/`obj_*`; SOCKADDR decoded to family/addr/port; the rule `key` kept as tags.
 */
import { hexToString, isHex, splitKeyValues, type AuditLine } from './line';
import { archName, syscallName } from './tables';
import { decodeSockaddr } from './sockaddr';

export interface InterpretedRecord {
  type: string;
  data: Record<string, string>;
  tags: string[];
  /** Names from the ENRICHED section (`UID="root"` → uid: root). */
  names: Record<string, string>;
}

/** Keys whose unquoted values are hex-encoded untrusted strings (the kernel's audit_log_untrustedstring). */
const HEX_KEYS = new Set([
  'exe',
  'comm',
  'cwd',
  'name',
  'path',
  'proctitle',
  'cmd',
  'data',
  'acct',
  'dir',
  'file',
  'watch',
  'vm',
  'ocomm',
  'new-disk',
  'old-disk',
  'new-fs',
  'old-fs',
  'new-net',
  'old-net',
  'new-chardev',
  'old-chardev',
  'new-rng',
  'old-rng',
  'cgroup',
  'device',
  'key',
  'grp',
  'new_group',
  'root_dir',
  'sw',
  'apparmor',
  'operation',
  'profile',
  'denied_mask',
  'requested_mask',
  'info',
  'invalid_context',
]);

const SIGNALS: Record<string, string> = {
  '1': 'SIGHUP',
  '2': 'SIGINT',
  '3': 'SIGQUIT',
  '4': 'SIGILL',
  '5': 'SIGTRAP',
  '6': 'SIGABRT',
  '7': 'SIGBUS',
  '8': 'SIGFPE',
  '9': 'SIGKILL',
  '10': 'SIGUSR1',
  '11': 'SIGSEGV',
  '12': 'SIGUSR2',
  '13': 'SIGPIPE',
  '14': 'SIGALRM',
  '15': 'SIGTERM',
  '31': 'SIGSYS',
};

const UNSET = '4294967295';
const SAFE_KEY = (k: string) => k !== '__proto__' && k !== 'constructor' && k !== 'prototype';

function decodeHexArg(value: string, nulToSpace: boolean): string {
  let s = hexToString(value);
  if (nulToSpace) s = s.replace(/\0+$/, '').replace(/\0/g, ' ');
  return s;
}

function isArgKey(key: string): boolean {
  // a0, a1, a12[3] (split EXECVE arguments)
  if (key.length < 2 || key[0] !== 'a') return false;
  const c = key.charCodeAt(1);
  return c >= 48 && c <= 57;
}

/** Interprets one parsed record. */
export function interpretRecord(line: AuditLine): InterpretedRecord {
  const data: Record<string, string> = Object.create(null);
  const tags: string[] = [];
  const names: Record<string, string> = Object.create(null);
  let body = line.body;
  // The user-space message: msg='k=v ...' (merge its pairs) or an opaque msg.
  const msgAt = body.search(/ msg=['"]/);
  let inner: string | undefined;
  if (msgAt !== -1) {
    const q = body[msgAt + 5];
    const end = body.lastIndexOf(q);
    if (end > msgAt + 5) {
      inner = body.slice(msgAt + 6, end);
      body = body.slice(0, msgAt) + ' ' + body.slice(end + 1);
    }
  }
  const pairs = splitKeyValues(body);
  if (inner !== undefined) pairs.push(...splitKeyValues(inner));
  const isExecve = line.type === 'EXECVE';
  for (const { key, value, quote } of pairs) {
    if (!SAFE_KEY(key)) continue;
    let v = value;
    // A stray closing quote after an unquoted value (seen in the wild) is not part of it.
    if (!quote && (v.endsWith('"') || v.endsWith("'"))) v = v.slice(0, -1);
    if (!quote && (HEX_KEYS.has(key) || (isExecve && isArgKey(key))) && isHex(v)) {
      v = decodeHexArg(v, key === 'proctitle');
    }
    if (key === 'key') {
      if (v !== '(null)') for (const t of v.split('\x01')) if (t) tags.push(t);
      continue;
    }
    if (key in data) continue; // first occurrence wins
    data[key] = v;
  }
  if (line.enriched !== undefined) {
    for (const { key, value } of splitKeyValues(line.enriched)) {
      if (SAFE_KEY(key) && /^[A-Z_]+$/.test(key)) names[key.toLowerCase()] = value;
    }
  }
  // Interpretations.
  if (data.arch !== undefined) {
    const arch = data.arch;
    const named = archName(arch);
    if (data.syscall !== undefined) {
      const sc = syscallName(named ?? arch, data.syscall);
      if (sc) data.syscall = sc;
      else if (names.syscall) data.syscall = names.syscall;
    }
    if (named) data.arch = named;
  }
  for (const k of ['auid', 'ses']) if (data[k] === UNSET) data[k] = 'unset';
  if (data.success !== undefined) {
    data.result = data.success === 'yes' ? 'success' : 'fail';
    delete data.success;
  } else if (data.res !== undefined) {
    const r = data.res;
    data.result = r === 'success' || r === '1' ? 'success' : r === 'failed' || r === '0' ? 'fail' : r;
    delete data.res;
  }
  for (const ctx of ['subj', 'obj'] as const) {
    const label = data[ctx];
    if (label === undefined) continue;
    delete data[ctx];
    const parts = label.split(':');
    const keys = ['user', 'role', 'domain', 'level', 'category'];
    if (parts.length >= 4) {
      parts.slice(0, 3).forEach((p, i) => (data[`${ctx}_${keys[i]}`] = p));
      data[`${ctx}_level`] = parts[3];
      if (parts.length > 4) data[`${ctx}_category`] = parts.slice(4).join(':');
    } else data[`${ctx}_user`] = label;
  }
  if (line.type === 'SECCOMP' || line.type === 'ANOM_ABEND') {
    if (line.type === 'SECCOMP' && data.sig !== undefined && SIGNALS[data.sig]) data.sig = SIGNALS[data.sig];
  }
  if (line.type === 'SOCKADDR' && data.saddr !== undefined) {
    const decoded = decodeSockaddr(data.saddr);
    delete data.saddr;
    Object.assign(data, decoded);
  }
  for (const k of Object.keys(data)) if (data[k] === '?' || data[k] === '') delete data[k];
  return { type: line.type, data: { ...data }, tags, names: { ...names } };
}

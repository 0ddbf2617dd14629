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

const SELINUX_PARTS = ['user', 'role', 'domain', 'level'];

function findUserMsg(body: string): number {
  const a = body.indexOf(" msg='");
  const b = body.indexOf(' msg="');
  if (a === -1) return b;
  if (b === -1) return a;
  return Math.min(a, b);
}

function addSelinux(data: Record<string, string>, ctx: string, label: string): void {
  const parts = label.split(':');
  if (parts.length < 4) {
    data[`${ctx}_user`] = label;
    return;
  }
  for (let i = 0; i < 4; i++) data[`${ctx}_${SELINUX_PARTS[i]}`] = parts[i];
  if (parts.length > 4) data[`${ctx}_category`] = parts.slice(4).join(':');
}

/** Interprets one parsed record. Built in one pass (no deletes: this is the hot path). */
export function interpretRecord(line: AuditLine): InterpretedRecord {
  const data: Record<string, string> = {};
  const tags: string[] = [];
  const names: Record<string, string> = {};
  let body = line.body;
  // The user-space message: msg='k=v ...' (merge its pairs) or an opaque msg.
  const msgAt = findUserMsg(body);
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
  if (inner !== undefined) for (const p of splitKeyValues(inner)) pairs.push(p);
  const isExecve = line.type === 'EXECVE';
  let success: string | undefined;
  let res: string | undefined;
  for (let i = 0; i < pairs.length; i++) {
    const { key, value, quote } = pairs[i];
    if (!SAFE_KEY(key) || Object.prototype.hasOwnProperty.call(data, key)) continue; // first occurrence wins
    let v = value;
    if (!quote) {
      // A stray closing quote after an unquoted value (seen in the wild) is not part of it.
      const last = v.charCodeAt(v.length - 1);
      if (last === 34 || last === 39) v = v.slice(0, -1);
      if ((HEX_KEYS.has(key) || (isExecve && isArgKey(key))) && isHex(v))
        v = decodeHexArg(v, key === 'proctitle');
    }
    switch (key) {
      case 'key':
        if (v !== '(null)') for (const t of v.split('\x01')) if (t) tags.push(t);
        continue;
      case 'success':
        success = v;
        continue;
      case 'res':
        res = v;
        continue;
      case 'subj':
      case 'obj':
        addSelinux(data, key, v);
        continue;
      case 'auid':
      case 'ses':
        if (v === UNSET) v = 'unset';
        break;
      case 'sig':
        if (line.type === 'SECCOMP' && SIGNALS[v]) v = SIGNALS[v];
        break;
    }
    // "?" and empty mean "no value", except an EXECVE argument written as "" (a real empty arg).
    if (v === '?' || (v === '' && !(isExecve && quote && isArgKey(key)))) continue;
    data[key] = v;
  }
  if (line.enriched !== undefined) {
    for (const { key, value } of splitKeyValues(line.enriched)) {
      if (SAFE_KEY(key) && /^[A-Z_]+$/.test(key)) names[key.toLowerCase()] = value;
    }
  }
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
  if (success !== undefined) data.result = success === 'yes' ? 'success' : 'fail';
  else if (res !== undefined)
    data.result =
      res === 'success' || res === '1' ? 'success' : res === 'failed' || res === '0' ? 'fail' : res;
  if (line.type === 'SOCKADDR' && data.saddr !== undefined) {
    const saddr = data.saddr;
    const decoded = decodeSockaddr(saddr);
    const out: Record<string, string> = {};
    for (const k in data) if (k !== 'saddr') out[k] = data[k];
    Object.assign(out, decoded);
    return { type: line.type, data: out, tags, names };
  }
  return { type: line.type, data, tags, names };
}

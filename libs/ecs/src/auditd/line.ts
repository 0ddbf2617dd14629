/**
 * The auditd line format: `[node=NAME ]type=TYPE msg=audit(SEC.MS:SERIAL): key=value ...`,
 * optionally followed by the ENRICHED section that auditd's `log_format = ENRICHED` appends
 * after a 0x1D (group separator) byte: `UID="root" AUID="alice" SYSCALL=execve ...`.
 *
 * Values are plain tokens, "double quoted" strings (no escapes inside: the kernel hex-encodes
 * anything that would need one), 'single quoted' user-space messages holding their own
 * key=value list (`msg='op=PAM:setcred acct="root" ... res=success'`), or hex strings.
 * Hex decoding is a separate step (`decodeHexValue`) because only some keys are encoded.
 */

export const GROUP_SEPARATOR = '\x1d';

export interface AuditLine {
  /** `node=` prefix (auditd `name_format`), when present. */
  node?: string;
  /** Record type as written: `SYSCALL`, `EXECVE`, `UNKNOWN[1329]`. */
  type: string;
  /** `sec.ms` exactly as written, or undefined when the line has no `msg=audit(...)`. */
  epoch?: string;
  /** Milliseconds since the epoch, from `epoch`. */
  timeMs?: number;
  /** Audit event serial (shared by the records of one event). */
  serial?: number;
  /** Everything after `msg=audit(...):` up to the 0x1D byte (or the whole rest of the line). */
  body: string;
  /** The ENRICHED section after the 0x1D byte, when present. */
  enriched?: string;
}

export class AuditParseError extends Error {}

const HEADER = /^(?:node=(\S+) )?type=(\S+) (?:msg=)?audit\((\d+(?:\.\d+)?):(\d+)\):/;

/** Kernel record numbers (the `type=1300 audit(...)` form of dmesg/journald) to names. */
const TYPE_NUMBERS: Record<string, string> = {
  '1100': 'USER_AUTH',
  '1101': 'USER_ACCT',
  '1103': 'CRED_ACQ',
  '1104': 'CRED_DISP',
  '1105': 'USER_START',
  '1106': 'USER_END',
  '1110': 'CRED_REFR',
  '1112': 'USER_LOGIN',
  '1113': 'USER_LOGOUT',
  '1123': 'USER_CMD',
  '1130': 'SERVICE_START',
  '1131': 'SERVICE_STOP',
  '1300': 'SYSCALL',
  '1302': 'PATH',
  '1305': 'CONFIG_CHANGE',
  '1306': 'SOCKADDR',
  '1307': 'CWD',
  '1309': 'EXECVE',
  '1320': 'EOE',
  '1325': 'NETFILTER_CFG',
  '1326': 'SECCOMP',
  '1327': 'PROCTITLE',
  '1400': 'AVC',
  '1701': 'ANOM_ABEND',
};

/** Where the record starts: after a syslog/journald prefix such as `... audispd: ` or `audit: `. */
function recordStart(line: string): number {
  if (line.startsWith('type=') || line.startsWith('node=')) return 0;
  const node = line.indexOf(' node=');
  const type = line.indexOf(' type=');
  const at = node !== -1 && (type === -1 || node < type) ? node : type;
  return at === -1 ? 0 : at + 1;
}
const TYPE_ONLY = /^(?:node=(\S+) )?type=(\S+)(?: |$)/;

/** Parses the header of one line; throws AuditParseError when it is not an audit record. */
export function parseAuditLine(input: string): AuditLine {
  const start = recordStart(input);
  const line = start === 0 ? input : input.slice(start);
  const m = HEADER.exec(line);
  if (m && /^\d{4}$/.test(m[2]) && TYPE_NUMBERS[m[2]]) m[2] = TYPE_NUMBERS[m[2]];
  if (m) {
    const rest = line.slice(m[0].length);
    const gs = rest.indexOf(GROUP_SEPARATOR);
    const serial = Number(m[4]);
    if (!Number.isSafeInteger(serial)) throw new AuditParseError(`audit serial out of range: ${m[4]}`);
    const out: AuditLine = {
      type: m[2],
      epoch: m[3],
      timeMs: epochToMs(m[3]),
      serial,
      body: gs === -1 ? rest : rest.slice(0, gs),
    };
    if (m[1] !== undefined) out.node = m[1];
    if (gs !== -1) out.enriched = rest.slice(gs + 1);
    return out;
  }
  const t = TYPE_ONLY.exec(line);
  if (t) {
    // Records without an audit(...) stamp exist (truncated or foreign); keep their body.
    const out: AuditLine = { type: t[2], body: line.slice(t[0].length) };
    if (t[1] !== undefined) out.node = t[1];
    return out;
  }
  throw new AuditParseError('not an auditd record: expected "type=... msg=audit(<sec>.<ms>:<serial>):"');
}

function epochToMs(epoch: string): number {
  const dot = epoch.indexOf('.');
  const sec = dot === -1 ? epoch : epoch.slice(0, dot);
  const frac = dot === -1 ? '' : epoch.slice(dot + 1);
  const ms = Number(sec) * 1000 + (frac ? Number((frac + '00').slice(0, 3)) : 0);
  if (!Number.isFinite(ms) || ms > 8.64e15)
    throw new AuditParseError(`audit timestamp out of range: ${epoch}`);
  return ms;
}

export interface KvPair {
  key: string;
  value: string;
  /** The quote character the value was written with, if any. */
  quote?: '"' | "'";
}

const isSpace = (c: number) => c === 0x20 || c === 0x09;

/**
 * Splits `k=v k2="v 2" msg='a=b'` into pairs, left to right. Words without `=` (`user`,
 * `tty`, `avc:`, `auditd normal halt,`) are skipped, as the Elastic and go-libaudit parsers
 * skip them. A `key=` with nothing after it yields an empty value. Linear time.
 */
export function splitKeyValues(text: string): KvPair[] {
  const out: KvPair[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === 0x1d)) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && text[i] !== '=' && !isSpace(text.charCodeAt(i))) i++;
    if (i >= n || text[i] !== '=') continue; // a bare word
    const key = text.slice(start, i);
    i++; // '='
    if (key === '') continue;
    const q = text[i];
    if (q === '"' || q === "'") {
      const end = text.indexOf(q, i + 1);
      if (end !== -1) {
        out.push({ key, value: text.slice(i + 1, end), quote: q });
        i = end + 1;
        continue;
      }
      // Unterminated quote: take the rest of the token as a plain value.
    }
    const vstart = i;
    while (i < n && !isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x1d) i++;
    out.push({ key, value: text.slice(vstart, i) });
  }
  return out;
}

/** True when `v` is a non-empty, even-length string of hex digits. */
export function isHex(v: string): boolean {
  const n = v.length;
  if (n === 0 || n % 2 !== 0) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Decodes hex into a UTF-8 string (invalid sequences become U+FFFD). */
export function hexToString(v: string): string {
  return Buffer.from(v, 'hex').toString('utf8');
}

import type { EcsEvent } from '../types';
import { viewEvent, type EventView } from './event-view';

/**
 * Writes the raw auditd records the kernel would log for the same activity (execve, connect,
 * openat/rename/unlink), one audit event per source event, with per-host serials and a
 * `node=` prefix as auditd's `name_format = hostname` produces. Process ends are not
 * written: exit_group is rarely audited.
 */

const X86_64 = 'c000003e';
const SYSCALLS = { execve: 59, connect: 42, openat: 257, rename: 82, unlink: 87 } as const;

/** The kernel's rule for untrusted strings: quoted when plain, hex when they hold ", space or control bytes. */
export function encodeUntrusted(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const plain = bytes.every((b) => b > 0x20 && b < 0x7f && b !== 0x22);
  return plain ? `"${value}"` : bytes.toString('hex').toUpperCase();
}

function proctitle(args: string[]): string {
  // The kernel logs at most 128 bytes of the NUL-joined argv.
  const raw = Buffer.from(args.join('\0'), 'utf8').subarray(0, 128);
  const plain = raw.every((b) => b > 0x20 && b < 0x7f && b !== 0x22);
  return plain ? raw.toString('utf8') : raw.toString('hex').toUpperCase();
}

function ipv4Bytes(ip: string): Buffer | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return Buffer.from(parts);
}

function ipv6Bytes(ip: string): Buffer | undefined {
  const [head, tail = ''] = ip.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - headParts.length - tailParts.length;
  if (missing < 0 || (!ip.includes('::') && missing !== 0)) return undefined;
  const groups = [...headParts, ...Array<string>(missing).fill('0'), ...tailParts].map((g) =>
    parseInt(g, 16),
  );
  if (groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  const buf = Buffer.alloc(16);
  groups.forEach((g, i) => buf.writeUInt16BE(g, i * 2));
  return buf;
}

/** struct sockaddr_in / sockaddr_in6 as the SOCKADDR record's hex saddr. */
export function encodeSockaddr(ip: string, port: number): string {
  const portBuf = Buffer.alloc(2);
  portBuf.writeUInt16BE(port & 0xffff);
  const v4 = ipv4Bytes(ip);
  if (v4)
    return Buffer.concat([Buffer.from([2, 0]), portBuf, v4, Buffer.alloc(8)])
      .toString('hex')
      .toUpperCase();
  const v6 = ipv6Bytes(ip) ?? Buffer.alloc(16);
  return Buffer.concat([Buffer.from([10, 0]), portBuf, Buffer.alloc(4), v6, Buffer.alloc(4)])
    .toString('hex')
    .toUpperCase();
}

function identity(v: EventView): string {
  const uid = v.userId;
  const tty = v.tty ? v.tty.replace('/', '') : '(none)';
  return `auid=${uid === '0' ? '4294967295' : uid} uid=${uid} gid=${uid} euid=${uid} suid=${uid} fsuid=${uid} egid=${uid} sgid=${uid} fsgid=${uid} tty=${tty} ses=${uid === '0' ? '4294967295' : '3'}`;
}

function comm(v: EventView): string {
  // The kernel's comm is at most 15 bytes.
  return encodeUntrusted(v.name.slice(0, 15));
}

function pathRecord(item: number, name: string, nametype: string, mode = '0100755'): string {
  return `item=${item} name=${encodeUntrusted(name)} inode=${1000 + ((name.length * 7919) % 900000)} dev=fd:01 mode=${mode} ouid=0 ogid=0 rdev=00:00 nametype=${nametype} cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`;
}

function recordsFor(v: EventView): Array<[string, string]> | undefined {
  const common = `ppid=${v.ppid} pid=${v.pid} ${identity(v)} comm=${comm(v)} exe=${encodeUntrusted(v.executable)} subj=unconfined`;
  if (v.category === 'process' && v.action === 'exec') {
    const execve = v.args.map((a, i) => `a${i}=${encodeUntrusted(a)}`).join(' ');
    return [
      [
        'SYSCALL',
        `arch=${X86_64} syscall=${SYSCALLS.execve} success=yes exit=0 a0=55d4c3a1e2a0 a1=55d4c3a1e3c0 a2=55d4c3a1e410 a3=0 items=2 ${common} key="exec"`,
      ],
      ['EXECVE', `argc=${v.args.length} ${execve}`],
      ['CWD', `cwd=${encodeUntrusted(v.cwd)}`],
      ['PATH', pathRecord(0, v.executable, 'NORMAL')],
      ['PATH', pathRecord(1, '/lib64/ld-linux-x86-64.so.2', 'NORMAL')],
      ['PROCTITLE', `proctitle=${proctitle(v.args)}`],
    ];
  }
  if (v.category === 'network' && v.destinationIp !== undefined) {
    return [
      [
        'SYSCALL',
        `arch=${X86_64} syscall=${SYSCALLS.connect} success=no exit=-115 a0=3 a1=7ffd1c2b3a40 a2=${v.destinationIp.includes(':') ? '1c' : '10'} a3=0 items=0 ${common} key="net"`,
      ],
      ['SOCKADDR', `saddr=${encodeSockaddr(v.destinationIp, v.destinationPort ?? 0)}`],
      ['PROCTITLE', `proctitle=${proctitle(v.args)}`],
    ];
  }
  if (v.category === 'file' && v.filePath) {
    const dir = v.filePath.slice(0, v.filePath.lastIndexOf('/') + 1) || '/';
    if (v.action === 'deletion') {
      return [
        [
          'SYSCALL',
          `arch=${X86_64} syscall=${SYSCALLS.unlink} success=yes exit=0 a0=7ffd1c2b4f10 a1=0 a2=0 a3=0 items=2 ${common} key="file"`,
        ],
        ['CWD', `cwd=${encodeUntrusted(v.cwd)}`],
        ['PATH', pathRecord(0, dir, 'PARENT', '040755')],
        ['PATH', pathRecord(1, v.filePath, 'DELETE', '0100644')],
        ['PROCTITLE', `proctitle=${proctitle(v.args)}`],
      ];
    }
    if (v.action === 'rename') {
      return [
        [
          'SYSCALL',
          `arch=${X86_64} syscall=${SYSCALLS.rename} success=yes exit=0 a0=7ffd1c2b4f10 a1=7ffd1c2b5010 a2=0 a3=0 items=4 ${common} key="file"`,
        ],
        ['CWD', `cwd=${encodeUntrusted(v.cwd)}`],
        ['PATH', pathRecord(0, dir, 'PARENT', '040755')],
        ['PATH', pathRecord(1, dir, 'PARENT', '040755')],
        ['PATH', pathRecord(2, `${v.filePath}.tmp`, 'DELETE', '0100644')],
        ['PATH', pathRecord(3, v.filePath, 'CREATE', '0100644')],
        ['PROCTITLE', `proctitle=${proctitle(v.args)}`],
      ];
    }
    return [
      // openat(AT_FDCWD, path, O_WRONLY|O_CREAT|O_TRUNC, 0644)
      [
        'SYSCALL',
        `arch=${X86_64} syscall=${SYSCALLS.openat} success=yes exit=3 a0=ffffff9c a1=7ffd1c2b4f10 a2=241 a3=1a4 items=2 ${common} key="file"`,
      ],
      ['CWD', `cwd=${encodeUntrusted(v.cwd)}`],
      ['PATH', pathRecord(0, dir, 'PARENT', '040755')],
      ['PATH', pathRecord(1, v.filePath, 'CREATE', '0100644')],
      ['PROCTITLE', `proctitle=${proctitle(v.args)}`],
    ];
  }
  return undefined;
}

/** Renders events as auditd log lines; serials count per host from `firstSerial`. */
export function toAuditd(events: readonly EcsEvent[], firstSerial = 1000): string {
  const serials = new Map<string, number>();
  const lines: string[] = [];
  for (const event of events) {
    const v = viewEvent(event);
    const records = recordsFor(v);
    if (!records || !Number.isFinite(v.timestampMs)) continue;
    const serial = (serials.get(v.hostName) ?? firstSerial) + 1;
    serials.set(v.hostName, serial);
    const header = `msg=audit(${Math.floor(v.timestampMs / 1000)}.${String(v.timestampMs % 1000).padStart(3, '0')}:${serial}):`;
    for (const [type, body] of records) lines.push(`node=${v.hostName} type=${type} ${header} ${body}`);
    lines.push(`node=${v.hostName} type=EOE ${header} `);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

import { AuditParseError, parseAuditLine, splitKeyValues } from './line';
import { AuditCoalescer, type AuditGroup } from './coalesce';
import { interpretRecord } from './interpret';
import { auditRecordToDoc, decodeHexCaret } from './records';
import { buildLibauditEvent, libauditEventToEcs } from './event';
import { decodeSockaddr } from './sockaddr';

const hex = (s: string) => Buffer.from(s).toString('hex').toUpperCase();

describe('auditd line parser', () => {
  it('reads the header, the node= prefix and the ENRICHED section after 0x1D', () => {
    const l = parseAuditLine(
      'node=web-1 type=SYSCALL msg=audit(1723109482.048:4981103): syscall=87 key="delete"\x1dARCH=x86_64 UID="dllogc"',
    );
    expect(l).toMatchObject({ node: 'web-1', type: 'SYSCALL', serial: 4981103, timeMs: 1723109482048 });
    expect(l.body).toBe(' syscall=87 key="delete"');
    expect(l.enriched).toBe('ARCH=x86_64 UID="dllogc"');
    expect(interpretRecord(l).names).toMatchObject({ arch: 'x86_64', uid: 'dllogc' });
  });

  it('splits quoted, single-quoted and bare values and skips bare words', () => {
    expect(splitKeyValues(`user pid=1 msg='op=x acct="a b"' cwd="/" empty= tail`)).toEqual([
      { key: 'pid', value: '1' },
      { key: 'msg', value: 'op=x acct="a b"', quote: "'" },
      { key: 'cwd', value: '/', quote: '"' },
      { key: 'empty', value: '' },
    ]);
  });

  it('reads records behind a syslog/journald prefix and the kernel form with numeric types', () => {
    expect(
      parseAuditLine('Nov 30 07:00:00 web-1 audispd: node=web-1 type=SYSCALL msg=audit(1.5:7): pid=5'),
    ).toMatchObject({ node: 'web-1', type: 'SYSCALL', serial: 7 });
    expect(parseAuditLine('[ 12.5] audit: type=1327 audit(1.5:8): proctitle=6C73')).toMatchObject({
      type: 'PROCTITLE',
      serial: 8,
      body: ' proctitle=6C73',
    });
  });

  it('rejects lines that are not audit records', () => {
    expect(() => parseAuditLine('hello world')).toThrow(AuditParseError);
    expect(() => parseAuditLine('type=SYSCALL msg=audit(99999999999999999:1): x=1')).toThrow(AuditParseError);
  });

  it('decodes hex-encoded untrusted strings, the proctitle NULs and rule keys', () => {
    const r = interpretRecord(
      parseAuditLine(
        `type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 auid=4294967295 uid=0 comm=${hex('my prog')} exe="/bin/x" key=${hex('exec\x0164bit')} subj=u:r:t:s0`,
      ),
    );
    expect(r.data).toMatchObject({
      syscall: 'execve',
      arch: 'x86_64',
      comm: 'my prog',
      auid: 'unset',
      result: 'success',
    });
    expect(r.data).toMatchObject({ subj_user: 'u', subj_role: 'r', subj_domain: 't', subj_level: 's0' });
    expect(r.tags).toEqual(['exec', '64bit']);
    const t = interpretRecord(
      parseAuditLine(`type=PROCTITLE msg=audit(1.000:1): proctitle=${hex('sh\0-c\0id')}`),
    );
    expect(t.data.proctitle).toBe('sh -c id');
  });

  it('uses the integration pipeline hex rule (decode only when needed, control bytes as ^X)', () => {
    expect(decodeHexCaret(hex('plain'))).toBe(hex('plain'));
    expect(decodeHexCaret(hex('a b\r'))).toBe('a b^M');
  });

  it('decodes SOCKADDR for IPv4, IPv6 and unix sockets', () => {
    expect(decodeSockaddr('0200115CCB0071070000000000000000')).toEqual({
      family: 'ipv4',
      addr: '203.0.113.7',
      port: '4444',
    });
    expect(decodeSockaddr('0A0001BB000000002A0200000000000000000000000000010000000000')).toMatchObject({
      family: 'ipv6',
      addr: '2a02::1',
      port: '443',
    });
    expect(decodeSockaddr('01002F746D702F736F636B00')).toEqual({ family: 'unix', path: '/tmp/sock' });
  });
});

describe('auditd coalescing', () => {
  const rec = (type: string, serial: number, body: string, t = '1.000', node = 'h') =>
    parseAuditLine(`node=${node} type=${type} msg=audit(${t}:${serial}): ${body}`);
  const push = (c: AuditCoalescer, line: ReturnType<typeof parseAuditLine>, lineNo = 1) =>
    c.push({ line, lineNo, raw: '' });

  it('closes an event on EOE, on a newer serial from the same node, and at flush', () => {
    const c = new AuditCoalescer();
    expect(push(c, rec('SYSCALL', 10, 'syscall=59'))).toEqual([]);
    expect(push(c, rec('EXECVE', 10, 'argc=1 a0="ls"'))).toEqual([]);
    const eoe = push(c, rec('EOE', 10, ''));
    expect(eoe.map((g) => [g.serial, g.records.length, g.closedBy])).toEqual([[10, 2, 'eoe']]);
    push(c, rec('USER_CMD', 11, 'pid=1'));
    push(c, rec('USER_CMD', 5, 'pid=1', '1.000', 'other')); // another node: independent
    const next = push(c, rec('SYSCALL', 12, 'syscall=2'));
    expect(next.map((g) => [g.serial, g.closedBy])).toEqual([[11, 'serial']]);
    expect(
      c
        .flush()
        .map((g) => g.serial)
        .sort(),
    ).toEqual([12, 5].sort());
  });

  it('closes events older than the timeout (event time of their own host) and bounds open events and records', () => {
    const c = new AuditCoalescer({ timeoutMs: 1000, maxOpenEvents: 2, maxRecordsPerEvent: 2 });
    push(c, rec('SYSCALL', 20, 'x=1', '100.000', 'a'));
    // Another host 2 s ahead (another partition, a backlog being caught up) does not cut host a's event.
    expect(push(c, rec('SYSCALL', 1, 'x=1', '102.000', 'b'))).toEqual([]);
    // A record of host a itself 2 s later does.
    const late = push(c, rec('PATH', 20, 'item=0', '102.000', 'a'));
    expect(late.map((g: AuditGroup) => [g.serial, g.closedBy])).toEqual([[20, 'timeout']]);
    push(c, rec('SYSCALL', 1, 'x=1', '102.000', 'c'));
    const full = push(c, rec('SYSCALL', 1, 'x=1', '102.000', 'd'));
    expect(full.map((g) => [g.node, g.closedBy])).toEqual([['b', 'capacity']]);
    for (let i = 0; i < 5; i++) push(c, rec('PATH', 1, `item=${i}`, '102.000', 'd'));
    const d = c.flush().find((g) => g.node === 'd') as AuditGroup;
    expect(d.records).toHaveLength(2);
    expect(d.dropped).toBe(5 - 1);
  });

  it('builds one execve event with args from EXECVE (hex and split a1[0..] parts), cwd and the executable path', () => {
    const lines = [
      `type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=10 pid=11 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm="bash" exe="/usr/bin/bash" key="exec"`,
      `type=EXECVE msg=audit(1700000000.500:7): argc=3 a0="bash" a1_len=10 a1[0]=${hex('-c ec')} a1[1]=${hex('ho hi')} a2=${hex('x y')}`,
      `type=CWD msg=audit(1700000000.500:7): cwd="/tmp"`,
      `type=PATH msg=audit(1700000000.500:7): item=0 name="/usr/bin/bash" inode=5 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
      `type=EOE msg=audit(1700000000.500:7):`,
    ];
    const c = new AuditCoalescer();
    const groups = lines.flatMap((l, i) => c.push({ line: parseAuditLine(l), lineNo: i + 1, raw: l }));
    const doc = libauditEventToEcs(buildLibauditEvent(groups[0]), {
      userNames: (id) => (id === '0' ? 'root' : undefined),
    });
    expect(doc).toMatchObject({
      '@timestamp': '2023-11-14T22:13:20.500Z',
      event: { action: 'executed', category: ['process'], type: ['start'], outcome: 'success', sequence: 7 },
      process: {
        pid: 11,
        parent: { pid: 10 },
        name: 'bash',
        executable: '/usr/bin/bash',
        working_directory: '/tmp',
        args: ['bash', '-c echo hi', 'x y'],
        args_count: 3,
      },
      user: { id: '0', name: 'root', audit: { id: '1000' } },
      file: { path: '/usr/bin/bash', mode: '0755', inode: '5' },
      tags: ['exec'],
    });
  });
});

describe('auditd-records (one document per line, as the auditd integration)', () => {
  it('maps a USER_CMD record with its hex command', () => {
    const doc = auditRecordToDoc(
      `type=USER_CMD msg=audit(1489519256.192:19600329): user pid=4151 uid=497 auid=700 ses=11988 msg='cwd="/" cmd=${hex('/bin/check -p 202')} terminal=? res=success'`,
    );
    expect(doc).toMatchObject({
      event: { action: ['ran-command'], category: ['process'], type: ['start'], outcome: 'success' },
      process: { pid: 4151, args: ['/bin/check', '-p', '202'], args_count: 3, working_directory: '/' },
      user: { id: '497', audit: { id: '700' } },
    });
  });

  it('uses the enhanced SYSCALL name for categorization', () => {
    const doc = auditRecordToDoc(
      'node=n type=SYSCALL msg=audit(1723109482.048:4981103): arch=c000003e syscall=87 success=yes exit=0 ppid=1 pid=2 uid=0 key="delete" ARCH=x86_64 SYSCALL=unlink',
    );
    expect(doc).toMatchObject({ event: { action: ['deleted'], category: ['file'], type: ['deletion'] } });
  });
});

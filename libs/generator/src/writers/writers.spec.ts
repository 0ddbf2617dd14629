import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { generateFleet } from '../fleet';
import { formatEvents } from '../format';
import { encodeSockaddr, encodeUntrusted } from './auditd';
import type { EcsEvent } from '../types';

const fleet = generateFleet({
  seed: 'writers',
  hosts: 3,
  durationMs: 60_000,
  startTime: '2026-03-01T12:00:00.000Z',
  eventsPerSecond: 5,
  attacks: [
    { kind: 'apt_hook_netcon', count: 1 },
    { kind: 'nm_apt_hook_private_fetch', count: 1 },
  ],
});
const count = (pred: (e: EcsEvent) => boolean) => fleet.events.filter(pred).length;
const action = (e: EcsEvent) => (e.event as { action: string }).action;

describe('formatEvents("ecs")', () => {
  it('round-trips through JSON line by line', () => {
    const lines = formatEvents(fleet.events, 'ecs').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(fleet.events);
  });
});

describe('formatEvents("auditd")', () => {
  const text = formatEvents(fleet.events, 'auditd');
  const lines = text.trimEnd().split('\n');
  const header = /^node=([\w.-]+) type=([A-Z_]+) msg=audit\((\d+)\.(\d{3}):(\d+)\): ?(.*)$/;

  it('writes well-formed records with per-host increasing serials, one EOE per event', () => {
    const lastSerial = new Map<string, number>();
    let eoe = 0;
    for (const line of lines) {
      const m = header.exec(line);
      expect(m).not.toBeNull();
      const [, node, type, , , serialText] = m as RegExpExecArray;
      const serial = Number(serialText);
      expect(serial).toBeGreaterThanOrEqual(lastSerial.get(node) ?? 0);
      lastSerial.set(node, serial);
      if (type === 'EOE') eoe++;
    }
    const written = count((e) => action(e) !== 'end');
    expect(eoe).toBe(written);
    expect(lines.filter((l) => / type=SYSCALL .* syscall=59 /.test(l))).toHaveLength(
      count((e) => action(e) === 'exec'),
    );
    expect(lines.filter((l) => / type=SOCKADDR /.test(l))).toHaveLength(
      count((e) => action(e) === 'connection_attempted'),
    );
  });

  it('hex-encodes arguments the way the kernel does', () => {
    expect(encodeUntrusted('/usr/bin/apt')).toBe('"/usr/bin/apt"');
    expect(encodeUntrusted('a b')).toBe('612062');
    const execve = lines.find((l) => / type=EXECVE .*argc=4 a0="sh" a1="-c" a2="--" a3=[0-9A-F]+$/.test(l));
    expect(execve).toBeDefined();
  });

  it('encodes sockaddr for IPv4 and IPv6', () => {
    expect(encodeSockaddr('1.2.3.4', 4444)).toBe('0200115C010203040000000000000000');
    expect(encodeSockaddr('::1', 80)).toBe('0A000050' + '00000000' + '0'.repeat(30) + '01' + '00000000');
    expect(encodeSockaddr('fe80::1', 80).slice(16, 20)).toBe('FE80');
  });
});

describe('formatEvents("sysmon-linux")', () => {
  const lines = formatEvents(fleet.events, 'sysmon-linux').trimEnd().split('\n');
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

  it('writes one syslog line with well-formed Event XML per event', () => {
    expect(lines).toHaveLength(fleet.events.length);
    for (const line of lines) {
      const m = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d [\w.-]+ sysmon: (<Event>.*<\/Event>)$/.exec(line);
      expect(m).not.toBeNull();
      expect(XMLValidator.validate((m as RegExpExecArray)[1])).toBe(true);
    }
  });

  it('uses the Sysmon event ids and field names', () => {
    const ids = new Map<number, Set<string>>();
    for (const line of lines) {
      const doc = parser.parse(line.slice(line.indexOf('<Event>')));
      const id = Number(doc.Event.System.EventID);
      const names = (doc.Event.EventData.Data as Array<{ Name: string }>).map((d) => d.Name);
      ids.set(id, new Set(names));
    }
    expect([...ids.keys()].sort((a, b) => a - b)).toEqual(expect.arrayContaining([1, 3, 5, 11]));
    expect([...(ids.get(1) ?? [])]).toEqual(
      expect.arrayContaining([
        'ProcessGuid',
        'Image',
        'CommandLine',
        'ParentProcessGuid',
        'ParentImage',
        'CurrentDirectory',
        'User',
      ]),
    );
    expect([...(ids.get(3) ?? [])]).toEqual(
      expect.arrayContaining(['DestinationIp', 'DestinationPort', 'SourceIp', 'Protocol', 'Initiated']),
    );
    expect([...(ids.get(11) ?? [])]).toEqual(expect.arrayContaining(['TargetFilename', 'CreationUtcTime']));
  });

  it('rejects unknown formats', () => {
    expect(() => formatEvents(fleet.events, 'csv' as never)).toThrow(/unknown format/);
  });
});

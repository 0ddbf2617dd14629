import { createHash } from 'node:crypto';
import type { EcsEvent } from '../types';
import { viewEvent, type EventView } from './event-view';

/**
 * Writes Sysmon for Linux events as they reach syslog: `<time> <host> sysmon: <Event>...`.
 * Event ids: 1 process create, 3 network connect, 5 process terminated, 11 file create
 * (also used for renames: Sysmon has no rename event), 23 file delete. Field names follow
 * the Sysmon for Linux manifest.
 */

const PROVIDER = '<Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/>';
const VERSIONS: Record<number, number> = { 1: 5, 3: 5, 5: 3, 11: 2, 23: 5 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** Sysmon's process GUIDs: stable per process instance; derived here from the entity id. */
export function processGuid(entityId: string): string {
  const h = createHash('sha1').update(entityId).digest('hex');
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}}`;
}

function utc(ms: number): string {
  // Sysmon's UtcTime: "2024-05-01 10:22:01.123"
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function syslogTime(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const hms = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${day} ${hms}`;
}

function dataFields(id: number, v: EventView): Array<[string, string]> {
  const head: Array<[string, string]> = [
    ['RuleName', '-'],
    ['UtcTime', utc(v.timestampMs)],
    ['ProcessGuid', processGuid(v.entityId)],
    ['ProcessId', String(v.pid)],
  ];
  switch (id) {
    case 1:
      return [
        ...head,
        ['Image', v.executable],
        ['FileVersion', '-'],
        ['Description', '-'],
        ['Product', '-'],
        ['Company', '-'],
        ['OriginalFileName', '-'],
        ['CommandLine', v.commandLine],
        ['CurrentDirectory', v.cwd],
        ['User', v.userName],
        ['LogonGuid', `{${'0'.repeat(8)}-0000-0000-${v.userId.padStart(4, '0').slice(-4)}-000000000000}`],
        ['LogonId', v.userId],
        ['TerminalSessionId', v.tty ? '3' : '4294967295'],
        ['IntegrityLevel', 'no level'],
        ['Hashes', '-'],
        [
          'ParentProcessGuid',
          v.parentEntityId ? processGuid(v.parentEntityId) : '{00000000-0000-0000-0000-000000000000}',
        ],
        ['ParentProcessId', String(v.ppid)],
        ['ParentImage', v.parentExecutable ?? '-'],
        ['ParentCommandLine', v.parentCommandLine ?? '-'],
        ['ParentUser', v.userName],
      ];
    case 3: {
      const v6 = (v.destinationIp ?? '').includes(':');
      return [
        ...head,
        ['Image', v.executable],
        ['User', v.userName],
        ['Protocol', v.transport ?? 'tcp'],
        ['Initiated', 'true'],
        ['SourceIsIpv6', String(v6)],
        ['SourceIp', v.sourceIp ?? '-'],
        ['SourceHostname', '-'],
        ['SourcePort', String(v.sourcePort ?? 0)],
        ['SourcePortName', '-'],
        ['DestinationIsIpv6', String(v6)],
        ['DestinationIp', v.destinationIp ?? '-'],
        ['DestinationHostname', '-'],
        ['DestinationPort', String(v.destinationPort ?? 0)],
        ['DestinationPortName', '-'],
      ];
    }
    case 5:
      return [...head, ['Image', v.executable], ['User', v.userName]];
    case 11:
      return [
        ...head,
        ['Image', v.executable],
        ['TargetFilename', v.filePath ?? '-'],
        ['CreationUtcTime', utc(v.timestampMs)],
        ['User', v.userName],
      ];
    default:
      return [
        ...head,
        ['User', v.userName],
        ['Image', v.executable],
        ['TargetFilename', v.filePath ?? '-'],
        ['Hashes', '-'],
        ['IsExecutable', 'false'],
        ['Archived', 'false'],
      ];
  }
}

function sysmonEventId(v: EventView): number | undefined {
  if (v.category === 'process') return v.action === 'exec' ? 1 : v.action === 'end' ? 5 : undefined;
  if (v.category === 'network') return 3;
  if (v.category === 'file') return v.action === 'deletion' ? 23 : 11;
  return undefined;
}

/** Renders events as Sysmon for Linux syslog lines; EventRecordID counts per host. */
export function toSysmonLinux(events: readonly EcsEvent[]): string {
  const records = new Map<string, number>();
  const lines: string[] = [];
  for (const event of events) {
    const v = viewEvent(event);
    const id = sysmonEventId(v);
    if (id === undefined || !Number.isFinite(v.timestampMs)) continue;
    const recordId = (records.get(v.hostName) ?? 0) + 1;
    records.set(v.hostName, recordId);
    const system =
      `<System>${PROVIDER}<EventID>${id}</EventID><Version>${VERSIONS[id]}</Version><Level>4</Level>` +
      `<Task>${id}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>` +
      `<TimeCreated SystemTime="${new Date(v.timestampMs).toISOString().replace('Z', '000Z')}"/>` +
      `<EventRecordID>${recordId}</EventRecordID><Correlation/><Execution ProcessID="1043" ThreadID="1043"/>` +
      `<Channel>Linux-Sysmon/Operational</Channel><Computer>${escapeXml(v.hostName)}</Computer>` +
      `<Security UserId="0"/></System>`;
    const data = dataFields(id, v)
      .map(([name, value]) => `<Data Name="${name}">${escapeXml(value)}</Data>`)
      .join('');
    lines.push(
      `${syslogTime(v.timestampMs)} ${v.hostName} sysmon: <Event>${system}<EventData>${data}</EventData></Event>`,
    );
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

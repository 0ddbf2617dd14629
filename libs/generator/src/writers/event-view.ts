import { getField } from '@sequent/ecs';
import type { EcsEvent } from '../types';

/** Typed reads of the few fields the raw writers need from a Defend-shaped event. */
export interface EventView {
  timestampMs: number;
  hostName: string;
  action: string;
  category: string;
  pid: number;
  ppid: number;
  name: string;
  executable: string;
  args: string[];
  commandLine: string;
  cwd: string;
  userId: string;
  userName: string;
  entityId: string;
  parentEntityId?: string;
  parentExecutable?: string;
  parentCommandLine?: string;
  destinationIp?: string;
  destinationPort?: number;
  sourceIp?: string;
  sourcePort?: number;
  transport?: string;
  filePath?: string;
  tty?: string;
}

function str(event: EcsEvent, path: string): string | undefined {
  const v = getField(event, path);
  return typeof v === 'string' ? v : undefined;
}

function num(event: EcsEvent, path: string): number | undefined {
  const v = getField(event, path);
  return typeof v === 'number' ? v : undefined;
}

export function viewEvent(event: EcsEvent): EventView {
  const category = getField(event, 'event.category');
  const args = getField(event, 'process.args');
  return {
    timestampMs: Date.parse(str(event, '@timestamp') ?? ''),
    hostName: str(event, 'host.name') ?? 'localhost',
    action: str(event, 'event.action') ?? '',
    category: Array.isArray(category) ? String(category[0]) : String(category ?? ''),
    pid: num(event, 'process.pid') ?? 0,
    ppid: num(event, 'process.parent.pid') ?? 0,
    name: str(event, 'process.name') ?? '',
    executable: str(event, 'process.executable') ?? '',
    args: Array.isArray(args) ? args.map(String) : [],
    commandLine: str(event, 'process.command_line') ?? '',
    cwd: str(event, 'process.working_directory') ?? '/',
    userId: str(event, 'user.id') ?? '0',
    userName: str(event, 'user.name') ?? 'root',
    entityId: str(event, 'process.entity_id') ?? '',
    parentEntityId: str(event, 'process.parent.entity_id'),
    parentExecutable: str(event, 'process.parent.executable'),
    parentCommandLine: str(event, 'process.parent.command_line'),
    destinationIp: str(event, 'destination.ip'),
    destinationPort: num(event, 'destination.port'),
    sourceIp: str(event, 'source.ip'),
    sourcePort: num(event, 'source.port'),
    transport: str(event, 'network.transport'),
    filePath: str(event, 'file.path'),
    tty: str(event, 'process.tty.char_device.name'),
  };
}

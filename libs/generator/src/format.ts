import type { EcsEvent } from './types';
import { toNdjson } from './writers/ndjson';
import { toAuditd } from './writers/auditd';
import { toSysmonLinux } from './writers/sysmon';

export type OutputFormat = 'ecs' | 'auditd' | 'sysmon-linux';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['ecs', 'auditd', 'sysmon-linux'];

/** Renders generated events in one of the raw forms `sequent normalize` reads back. */
export function formatEvents(events: readonly EcsEvent[], format: OutputFormat): string {
  switch (format) {
    case 'ecs':
      return toNdjson(events);
    case 'auditd':
      return toAuditd(events);
    case 'sysmon-linux':
      return toSysmonLinux(events);
    default:
      throw new Error(
        `formatEvents: unknown format "${String(format)}" (expected ${OUTPUT_FORMATS.join(', ')})`,
      );
  }
}

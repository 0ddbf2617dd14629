/**
 * `kibana.alert.reason`, worded as Kibana's security rules word it:
 * "<category> event with process bash, parent process apt, file x, source a:p, destination
 * b:q, by root on host-1 created low alert <rule name>."
 */
import { getField } from '@sequent/ecs';

function first(doc: unknown, path: string): string | undefined {
  const v = getField(doc, path);
  const one = Array.isArray(v) ? v[0] : v;
  if (one === null || one === undefined || typeof one === 'object') return undefined;
  return String(one);
}

export function buildReason(doc: unknown, ruleName: string, severity: string): string {
  const parts: string[] = [];
  const category = first(doc, 'event.category');
  let text = category ? `${category} event` : 'event';
  const processName = first(doc, 'process.name');
  if (processName) parts.push(`with process ${processName}`);
  const parentName = first(doc, 'process.parent.name');
  if (parentName) parts.push(`parent process ${parentName}`);
  const fileName = first(doc, 'file.name');
  if (fileName) parts.push(`file ${fileName}`);
  const source = first(doc, 'source.ip') ?? first(doc, 'source.address');
  if (source) {
    const port = first(doc, 'source.port');
    parts.push(`source ${source}${port ? `:${port}` : ''}`);
  }
  const destination = first(doc, 'destination.ip') ?? first(doc, 'destination.address');
  if (destination) {
    const port = first(doc, 'destination.port');
    parts.push(`destination ${destination}${port ? `:${port}` : ''}`);
  }
  if (parts.length > 0) text += ' ' + parts.join(', ') + ',';
  const user = first(doc, 'user.name');
  if (user) text += ` by ${user}`;
  const host = first(doc, 'host.name');
  if (host) text += ` on ${host}`;
  return `${text} created ${severity} alert ${ruleName}.`;
}

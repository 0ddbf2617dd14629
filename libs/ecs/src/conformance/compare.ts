/**
 * The comparison rules of `../shared/conformance/ecs/README.md`: compare the detection-relevant
 * ECS fields the expected document has, with its leniencies (scalar vs one-element array,
 * unordered categorization and `related.*`, numeric pids/ports compared by value).
 */
import { getField } from '../field';

const COMPARED_PREFIXES = [
  'event.action',
  'event.category',
  'event.type',
  'event.kind',
  'event.outcome',
  'event.code',
  'event.created',
  'event.sequence',
  'host.',
  'process.pid',
  'process.name',
  'process.executable',
  'process.args',
  'process.args_count',
  'process.command_line',
  'process.title',
  'process.working_directory',
  'process.exit_code',
  'process.entity_id',
  'process.parent.',
  'user.',
  'group.',
  'file.path',
  'file.name',
  'file.directory',
  'file.inode',
  'file.mode',
  'file.uid',
  'file.gid',
  'file.owner',
  'file.group',
  'file.device',
  'source.ip',
  'source.port',
  'source.address',
  'destination.ip',
  'destination.port',
  'destination.address',
  'destination.domain',
  'network.direction',
  'network.protocol',
  'network.transport',
  'dns.',
  'related.user',
  'related.ip',
];
const IGNORED_PREFIXES = ['host.geo.', 'user.selinux.'];
const UNORDERED = new Set(['event.category', 'event.type', 'related.user', 'related.ip']);
const NUMERIC_SUFFIXES = ['.pid', '.port', 'args_count', 'exit_code'];

export function isComparedField(path: string): boolean {
  if (path === '@timestamp') return true;
  if (IGNORED_PREFIXES.some((p) => path.startsWith(p))) return false;
  return COMPARED_PREFIXES.some((p) =>
    p.endsWith('.') ? path.startsWith(p) : path === p || path.startsWith(p + '.'),
  );
}

/** Leaf paths of a document (arrays are leaves). */
export function leafPaths(doc: unknown, prefix = '', out: string[] = []): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    if (prefix) out.push(prefix);
    return out;
  }
  for (const [k, v] of Object.entries(doc as Record<string, unknown>))
    leafPaths(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

const DATE_FIELDS = new Set(['@timestamp', 'event.created']);

function sameScalar(path: string, a: unknown, b: unknown): boolean {
  if (DATE_FIELDS.has(path) && typeof a === 'string' && typeof b === 'string') {
    // Instants compare equal whatever the precision notation (Go trims trailing zeros).
    const ta = Date.parse(a);
    if (!Number.isNaN(ta) && ta === Date.parse(b)) return true;
  }
  if (NUMERIC_SUFFIXES.some((s) => path.endsWith(s))) {
    const na = typeof a === 'string' ? Number(a) : a;
    const nb = typeof b === 'string' ? Number(b) : b;
    return na === nb;
  }
  if (a !== null && typeof a === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

export function sameValue(path: string, expected: unknown, actual: unknown): boolean {
  const e = asList(expected);
  const a = asList(actual);
  if (e.length !== a.length) return false;
  if (UNORDERED.has(path)) {
    const rest = [...a];
    for (const x of e) {
      const i = rest.findIndex((y) => sameScalar(path, x, y));
      if (i === -1) return false;
      rest.splice(i, 1);
    }
    return true;
  }
  return e.every((x, i) => sameScalar(path, x, a[i]));
}

/** Differences on the compared fields, as `path: expected X, got Y` strings (empty when equal). */
export function compareEcs(expected: unknown, actual: unknown): string[] {
  const diffs: string[] = [];
  for (const path of leafPaths(expected)) {
    if (!isComparedField(path)) continue;
    const e = getField(expected, path);
    if (e === null) continue;
    const a = getField(actual, path);
    if (!sameValue(path, e, a))
      diffs.push(`${path}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
  }
  return diffs;
}

/**
 * Which events a rule reads, by index name (DESIGN.md "Semantics").
 *
 * A rule's `index` is a list of Elasticsearch index patterns: `*` wildcards, comma-separated
 * lists in one string, `-pattern` exclusions, and `cluster:pattern` for cross-cluster search.
 * Events here come from one place, so a cluster prefix is dropped and the pattern applies to
 * the local name (`*:logs-*` and `remote:logs-*` both read `logs-*`).
 *
 * An event's index is its `_index`, else `<data_stream.type>-<data_stream.dataset>-
 * <data_stream.namespace>`, else null; a null index matches every pattern. A data stream's
 * backing index (`.ds-logs-x-default-2026.01.01-000001`) also matches as its data stream.
 */
import { getField } from '@sequent/ecs';
import { compileWildcard, type WildcardMatcher } from '../exceptions/wildcard';

export type IndexMatcher = (index: string | null) => boolean;

/**
 * Kibana's default Security index patterns (`securitySolution:defaultIndex`), used for rules
 * that name no index (a data view we cannot resolve, or none at all), as Kibana does.
 */
export const DEFAULT_SECURITY_INDEX = [
  'apm-*-transaction*',
  'auditbeat-*',
  'endgame-*',
  'filebeat-*',
  'logs-*',
  'packetbeat-*',
  'traces-apm*',
  'winlogbeat-*',
  '-*elastic-cloud-logs-*',
];

/** Strips a cross-cluster prefix (`cluster:`), keeping an exclusion's leading `-`. */
function localPattern(pattern: string): string {
  const negated = pattern.startsWith('-');
  const body = negated ? pattern.slice(1) : pattern;
  const colon = body.indexOf(':');
  const local = colon >= 0 ? body.slice(colon + 1) : body;
  return negated ? `-${local}` : local;
}

/** Splits comma lists and trims; empty items are dropped. */
export function expandIndexPatterns(patterns: readonly string[]): string[] {
  return patterns
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map(localPattern)
    .filter((p) => p !== '-' && p.length > 0);
}

/** A data stream backing index name → its data stream; undefined for other names. */
function dataStreamOfBackingIndex(index: string): string | undefined {
  if (!index.startsWith('.ds-')) return undefined;
  // .ds-<data-stream>-<yyyy.MM.dd>-<generation>
  const parts = index.slice(4).split('-');
  if (parts.length < 3) return undefined;
  const generation = parts[parts.length - 1];
  const date = parts[parts.length - 2];
  if (!/^\d{6}$/.test(generation) || !/^\d{4}\.\d{2}\.\d{2}$/.test(date)) return undefined;
  return parts.slice(0, -2).join('-');
}

/**
 * Compiles index patterns. A name matches when it matches at least one inclusion and no
 * exclusion. Patterns are case-sensitive, as index names are.
 */
export function compileIndexPatterns(patterns: readonly string[]): IndexMatcher {
  const include: WildcardMatcher[] = [];
  const exclude: WildcardMatcher[] = [];
  for (const p of expandIndexPatterns(patterns)) {
    if (p.startsWith('-')) exclude.push(compileWildcard(p.slice(1)));
    else include.push(compileWildcard(p));
  }
  const matchesName = (name: string): boolean =>
    include.some((m) => m(name)) && !exclude.some((m) => m(name));
  return (index) => {
    if (index === null) return true;
    if (matchesName(index)) return true;
    const stream = dataStreamOfBackingIndex(index);
    return stream !== undefined && matchesName(stream);
  };
}

/** The event's index per DESIGN.md: `_index`, else the data stream triple, else null. */
export function eventIndex(doc: unknown): string | null {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const own = Object.prototype.hasOwnProperty.call(doc, '_index')
    ? (doc as Record<string, unknown>)._index
    : undefined;
  if (typeof own === 'string' && own.length > 0) return own;
  const type = getField(doc, 'data_stream.type');
  const dataset = getField(doc, 'data_stream.dataset');
  const namespace = getField(doc, 'data_stream.namespace');
  if (
    typeof type === 'string' &&
    typeof dataset === 'string' &&
    typeof namespace === 'string' &&
    type &&
    dataset &&
    namespace
  )
    return `${type}-${dataset}-${namespace}`;
  return null;
}

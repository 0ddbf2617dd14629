/**
 * What the format parsers produce: the objects found in a file, each tagged with what it is
 * and where it came from, before any validation.
 */

export type RecordKind = 'rule' | 'exception_list' | 'exception_item' | 'export_summary' | 'ignored';

export interface SourceRecord {
  kind: RecordKind;
  /** File, `file:line` for NDJSON, `file#index` for a JSON array element. */
  source: string;
  raw: unknown;
  /** Prefix for field paths in messages (`rule` for TOML's [rule] table). */
  pathPrefix?: string;
  /** Why an `ignored` record was skipped. */
  note?: string;
}

/** A file or line that could not be read at all (syntax error, too large, unreadable). */
export interface SourceError {
  source: string;
  message: string;
  /** What could still be read of the rule (e.g. its rule_id from a TOML file with a syntax error). */
  identity?: { rule_id?: string; name?: string; type?: string; language?: string };
}

export interface ParsedSource {
  records: SourceRecord[];
  errors: SourceError[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const EXCEPTION_LIST_TYPES = new Set([
  'detection',
  'rule_default',
  'endpoint',
  'endpoint_trusted_apps',
  'endpoint_trusted_devices',
  'endpoint_events',
  'endpoint_host_isolation_exceptions',
  'endpoint_blocklists',
]);

/**
 * What a JSON object from a Kibana export is: the export summary line, an exception list
 * container, an exception item, another saved object (action connectors), or a rule.
 */
export function classifyObject(obj: unknown): { kind: RecordKind; note?: string } {
  if (!isRecord(obj)) return { kind: 'rule' };
  // Rule exports end with `exported_count` / `exported_rules_count`, exception list exports
  // with `exported_exception_list_count` / `exported_exception_list_item_count`.
  if (obj.rule_id === undefined && Object.keys(obj).some((k) => k.startsWith('exported_')))
    return { kind: 'export_summary' };
  if (obj.rule_id === undefined && 'item_id' in obj && 'entries' in obj) return { kind: 'exception_item' };
  if (
    obj.rule_id === undefined &&
    typeof obj.list_id === 'string' &&
    typeof obj.type === 'string' &&
    EXCEPTION_LIST_TYPES.has(obj.type)
  )
    return { kind: 'exception_list' };
  if (obj.rule_id === undefined && isRecord(obj.attributes) && typeof obj.type === 'string')
    return { kind: 'ignored', note: `saved object of type "${obj.type}" (not a rule)` };
  return { kind: 'rule' };
}

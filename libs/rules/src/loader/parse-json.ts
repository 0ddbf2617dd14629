/**
 * Kibana rule export NDJSON (one saved object per line: rules, exception list containers and
 * items, and the trailing `{"exported_count": ...}` summary) and plain JSON (one rule object or
 * an array of them, possibly mixed with exception lists and items).
 */
import { ruleLabel } from '../schema/issues';
import { classifyObject, type ParsedSource, type SourceRecord } from './records';

/** How much of an unreadable rule is scanned for its rule_id. */
export const SALVAGE_CHARS = 64 * 1024;

export const DEFAULT_MAX_LINE_BYTES = 2 * 1024 * 1024;

export function parseNdjson(
  text: string,
  source: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): ParsedSource {
  const out: ParsedSource = { records: [], errors: [] };
  const lines = text.split('\n');
  lines.forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '') return;
    const where = `${source}:${i + 1}`;
    if (Buffer.byteLength(line) > maxLineBytes) {
      const identity = salvageJsonIdentity(line.slice(0, SALVAGE_CHARS));
      out.errors.push({
        source: where,
        message: `${ruleLabel(where, identity.rule_id)}: line is ${formatBytes(Buffer.byteLength(line))}, larger than the ${formatBytes(maxLineBytes)} limit for one rule`,
        identity,
      });
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      const identity = salvageJsonIdentity(line.slice(0, SALVAGE_CHARS));
      out.errors.push({
        source: where,
        message: `${ruleLabel(where, identity.rule_id)}: invalid JSON: ${(err as Error).message}`,
        identity,
      });
      return;
    }
    out.records.push(toRecord(obj, where));
  });
  return out;
}

export function parseJson(text: string, source: string): ParsedSource {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const identity = salvageJsonIdentity(text.slice(0, SALVAGE_CHARS));
    return {
      records: [],
      errors: [
        {
          source,
          message: `${ruleLabel(source, identity.rule_id)}: invalid JSON: ${(err as Error).message}`,
          identity,
        },
      ],
    };
  }
  if (Array.isArray(value))
    return { records: value.map((v, i) => toRecord(v, `${source}#${i}`)), errors: [] };
  return { records: [toRecord(value, source)], errors: [] };
}

function toRecord(obj: unknown, source: string): SourceRecord {
  const { kind, note } = classifyObject(obj);
  return note === undefined ? { kind, source, raw: obj } : { kind, source, raw: obj, note };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/**
 * The `"rule_id": "..."` of JSON that cannot be parsed (broken or too large), so the report can
 * still say which rule it is. Only rule_id: `name` and `type` also occur in nested objects.
 */
export function salvageJsonIdentity(text: string): { rule_id?: string } {
  let from = 0;
  for (;;) {
    const at = text.indexOf('"rule_id"', from);
    if (at < 0) return {};
    from = at + 9;
    let i = from;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== ':') continue;
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '"') continue;
    const end = text.indexOf('"', i + 1);
    // rule ids are UUIDs or simple slugs: a backslash means an escape we do not decode.
    if (end > i + 1 && !text.slice(i + 1, end).includes('\\')) return { rule_id: text.slice(i + 1, end) };
  }
}

/**
 * Kibana rule export NDJSON (one saved object per line: rules, exception list containers and
 * items, and the trailing `{"exported_count": ...}` summary) and plain JSON (one rule object or
 * an array of them, possibly mixed with exception lists and items).
 */
import { classifyObject, type ParsedSource, type SourceRecord } from './records';

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
      out.errors.push({
        source: where,
        message: `${where}: line is ${formatBytes(Buffer.byteLength(line))}, larger than the ${formatBytes(maxLineBytes)} limit for one rule`,
      });
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      out.errors.push({ source: where, message: `${where}: invalid JSON: ${(err as Error).message}` });
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
    return {
      records: [],
      errors: [{ source, message: `${source}: invalid JSON: ${(err as Error).message}` }],
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

/**
 * Kibana value lists (Security → Manage value lists): named sets of values that exception
 * entries of type `list` refer to by id. Kibana imports and exports them as plain text, one
 * value per line; the list id defaults to the file name, as Kibana's import does.
 */
import { ipInRange, parseIp, parseIpRange, type IpRange } from './ip';
import { scalarText, type Scalar } from './values';

export interface ValueList {
  id: string;
  values: string[];
}

export type ValueLists = ReadonlyMap<string, ValueList>;

/** Parses the text of a value list file. Blank lines are skipped; `\r` and a BOM are dropped. */
export function parseValueList(id: string, text: string): ValueList {
  const values: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') values.push(line);
  }
  return { id, values };
}

/** Kibana's list types that change how a value is compared; every other type is exact. */
export type ValueMatcher = (value: Scalar) => boolean;

/**
 * Builds the membership test Kibana's exception builder would express as a query:
 * `terms` for keyword-like types, CIDR/range containment for `ip` / `ip_range`, and for `text`
 * an analyzed `match` with operator `and` (every token of a list value appears in the field).
 * Throws when a value cannot be read as the list type says (e.g. a bad CIDR in an ip list).
 */
export function compileValueListMatcher(list: ValueList, type: string): ValueMatcher {
  if (type === 'ip' || type === 'ip_range') {
    const ranges: IpRange[] = list.values.map((v, i) => {
      const r = parseIpRange(v);
      if (!r)
        throw new Error(`value list "${list.id}" line ${i + 1}: "${v}" is not an IP address, CIDR or range`);
      return r;
    });
    return (value) => {
      const ip = parseIp(scalarText(value));
      return ip !== undefined && ranges.some((r) => ipInRange(ip, r));
    };
  }
  if (type === 'text') {
    const phrases = list.values.map(tokenize).filter((t) => t.length > 0);
    return (value) => {
      const tokens = new Set(tokenize(scalarText(value)));
      return phrases.some((p) => p.every((t) => tokens.has(t)));
    };
  }
  const exact = new Set(list.values);
  return (value) => exact.has(scalarText(value));
}

/** An approximation of Elasticsearch's standard analyzer: lower-cased letter/digit runs. */
function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((t) => t.length > 0);
}

/**
 * detection-rules TOML: a `[metadata]` table and a `[rule]` table (plus `[transform]`, which
 * only renders investigation-guide templates and is ignored). The `[rule]` table uses the same
 * field names as Kibana's API except `[rule.new_terms]`, which the schema accepts as is.
 *
 * detection-rules also keeps exception lists as TOML (its `exceptions/` folder): `[metadata]`
 * and `[[exceptions]]`, each with an `[exceptions.container]` (the list) and
 * `[[exceptions.items]]`, in Kibana's field names. Those become exception list and item
 * records, as if they came from an export. Action connector files are skipped.
 */
import { parse, TomlError } from 'smol-toml';
import type { ParsedSource } from './records';

export function parseTomlRules(text: string, source: string): ParsedSource {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    const reason = (err as Error).message.split('\n')[0];
    return {
      records: [],
      errors: [
        {
          source,
          message: `${source}: TOML syntax error${where}: ${reason}`,
          identity: salvageIdentity(text),
        },
      ],
    };
  }
  const rule = doc.rule;
  if (rule === undefined && Array.isArray(doc.exceptions)) return exceptionRecords(doc.exceptions, source);
  if (rule === undefined && Array.isArray(doc.action_connectors))
    return {
      records: [
        { kind: 'ignored', source, raw: doc, note: 'detection-rules action connector file (not a rule)' },
      ],
      errors: [],
    };
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    return {
      records: [],
      errors: [
        {
          source,
          message: `${source}: rule: expected a [rule] table, got ${rule === undefined ? 'none' : typeof rule}`,
        },
      ],
    };
  }
  return { records: [{ kind: 'rule', source, raw: rule, pathPrefix: 'rule' }], errors: [] };
}

/**
 * Reads `rule_id = "..."`, `name = "..."` and `type = "..."` lines from a file that does not
 * parse, so a report can still say which rule is broken.
 */
export function salvageIdentity(text: string): { rule_id?: string; name?: string; type?: string } {
  const out: { rule_id?: string; name?: string; type?: string } = {};
  for (const line of text.split('\n', 5000)) {
    for (const key of ['rule_id', 'name', 'type'] as const) {
      if (out[key] !== undefined || !line.startsWith(key)) continue;
      const rest = line.slice(key.length).trimStart();
      if (!rest.startsWith('=')) continue;
      const value = rest.slice(1).trim();
      const quote = value[0];
      if (quote !== '"' && quote !== "'") continue;
      const end = value.indexOf(quote, 1);
      if (end > 1) out[key] = value.slice(1, end);
    }
  }
  return out;
}

/** `[[exceptions]]` of a detection-rules exception file → list and item records. */
function exceptionRecords(exceptions: unknown[], source: string): ParsedSource {
  const out: ParsedSource = { records: [], errors: [] };
  exceptions.forEach((entry, i) => {
    const where = `${source}#exceptions[${i}]`;
    const e = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
    if (e.container === undefined) {
      out.errors.push({
        source: where,
        message: `${where}: container: expected an [exceptions.container] table, got none`,
      });
      return;
    }
    out.records.push({ kind: 'exception_list', source: where, raw: e.container });
    const items = Array.isArray(e.items) ? e.items : [];
    items.forEach((item, j) => {
      out.records.push({
        kind: 'exception_item',
        source: `${where}.items[${j}]`,
        raw: withListEntries(item),
      });
    });
  });
  return out;
}

/** detection-rules names a list entry's list `list_vals` in some versions; Kibana names it `list`. */
function withListEntries(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || !Array.isArray((item as { entries?: unknown }).entries))
    return item;
  const entries = (item as { entries: unknown[] }).entries.map((en) => {
    if (en === null || typeof en !== 'object') return en;
    const { list_vals: listVals, ...rest } = en as Record<string, unknown>;
    return listVals !== undefined && rest.list === undefined ? { ...rest, list: listVals } : en;
  });
  return { ...(item as Record<string, unknown>), entries };
}

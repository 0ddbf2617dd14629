/**
 * detection-rules TOML: a `[metadata]` table and a `[rule]` table (plus `[transform]`, which
 * only renders investigation-guide templates and is ignored). The `[rule]` table uses the same
 * field names as Kibana's API except `[rule.new_terms]`, which the schema accepts as is.
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

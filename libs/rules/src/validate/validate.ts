/**
 * The core of `sequent rules validate PATH...` (DESIGN.md): load rules, then report per rule
 * whether it loaded and why not, and totals by type and language. The CLI prints
 * `formatValidationText` (or `formatValidationNdjson` with --json) and exits with
 * `validationExitCode`.
 */
import { loadRules, type LoadOptions, type LoadResult } from '../loader/load';

export interface RuleValidationRow {
  path: string;
  rule_id?: string;
  name?: string;
  type?: string;
  language?: string;
  /** True when the rule loaded (runnable, or loaded but unsupported in the stream). */
  ok: boolean;
  error?: string;
  /** Set when the rule loaded but cannot run in the stream (ES|QL, ML, ...). */
  unsupported?: string;
  warnings?: string[];
}

export function validateRules(paths: readonly string[], options: LoadOptions = {}): RuleValidationRow[] {
  return validationRows(loadRules(paths, options));
}

/** One row per rule (and per file or exception object that failed), in load order. */
export function validationRows(result: LoadResult): RuleValidationRow[] {
  const rows: RuleValidationRow[] = result.reports.map((r) => {
    const row: RuleValidationRow = { path: r.source, ok: r.status !== 'failed' };
    if (r.rule_id !== undefined) row.rule_id = r.rule_id;
    if (r.name !== undefined) row.name = r.name;
    if (r.type !== undefined) row.type = r.type;
    if (r.language !== undefined) row.language = r.language;
    if (r.errors.length > 0) row.error = r.errors.join('\n');
    if (r.reason !== undefined) row.unsupported = r.reason;
    if (r.warnings.length > 0) row.warnings = [...r.warnings];
    return row;
  });
  for (const e of result.otherErrors) rows.push({ path: e.source, ok: false, error: e.message });
  return rows;
}

export function validationExitCode(rows: readonly RuleValidationRow[]): 0 | 1 {
  return rows.every((r) => r.ok) ? 0 : 1;
}

/**
 * One `--json` line (DESIGN.md): `{"path", "rule_id", "name", "type", "language", "ok", "error"?}`,
 * always in that order, with `null` for what could not be read (a file that does not parse).
 * Loaded-but-unsupported rules add `unsupported` (the reason) and rules with notes add
 * `warnings`.
 */
export function validationJson(r: RuleValidationRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    path: r.path,
    rule_id: r.rule_id ?? null,
    name: r.name ?? null,
    type: r.type ?? null,
    language: r.language ?? null,
    ok: r.ok,
  };
  if (r.error !== undefined) out.error = r.error;
  if (r.unsupported !== undefined) out.unsupported = r.unsupported;
  if (r.warnings !== undefined) out.warnings = r.warnings;
  return out;
}

/** `--json`: one NDJSON line per row. */
export function formatValidationNdjson(rows: readonly RuleValidationRow[]): string {
  return rows.map((r) => JSON.stringify(validationJson(r))).join('\n') + (rows.length > 0 ? '\n' : '');
}

interface Tally {
  total: number;
  loaded: number;
  unsupported: number;
  failed: number;
}

function tally(
  rows: readonly RuleValidationRow[],
  key: (r: RuleValidationRow) => string,
): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const r of rows) {
    const k = key(r);
    const t = out.get(k) ?? { total: 0, loaded: 0, unsupported: 0, failed: 0 };
    t.total++;
    if (!r.ok) t.failed++;
    else if (r.unsupported) t.unsupported++;
    else t.loaded++;
    out.set(k, t);
  }
  return out;
}

function describeTally(t: Tally): string {
  const parts = [`${t.loaded} loaded`];
  if (t.unsupported > 0) parts.push(`${t.unsupported} unsupported`);
  if (t.failed > 0) parts.push(`${t.failed} failed`);
  return `${t.total} (${parts.join(', ')})`;
}

function tallyLines(title: string, tallies: Map<string, Tally>): string[] {
  const entries = [...tallies.entries()].sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]));
  const width = Math.max(...entries.map(([k]) => k.length), 0);
  return [title, ...entries.map(([k, t]) => `  ${k.padEnd(width)}  ${describeTally(t)}`)];
}

/** Human-readable report: one line per rule (errors indented below), then totals. */
export function formatValidationText(rows: readonly RuleValidationRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    const status = !r.ok ? 'FAIL' : r.unsupported ? 'UNSUPPORTED' : 'ok';
    const kind = r.type ? ` ${r.type}${r.language ? `/${r.language}` : ''}` : '';
    const id = r.rule_id ? ` [${r.rule_id}]` : '';
    const name = r.name ? ` ${JSON.stringify(r.name)}` : '';
    lines.push(`${status.padEnd(11)} ${r.path}${id}${kind}${name}`);
    if (r.error) for (const e of r.error.split('\n')) lines.push(`            ${e}`);
    if (r.unsupported) lines.push(`            not run in the stream: ${r.unsupported}`);
    for (const w of r.warnings ?? []) lines.push(`            warning: ${w}`);
  }
  const all = tally(rows, () => 'all');
  const t = all.get('all') ?? { total: 0, loaded: 0, unsupported: 0, failed: 0 };
  lines.push('');
  lines.push(`Total: ${describeTally(t)}`);
  lines.push(
    ...tallyLines(
      'By type:',
      tally(rows, (r) => r.type ?? '(unknown)'),
    ),
  );
  lines.push(
    ...tallyLines(
      'By language:',
      tally(rows, (r) => r.language ?? '(none)'),
    ),
  );
  return lines.join('\n') + '\n';
}

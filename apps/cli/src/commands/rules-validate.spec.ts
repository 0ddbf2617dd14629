/**
 * `sequent rules validate PATH... [--json]` as DESIGN.md states it: a line per rule, totals by
 * type and language, exit 1 when any rule failed; with --json one NDJSON line per rule
 * `{"path", "rule_id", "name", "type", "language", "ok", "error"?}`.
 *
 * The rules here need no query compiler (ES|QL, machine learning, a threshold rule with an
 * empty query) or fail before compiling, so the test is about the command, not KQL or EQL.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../command';
import { rulesValidateCommand } from './rules-validate';

const rule = (id: string, extra: Record<string, unknown>) => ({
  rule_id: id,
  name: `Rule ${id}`,
  description: 'd',
  risk_score: 21,
  severity: 'low',
  index: ['logs-*'],
  ...extra,
});

let dir: string;
let goodDir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sequent-rules-validate-'));
  goodDir = path.join(dir, 'good');
  mkdirSync(goodDir);
  const good = [
    rule('th-1', {
      type: 'threshold',
      language: 'kuery',
      query: '',
      threshold: { field: 'host.id', value: 5 },
    }),
    rule('es-1', { type: 'esql', language: 'esql', query: 'from logs-* | limit 1' }),
    rule('ml-1', { type: 'machine_learning', anomaly_threshold: 50, machine_learning_job_id: 'j' }),
  ];
  writeFileSync(path.join(goodDir, 'good.ndjson'), good.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'bad.toml'),
    [
      '[metadata]',
      'creation_date = "2024/01/01"',
      '[rule]',
      'rule_id = "bad-1"',
      'name = "Bad one"',
      'description = "d"',
      'type = "threshold"',
      'language = "kuery"',
      'query = ""',
      'risk_score = "high"',
      'severity = "low"',
      '[rule.threshold]',
      'field = ["host.id"]',
      'value = 3',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await rulesValidateCommand.run(args);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

describe('sequent rules validate', () => {
  it('prints a line per rule and totals by type and language; exit 0 when all loaded', async () => {
    const { code, out } = await run([goodDir]);
    const file = path.join(goodDir, 'good.ndjson');
    expect(code).toBe(0);
    expect(out).toContain(`ok          ${file}:1 [th-1] threshold/kuery "Rule th-1"`);
    expect(out).toContain(`UNSUPPORTED ${file}:2 [es-1] esql/esql "Rule es-1"`);
    expect(out).toContain(`UNSUPPORTED ${file}:3 [ml-1] machine_learning "Rule ml-1"`);
    expect(out).toContain('not run in the stream: machine learning rules');
    expect(out).toContain('Total: 3 (1 loaded, 2 unsupported)');
    expect(out).toMatch(/By type:\n {2}esql +1 \(0 loaded, 1 unsupported\)/);
    expect(out).toMatch(/By language:\n/);
    expect(out).toMatch(/ {2}\(none\) +1 \(0 loaded, 1 unsupported\)/);
  });

  it('exits 1 and names the rule and the field when a rule fails', async () => {
    const { code, out } = await run([dir]);
    expect(code).toBe(1);
    expect(out).toContain(`FAIL        ${path.join(dir, 'bad.toml')} [bad-1] threshold/kuery "Bad one"`);
    expect(out).toContain(`[bad-1]: rule.risk_score: expected an integer, got "high"`);
    expect(out).toContain('Total: 4 (1 loaded, 2 unsupported, 1 failed)');
  });

  it('--json writes one NDJSON line per rule in the DESIGN.md shape', async () => {
    const { code, out } = await run(['--json', dir]);
    expect(code).toBe(1);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      path: path.join(dir, 'bad.toml'),
      rule_id: 'bad-1',
      name: 'Bad one',
      type: 'threshold',
      language: 'kuery',
      ok: false,
      error: `${path.join(dir, 'bad.toml')} [bad-1]: rule.risk_score: expected an integer, got "high"`,
    });
    expect(rows.slice(1).map((r) => [r.rule_id, r.type, r.language, r.ok, 'error' in r])).toEqual([
      ['th-1', 'threshold', 'kuery', true, false],
      ['es-1', 'esql', 'esql', true, false],
      ['ml-1', 'machine_learning', null, true, false],
    ]);
    for (const r of rows)
      expect(Object.keys(r).slice(0, 6)).toEqual(['path', 'rule_id', 'name', 'type', 'language', 'ok']);
  });

  it('warns on stderr about a folder without rule files', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'notes.txt'), 'not a rule');
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { code, out } = await run([empty]);
      expect(code).toBe(0);
      expect(out).toContain('Total: 0 (0 loaded)');
      expect(err).toHaveBeenCalledWith(
        `warning: ${empty}: no rule files (.toml, .ndjson, .jsonl, .json) in this folder\n`,
      );
    } finally {
      err.mockRestore();
    }
  });

  it('reports a missing path as a failure, and refuses no paths or unknown options', async () => {
    const missing = path.join(dir, 'nope');
    const { code, out } = await run(['--json', missing]);
    expect(code).toBe(1);
    expect(JSON.parse(out.trim())).toMatchObject({
      path: missing,
      ok: false,
      error: expect.stringContaining('no such file'),
    });
    await expect(rulesValidateCommand.run([])).rejects.toBeInstanceOf(UsageError);
    await expect(rulesValidateCommand.run(['--jsn', dir])).rejects.toBeInstanceOf(UsageError);
  });
});

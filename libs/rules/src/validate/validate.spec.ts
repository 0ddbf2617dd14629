import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fakeLanguages } from '../compile/fake-languages.testing';
import { formatValidationNdjson, formatValidationText, validateRules, validationExitCode } from './validate';

const rule = (id: string, extra: Record<string, unknown> = {}) => ({
  rule_id: id,
  name: `Rule ${id}`,
  description: 'd',
  type: 'query',
  language: 'kuery',
  query: 'process.name:bash',
  risk_score: 21,
  severity: 'low',
  ...extra,
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sequent-validate-'));
  const lines = [
    rule('ok-1'),
    rule('ok-2', { type: 'eql', language: 'eql', query: 'process where process.name == "bash"' }),
    rule('es-1', { type: 'esql', language: 'esql', query: 'from logs-*' }),
    rule('bad-1', { severity: 'urgent' }),
  ];
  writeFileSync(path.join(dir, 'rules.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validateRules', () => {
  it('gives one row per rule with type, language, ok and error', () => {
    const rows = validateRules([dir], { languages: fakeLanguages });
    const file = path.join(dir, 'rules.ndjson');
    expect(rows).toEqual([
      { path: `${file}:1`, rule_id: 'ok-1', name: 'Rule ok-1', type: 'query', language: 'kuery', ok: true },
      { path: `${file}:2`, rule_id: 'ok-2', name: 'Rule ok-2', type: 'eql', language: 'eql', ok: true },
      {
        path: `${file}:3`,
        rule_id: 'es-1',
        name: 'Rule es-1',
        type: 'esql',
        language: 'esql',
        ok: true,
        unsupported: expect.stringContaining('ES|QL'),
      },
      {
        path: `${file}:4`,
        rule_id: 'bad-1',
        name: 'Rule bad-1',
        type: 'query',
        language: 'kuery',
        ok: false,
        error: `${file}:4 [bad-1]: severity: expected one of "low", "medium", "high", "critical", got "urgent"`,
      },
    ]);
    expect(validationExitCode(rows)).toBe(1);
    expect(validationExitCode(rows.filter((r) => r.ok))).toBe(0);
  });

  it('prints per-rule status and totals by type and language', () => {
    const text = formatValidationText(validateRules([dir], { languages: fakeLanguages }));
    const file = path.join(dir, 'rules.ndjson');
    expect(text).toContain(`ok          ${file}:1 [ok-1] query/kuery "Rule ok-1"`);
    expect(text).toContain(`UNSUPPORTED ${file}:3 [es-1] esql/esql "Rule es-1"`);
    expect(text).toContain(`FAIL        ${file}:4 [bad-1] query/kuery "Rule bad-1"`);
    expect(text).toContain('severity: expected one of');
    expect(text).toContain('Total: 4 (2 loaded, 1 unsupported, 1 failed)');
    expect(text).toMatch(
      /By type:\n {2}query {2}2 \(1 loaded, 1 failed\)\n {2}eql {4}1 \(1 loaded\)\n {2}esql {3}1 \(0 loaded, 1 unsupported\)/,
    );
    expect(text).toMatch(/By language:\n {2}kuery {2}2 \(1 loaded, 1 failed\)/);
  });

  it('writes one JSON line per rule for --json', () => {
    const out = formatValidationNdjson(validateRules([dir], { languages: fakeLanguages }));
    const parsed = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed.map((p) => [p.rule_id, p.ok])).toEqual([
      ['ok-1', true],
      ['ok-2', true],
      ['es-1', true],
      ['bad-1', false],
    ]);
    expect(Object.keys(parsed[0])).toEqual(['path', 'rule_id', 'name', 'type', 'language', 'ok']);
    expect(Object.keys(parsed[3])).toEqual(['path', 'rule_id', 'name', 'type', 'language', 'ok', 'error']);
    expect(parsed[2].unsupported).toContain('ES|QL');
  });

  it('names what it could read of a file that does not parse, null for the rest', () => {
    const broken = path.join(dir, 'broken', 'x.toml');
    mkdirSync(path.dirname(broken));
    writeFileSync(broken, '[rule]\nrule_id = "b-1"\nquery = """\n');
    const [row] = formatValidationNdjson(validateRules([broken], { languages: fakeLanguages }))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(row).toEqual({
      path: broken,
      rule_id: 'b-1',
      name: null,
      type: null,
      language: null,
      ok: false,
      error: expect.stringMatching(/x\.toml: TOML syntax error at line \d+/),
    });
  });
});

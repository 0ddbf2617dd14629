// Hostile rule files: the loader reports what it cannot read (per file, with a reason) and never
// throws, hangs or lets a document's keys reach Object.prototype, whatever the TOML or NDJSON.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { loadRulesFromText } from '@sequent/rules';

const rulesDir = path.resolve(__dirname, '..', '..', 'rules');
const bundled = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.toml'))
  .map((f) => readFileSync(path.join(rulesDir, f), 'utf8'));

function damaged(): fc.Arbitrary<string> {
  return fc
    .record({
      file: fc.nat(bundled.length - 1),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      len: fc.integer({ min: 1, max: 200 }),
      junk: fc.string({ unit: 'binary', maxLength: 30 }),
      op: fc.constantFrom('truncate', 'insert', 'delete', 'duplicate'),
    })
    .map(({ file, at, len, junk, op }) => {
      const text = bundled[file];
      const i = Math.floor(at * text.length);
      if (op === 'truncate') return text.slice(0, i);
      if (op === 'insert') return text.slice(0, i) + junk + text.slice(i);
      if (op === 'delete') return text.slice(0, i) + text.slice(i + len);
      return text.slice(0, i + len) + text.slice(i);
    });
}

const hostileToml = [
  `[rule]\nquery = '''${'('.repeat(10_000)}'''\n`,
  `a = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
  `[__proto__]\npolluted = true\n[rule.constructor.prototype]\npolluted = true\n`,
  `[metadata]\n[rule]\ntype = "eql"\nlanguage = "eql"\nquery = '''process where process.name : "${'*a'.repeat(5_000)}"'''\n`,
  `[rule]\ntype = "eql"\nlanguage = "eql"\nquery = '''sequence ${'[process where true] '.repeat(2_000)}'''\n`,
  'x'.repeat(2_000_000),
  '\u0000\u0000[rule]\n',
];

const hostileNdjson = [
  `{"__proto__":{"polluted":true},"rule_id":"x","type":"query","language":"kuery","query":"a:b"}`,
  `{"constructor":{"prototype":{"polluted":true}}}`,
  `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  `{"rule_id":7,"type":["eql"],"query":{"a":1},"index":"*"}`,
  `{"type":"eql","language":"eql","query":"${'a'.repeat(1_000_000)}"}`,
];

describe('rule loader under hostile files', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws on damaged copies of the bundled rules (seeded)', () => {
    fc.assert(
      fc.property(damaged(), (text) => {
        const result = loadRulesFromText(text, 'fuzz.toml', 'toml');
        expect(result.reports.length + result.rules.length).toBeGreaterThan(0);
      }),
      { seed: 20261130, numRuns: 400 },
    );
  });

  it('never throws on random text as TOML or NDJSON (seeded)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (text, toml) => {
        loadRulesFromText(text, toml ? 'fuzz.toml' : 'fuzz.ndjson', toml ? 'toml' : 'ndjson');
      }),
      { seed: 20261130, numRuns: 400 },
    );
  });

  it.each(hostileToml.map((t, i) => [i, t]))('reports hostile TOML #%s instead of throwing', (_i, text) => {
    const result = loadRulesFromText(text as string, 'hostile.toml', 'toml');
    expect(result.rules).toEqual([]);
    expect(result.reports.some((r) => r.status === 'failed')).toBe(true);
  });

  it.each(hostileNdjson.map((t, i) => [i, t]))(
    'reports hostile NDJSON #%s instead of throwing',
    (_i, text) => {
      const result = loadRulesFromText(text as string, 'hostile.ndjson', 'ndjson');
      expect(result.rules).toEqual([]);
    },
  );
});

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';

/** Shape checks for the bundled rule pack in rules/ (loading through the engine is tested elsewhere). */
const RULES_DIR = path.resolve(__dirname, '../../../rules');
const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.toml'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface RuleFile {
  metadata: Record<string, string>;
  rule: Record<string, unknown> & { threat?: unknown[] };
}

describe('bundled rule pack', () => {
  const parsed = files.map((f) => ({
    file: f,
    doc: parse(readFileSync(path.join(RULES_DIR, f), 'utf8')) as unknown as RuleFile,
  }));

  it('has 6-10 rules covering eql, kql query, new_terms and threshold', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(files.length).toBeLessThanOrEqual(10);
    const types = new Set(parsed.map((p) => `${String(p.doc.rule.type)}/${String(p.doc.rule.language)}`));
    for (const t of ['eql/eql', 'query/kuery', 'new_terms/kuery', 'threshold/kuery'])
      expect(types).toContain(t);
  });

  it.each(files)('%s carries our own authorship, licence, guide and MITRE mapping', (file) => {
    const { doc } = parsed.find((p) => p.file === file) as { doc: RuleFile };
    expect(doc.metadata.maturity).toBe('production');
    expect(doc.metadata.creation_date).toMatch(/^\d{4}\/\d{2}\/\d{2}$/);
    expect(doc.rule.author).toEqual(['sequent']);
    expect(doc.rule.license).toBe('Apache-2.0');
    expect(String(doc.rule.rule_id)).toMatch(UUID);
    for (const key of ['name', 'description', 'query', 'note', 'severity', 'from'])
      expect(String(doc.rule[key]).length).toBeGreaterThan(3);
    expect(Array.isArray(doc.rule.index)).toBe(true);
    expect(doc.rule.threat?.length).toBeGreaterThan(0);
  });

  it('uses a fresh rule id per rule, none borrowed from the Elastic corpus rules it mirrors', () => {
    const ids = parsed.map((p) => String(p.doc.rule.rule_id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const borrowed of [
      'ad959eeb-2b7b-4722-ba08-a45f6622f005',
      '7c2e1297-7664-42bc-af11-6d5d35220b6b',
      'eaef8a35-12e0-4ac0-bc14-81c72b6bd27c',
      'f4d1c0ac-aedb-4063-9fa6-cc651eb5e6ee',
    ]) {
      expect(ids).not.toContain(borrowed);
    }
  });
});

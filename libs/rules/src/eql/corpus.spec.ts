/**
 * Every `language = "eql"` rule of the detection-rules corpus (../shared/corpus/detection-rules)
 * compiles with this compiler, with the rule's own EQL settings.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { compileEql } from './index';

const REPO = path.resolve(__dirname, '../../../..');
const CORPUS = path.join(path.resolve(REPO, '..', 'shared'), 'corpus/detection-rules');
const present = existsSync(CORPUS);
if (!present) console.warn(`eql corpus.spec: skipped, ${CORPUS} (../shared) is absent`);
const describeIf = present ? describe : describe.skip;

function tomlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tomlFiles(p));
    else if (name.endsWith('.toml')) out.push(p);
  }
  return out;
}

interface RuleToml {
  rule?: {
    language?: string;
    query?: string;
    event_category_override?: string;
    timestamp_field?: string;
    tiebreaker_field?: string;
  };
}

describeIf('detection-rules corpus', () => {
  it('compiles every EQL rule', () => {
    const failures: string[] = [];
    let count = 0;
    const kinds: Record<string, number> = {};
    for (const file of tomlFiles(CORPUS)) {
      const rule = (parse(readFileSync(file, 'utf8')) as unknown as RuleToml).rule;
      if (rule?.language !== 'eql' || typeof rule.query !== 'string') continue;
      count++;
      try {
        const compiled = compileEql(rule.query, {
          eventCategoryField: rule.event_category_override,
          timestampField: rule.timestamp_field,
          tiebreakerField: rule.tiebreaker_field,
        });
        kinds[compiled.kind] = (kinds[compiled.kind] ?? 0) + 1;
      } catch (e) {
        failures.push(`${path.relative(CORPUS, file)}: ${(e as Error).message}`);
      }
    }
    console.log(`EQL corpus: ${count - failures.length}/${count} rules compile ${JSON.stringify(kinds)}`);
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(0);
  });
});

/**
 * The Elastic detection-rules corpus (../shared/corpus/detection-rules, both folders) and the
 * bundled rules/ pack through the real KQL and EQL compilers: every rule loads with its type
 * and language, every non-ES|QL rule compiles, and a Kibana export round trip gives the same
 * compiled detection (meta, settings, and verdicts on the bundled sample events).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CompiledRule, Condition } from '../compiled-rule';
import { eventIndex } from '../index-pattern/index-pattern';
import { toKibanaNdjson } from '../export/kibana-ndjson';
import { acceptAllLanguages } from '../compile/fake-languages.testing';
import { loadRules, loadRulesFromText, type LoadResult, type LoadOptions } from './load';

const REPO = path.resolve(__dirname, '../../../..');
const SHARED = path.resolve(REPO, '../shared');
const CORPUS = path.join(SHARED, 'corpus/detection-rules');
const SAMPLE = path.join(REPO, 'samples/fleet.ndjson');
const haveCorpus = existsSync(CORPUS);
// The real KQL and EQL compilers live in ../kql and ../eql (other modules of this lib). Until
// both are in the tree, rules load through compilers that accept any query, and the tests that
// need real compilation are skipped with a message.
const haveCompilers = ['../eql/index.ts', '../kql/index.ts'].every((f) =>
  existsSync(path.join(__dirname, f)),
);
const options: LoadOptions = haveCompilers ? {} : { languages: acceptAllLanguages };
const describeCompiled = haveCompilers ? describe : describe.skip;
if (!haveCompilers)
  console.warn(
    'corpus compile tests skipped: the real KQL/EQL compilers (src/kql, src/eql) are not in the tree yet',
  );
if (!haveCorpus) console.warn(`corpus.spec: skipped, ${CORPUS} (../shared) is absent`);

function countBy(
  result: LoadResult,
  key: (r: LoadResult['reports'][number]) => string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of result.reports) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

/** Every per-event predicate of a compiled rule, for comparing two compilations. */
function conditionsOf(rule: CompiledRule): Condition[] {
  if (rule.matcher.kind === 'filter') return [rule.matcher.condition];
  const eql = rule.matcher.eql as unknown as {
    stages?: Array<{ condition: Condition }>;
    until?: { condition: Condition };
  };
  const stages = [...(eql.stages ?? [])];
  if (eql.until) stages.push(eql.until);
  return stages.map((s) => s.condition);
}

(haveCorpus ? describe : describe.skip)('detection-rules corpus', () => {
  let result: LoadResult;
  beforeAll(() => {
    result = loadRules([path.join(CORPUS, 'linux'), path.join(CORPUS, 'rules_building_block')], options);
  });

  it('loads every rule, reporting its type and language', () => {
    const failures = result.reports.filter((r) => r.status === 'failed').map((r) => r.errors.join('; '));
    expect(failures).toEqual([]);
    expect(result.reports).toHaveLength(384);
    for (const r of result.reports) {
      expect(r.type).toBeDefined();
      expect(r.language).toBeDefined();
    }
    const byType = countBy(result, (r) => `${r.type}/${r.language}`);
    console.log(`corpus: ${result.reports.length} rules by type/language ${JSON.stringify(byType)}`);
    expect(byType).toEqual({
      'eql/eql': 295,
      'new_terms/kuery': 59,
      'query/kuery': 17,
      'threshold/kuery': 4,
      'esql/esql': 9,
    });
  });

  describeCompiled('with the real compilers', () => {
    it('compiles every non-ES|QL rule and reports ES|QL as unsupported', () => {
      expect(result.rules).toHaveLength(375);
      expect(result.unsupported.map((u) => u.meta.type)).toEqual(Array(9).fill('esql'));
      for (const rule of result.rules) {
        if (rule.meta.type === 'new_terms') expect(rule.newTerms?.historyWindowMs).toBeGreaterThan(0);
        if (rule.meta.type === 'threshold') expect(rule.threshold?.windowMs).toBeGreaterThan(0);
      }
      const withHints = result.rules.filter((r) => (r.prefilter.categories ?? []).length > 0).length;
      console.log(`corpus: ${withHints}/${result.rules.length} rules carry event-category pre-filter hints`);
    });

    it('round-trips through a Kibana export to the same compiled detection', () => {
      expect(result.rules).toHaveLength(375);
      const ndjson = toKibanaNdjson(result.definitions);
      const again = loadRulesFromText(ndjson, 'corpus-export.ndjson', 'ndjson', options);
      expect(again.reports.filter((r) => r.status === 'failed')).toEqual([]);
      expect(again.rules).toHaveLength(result.rules.length);
      expect(again.unsupported).toHaveLength(result.unsupported.length);

      const docs = existsSync(SAMPLE)
        ? readFileSync(SAMPLE, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => JSON.parse(l) as unknown)
        : [];
      let verdicts = 0;
      result.rules.forEach((a, i) => {
        const b = again.rules[i];
        const { source: _a, ...metaA } = a.meta;
        const { source: _b, ...metaB } = b.meta;
        expect(metaB).toEqual(metaA);
        expect([b.newTerms, b.threshold, b.prefilter, b.matcher.kind]).toEqual([
          a.newTerms,
          a.threshold,
          a.prefilter,
          a.matcher.kind,
        ]);
        const ca = conditionsOf(a);
        const cb = conditionsOf(b);
        expect(cb).toHaveLength(ca.length);
        for (const doc of docs) {
          const index = eventIndex(doc);
          const va = [a.matchesIndex(index), a.isExcepted(doc), ...ca.map((c) => c(doc))];
          const vb = [b.matchesIndex(index), b.isExcepted(doc), ...cb.map((c) => c(doc))];
          if (JSON.stringify(va) !== JSON.stringify(vb))
            expect({ rule: a.meta.rule_id, vb }).toEqual({ rule: a.meta.rule_id, vb: va });
          verdicts++;
        }
      });
      console.log(
        `corpus round trip: ${result.rules.length} rules, ${docs.length} sample events, ${verdicts} verdicts compared`,
      );
    });
  });
});

describe('bundled rules/ pack', () => {
  it('loads every rule', () => {
    const result = loadRules([path.join(REPO, 'rules')], options);
    expect(result.reports.filter((r) => r.status !== 'loaded')).toEqual([]);
    expect(result.rules.length).toBeGreaterThanOrEqual(6);
  });
});

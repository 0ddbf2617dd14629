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
import type { ValueList } from '../exceptions/value-lists';
import { parseValueList } from '../exceptions/value-lists';
import { collectRuleFiles, readRuleFile } from './files';
import { loadParsedSources, loadRules, loadRulesFromText, type LoadOptions, type LoadResult } from './load';
import { parseNdjson } from './parse-json';
import type { ParsedSource } from './records';

const REPO = path.resolve(__dirname, '../../../..');
const SHARED = path.resolve(REPO, '../shared');
const CORPUS = path.join(SHARED, 'corpus/detection-rules');
const SAMPLE = path.join(REPO, 'samples/fleet.ndjson');
const haveCorpus = existsSync(CORPUS);
// Real KQL and EQL compilers throughout (the loader's defaults).
const options: LoadOptions = {};
if (!haveCorpus) console.warn(`corpus.spec: skipped, ${CORPUS} (../shared) is absent`);

const CORPUS_FOLDERS = [path.join(CORPUS, 'linux'), path.join(CORPUS, 'rules_building_block')];
const NOW = Date.parse('2026-02-01T00:00:00Z');

/** One exception list with an item of every entry type and operator (and one expired item). */
const item = (id: string, entries: unknown[], extra: Record<string, unknown> = {}) => ({
  item_id: id,
  list_id: 'corpus-ex',
  namespace_type: 'single',
  type: 'simple',
  name: id,
  description: '',
  comments: [{ comment: 'ignored', created_by: 'a', created_at: '2026-01-01T00:00:00Z', id: 'c' }],
  entries,
  ...extra,
});
const CORPUS_EXCEPTIONS: unknown[] = [
  { list_id: 'corpus-ex', type: 'detection', namespace_type: 'single', name: 'corpus-ex', description: '' },
  item('match', [{ type: 'match', field: 'host.name', operator: 'included', value: 'web-03' }]),
  item('match_any+excluded', [
    { type: 'match_any', field: 'user.name', operator: 'included', value: ['alice', 'ops'] },
    { type: 'match', field: 'process.name', operator: 'excluded', value: 'bash' },
  ]),
  item('exists', [
    { type: 'exists', field: 'process.parent.name', operator: 'excluded' },
    { type: 'exists', field: 'process.pid', operator: 'included' },
  ]),
  item('wildcard', [
    { type: 'wildcard', field: 'process.executable', operator: 'included', value: '/usr/bin/apt*' },
  ]),
  item(
    'list',
    [{ type: 'list', field: 'host.name', operator: 'included', list: { id: 'hosts.txt', type: 'keyword' } }],
    { os_types: ['linux'] },
  ),
  item('nested', [
    {
      type: 'nested',
      field: 'dll.code_signature',
      entries: [{ type: 'match', field: 'subject_name', operator: 'included', value: 'Acme' }],
    },
  ]),
  item('expired', [{ type: 'exists', field: '@timestamp', operator: 'included' }], {
    expire_time: '2026-01-01T00:00:00Z',
  }),
];
const VALUE_LISTS = new Map<string, ValueList>([
  ['hosts.txt', parseValueList('hosts.txt', 'db-03\ncache-03\n')],
]);

function sampleDocs(): unknown[] {
  return existsSync(SAMPLE)
    ? readFileSync(SAMPLE, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as unknown)
    : [];
}

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
    const started = performance.now();
    result = loadRules(CORPUS_FOLDERS, options);
    const ms = performance.now() - started;
    console.log(
      `corpus: ${result.reports.length} rules read, validated and compiled in ${ms.toFixed(0)} ms` + '',
    );
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

  it('round-trips through a Kibana export (with exception lists and items) to the same detection', () => {
    // Every corpus rule gets a reference to one exception list holding an item of each entry
    // type, so the export carries lists and items and both loads apply them.
    const ref = { id: 'corpus-ex-id', list_id: 'corpus-ex', type: 'detection', namespace_type: 'single' };
    const sources: ParsedSource[] = collectRuleFiles(CORPUS_FOLDERS).files.map((f) => {
      const parsed = readRuleFile(f);
      for (const rec of parsed.records)
        if (rec.kind === 'rule') (rec.raw as Record<string, unknown>).exceptions_list = [ref];
      return parsed;
    });
    sources.push(
      parseNdjson(CORPUS_EXCEPTIONS.map((o) => JSON.stringify(o)).join('\n'), 'exceptions.ndjson'),
    );
    const withLists = { ...options, valueLists: VALUE_LISTS, now: NOW };
    const fromToml = loadParsedSources(sources, withLists);
    expect(fromToml.otherErrors).toEqual([]);
    expect(fromToml.reports.filter((r) => r.status === 'failed')).toEqual([]);
    expect(fromToml.reports.flatMap((r) => r.warnings)).toEqual([]);

    const ndjson = toKibanaNdjson(fromToml.definitions, {
      lists: fromToml.exceptions.allLists(),
      items: fromToml.exceptions.allItems(),
    });
    const summary = JSON.parse(ndjson.trim().split('\n').pop() ?? '{}');
    expect(summary).toMatchObject({
      exported_rules_count: 384,
      exported_exception_list_count: 1,
      exported_exception_list_item_count: CORPUS_EXCEPTIONS.length - 1,
    });
    const again = loadRulesFromText(ndjson, 'corpus-export.ndjson', 'ndjson', withLists);
    expect(again.otherErrors).toEqual([]);
    expect(again.reports.filter((r) => r.status === 'failed')).toEqual([]);
    expect(again.reports.map((r) => [r.rule_id, r.type, r.language, r.status])).toEqual(
      fromToml.reports.map((r) => [r.rule_id, r.type, r.language, r.status]),
    );
    expect(again.rules).toHaveLength(fromToml.rules.length);
    expect(again.unsupported.map((u) => u.meta)).toEqual(
      fromToml.unsupported.map((u) => ({ ...u.meta, source: expect.any(String) })),
    );

    // Every 8th sample event: each verdict is cheap, but rules × events adds up on a shared machine.
    const docs = sampleDocs().filter((_, i) => i % 8 === 0);
    const indices = docs.map(eventIndex);
    let verdicts = 0;
    let excepted = 0;
    let matched = 0;
    fromToml.rules.forEach((a, i) => {
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
      docs.forEach((doc, d) => {
        const va = [a.matchesIndex(indices[d]), a.isExcepted(doc), ...ca.map((c) => c(doc))];
        const vb = [b.matchesIndex(indices[d]), b.isExcepted(doc), ...cb.map((c) => c(doc))];
        if (va.some((v, k) => v !== vb[k]))
          expect({ rule: a.meta.rule_id, doc, vb }).toEqual({ rule: a.meta.rule_id, doc, vb: va });
        if (va[1]) excepted++;
        if (va.slice(2).some(Boolean)) matched++;
        verdicts++;
      });
    });
    // The exceptions really apply (to the same documents on both sides).
    expect(excepted).toBeGreaterThan(0);
    expect(excepted).toBeLessThan(verdicts);
    console.log(
      `corpus round trip: ${fromToml.rules.length} rules + ${fromToml.unsupported.length} unsupported, ` +
        `${docs.length} sample events, ${verdicts} verdicts compared (${excepted} excepted, ` +
        `${matched} stage/query matches)`,
    );
  });
});

describe('bundled rules/ pack', () => {
  it('loads every rule', () => {
    const result = loadRules([path.join(REPO, 'rules')], options);
    expect(result.reports.filter((r) => r.status !== 'loaded')).toEqual([]);
    expect(result.rules.length).toBeGreaterThanOrEqual(6);
  });
});

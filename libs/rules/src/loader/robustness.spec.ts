/**
 * Whatever a rule file holds, loading never throws, every failure is reported with a message
 * naming where it came from, and the good rule beside the bad ones still loads.
 */
import fc from 'fast-check';
import { loadRulesFromText } from './load';

const good = {
  rule_id: 'good',
  name: 'Good',
  description: 'd',
  type: 'query',
  language: 'kuery',
  query: 'process.name:bash',
  risk_score: 1,
  severity: 'low',
};

const FIELDS = [
  'rule_id',
  'name',
  'description',
  'type',
  'language',
  'query',
  'index',
  'filters',
  'from',
  'interval',
  'max_signals',
  'risk_score',
  'risk_score_mapping',
  'severity',
  'severity_mapping',
  'threshold',
  'new_terms_fields',
  'history_window_start',
  'alert_suppression',
  'threat',
  'tags',
  'exceptions_list',
  'investigation_fields',
  'required_fields',
  'version',
  '__proto__',
  'constructor',
  'item_id',
  'list_id',
  'entries',
  'exported_count',
  'attributes',
];

/** A rule-ish object: real field names with arbitrary JSON values, over a valid base or not. */
const ruleish = fc
  .tuple(
    fc.boolean(),
    fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
  )
  .map(([base, fields]) => (base ? { ...good, rule_id: 'x', ...fields } : fields));

describe('loading arbitrary objects', () => {
  it('never throws, names the source of every error, and still loads the good rule', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(ruleish, fc.jsonValue({ maxDepth: 2 })), { maxLength: 6 }), (objs) => {
        const lines = [...objs.map((o) => JSON.stringify(o)), JSON.stringify(good)];
        const result = loadRulesFromText(lines.join('\n'), 'fuzz.ndjson', 'ndjson');
        expect(result.rules.some((r) => r.meta.rule_id === 'good')).toBe(true);
        for (const r of result.reports) {
          if (r.status === 'failed') expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(e.startsWith('fuzz.ndjson:')).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

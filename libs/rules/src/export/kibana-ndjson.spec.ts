import { fakeLanguages } from '../compile/fake-languages.testing';
import type { CompiledRule } from '../compiled-rule';
import { loadRulesFromText, loadParsedSources } from '../loader/load';
import { parseTomlRules } from '../loader/parse-toml';
import { parseNdjson } from '../loader/parse-json';
import { toKibanaNdjson } from './kibana-ndjson';

const options = { languages: fakeLanguages };

const TOML = `[metadata]
maturity = "production"

[rule]
author = ["Tester"]
description = "New parent for dpkg"
from = "now-9m"
index = ["logs-endpoint.events.*"]
language = "kuery"
name = "DPKG from a new parent"
risk_score = 21
rule_id = "nt-1"
severity = "low"
tags = ["OS: Linux"]
timestamp_override = "event.ingested"
type = "new_terms"
query = "event.category:process and process.name:dpkg"

[rule.investigation_fields]
field_names = ["process.parent.executable"]

[[rule.risk_score_mapping]]
field = "event.risk_score"
operator = "equals"
value = ""

[[rule.filters]]
[rule.filters.meta]
negate = true
[rule.filters.query.match_phrase]
"host.name" = "build-01"

[rule.new_terms]
field = "new_terms_fields"
value = ["process.parent.executable"]

[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-7d"

[[rule.threat]]
framework = "MITRE ATT&CK"
[rule.threat.tactic]
id = "TA0003"
name = "Persistence"
reference = "https://attack.mitre.org/tactics/TA0003/"
`;

const exceptionList = {
  list_id: 'ex',
  type: 'detection',
  namespace_type: 'single',
  name: 'ex',
  description: '',
};
const exceptionItem = {
  item_id: 'ex-1',
  list_id: 'ex',
  namespace_type: 'single',
  type: 'simple',
  name: 'n',
  description: '',
  entries: [{ type: 'match', field: 'user.name', operator: 'included', value: 'builder' }],
};

const docs = [
  {
    event: { category: 'process' },
    process: { name: 'dpkg', parent: { executable: '/bin/sh' } },
    host: { name: 'web' },
  },
  { event: { category: 'process' }, process: { name: 'dpkg' }, host: { name: 'build-01' } },
  { event: { category: 'process' }, process: { name: 'apt' }, host: { name: 'web' } },
  {
    event: { category: 'process' },
    process: { name: 'dpkg' },
    host: { name: 'web' },
    user: { name: 'builder' },
  },
];

function behaviour(rule: CompiledRule) {
  const cond = rule.matcher.kind === 'filter' ? rule.matcher.condition : () => false;
  return docs.map((d) => [cond(d), rule.isExcepted(d)]);
}

describe('toKibanaNdjson', () => {
  it('round-trips TOML → NDJSON → load to the same compiled detection', () => {
    const parsed = parseTomlRules(TOML, 'nt.toml');
    const exceptionsSrc = parseNdjson(
      [exceptionList, exceptionItem].map((o) => JSON.stringify(o)).join('\n'),
      'ex.ndjson',
    );
    const first = loadParsedSources([parsed, exceptionsSrc], options);
    expect(first.reports.map((r) => r.status)).toEqual(['loaded']);
    // Give the rule a reference to the list so the export carries it along.
    const def = {
      ...first.definitions[0],
      exceptions_list: [
        { id: 'x', list_id: 'ex', type: 'detection' as const, namespace_type: 'single' as const },
      ],
    };

    const ndjson = toKibanaNdjson([def], {
      lists: first.exceptions.allLists(),
      items: first.exceptions.allItems(),
    });
    const lines = ndjson
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({
      rule_id: 'nt-1',
      type: 'new_terms',
      new_terms_fields: ['process.parent.executable'],
      history_window_start: 'now-7d',
      investigation_fields: { field_names: ['process.parent.executable'] },
      from: 'now-9m',
      interval: '5m',
      to: 'now',
    });
    expect(lines[0].new_terms).toBeUndefined();
    expect(lines[1]).toMatchObject({ list_id: 'ex', type: 'detection' });
    expect(lines[2]).toMatchObject({ item_id: 'ex-1' });
    expect(lines[3]).toMatchObject({
      exported_count: 3,
      exported_rules_count: 1,
      exported_exception_list_count: 1,
      exported_exception_list_item_count: 1,
    });

    const second = loadRulesFromText(ndjson, 'export.ndjson', 'ndjson', options);
    expect(second.reports.map((r) => r.status)).toEqual(['loaded']);
    const [a] = first.rules;
    const [b] = second.rules;
    const { source: _s1, ...metaA } = a.meta;
    const { source: _s2, ...metaB } = b.meta;
    expect(metaB).toEqual(metaA);
    expect(b.newTerms).toEqual(a.newTerms);
    expect(b.prefilter).toEqual(a.prefilter);
    // The original had no exception reference; the exported one applies the list.
    expect(behaviour(a).map(([m]) => m)).toEqual([true, false, false, true]);
    expect(behaviour(b)).toEqual([
      [true, false],
      [false, false],
      [false, false],
      // excepted: invisible to the rule, and flagged by isExcepted
      [false, true],
    ]);

    // And exporting the reloaded rule again gives the same text.
    expect(
      toKibanaNdjson(second.definitions, {
        lists: second.exceptions.allLists(),
        items: second.exceptions.allItems(),
      }),
    ).toBe(ndjson);
  });
});

import { validateRuleObject } from './validate-rule';

const base = {
  rule_id: 'r-1',
  name: 'Rule one',
  description: 'd',
  type: 'query',
  language: 'kuery',
  query: 'process.name:bash',
  index: ['logs-*'],
  risk_score: 21,
  severity: 'low',
};

function errorsOf(overrides: Record<string, unknown>, pathPrefix?: string): string[] {
  const raw: Record<string, unknown> = { ...base, ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete raw[k];
  const r = validateRuleObject(raw, { source: 'x.toml', pathPrefix });
  return r.ok ? [] : r.errors;
}

describe('validateRuleObject', () => {
  it('accepts a minimal rule and fills Kibana defaults', () => {
    const r = validateRuleObject(
      { ...base, language: undefined, unknown_field: { kept: true } },
      { source: 's' },
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.definition).toMatchObject({
      language: 'kuery',
      max_signals: 100,
      version: 1,
      tags: [],
      threat: [],
      filters: [],
      exceptions_list: [],
      extra: { unknown_field: { kept: true } },
    });
  });

  it.each([
    [{ rule_id: undefined }, 'x.toml: rule.rule_id: expected a string, got nothing (the field is missing)'],
    [{ rule_id: '' }, 'x.toml: rule.rule_id: expected a non-empty string, got ""'],
    [{ name: 42 }, 'x.toml [r-1]: rule.name: expected a string, got 42'],
    [
      { description: undefined },
      'x.toml [r-1]: rule.description: expected a string, got nothing (the field is missing)',
    ],
    [
      { type: 'saved_query' },
      'x.toml [r-1]: rule.type: expected one of "query", "eql", "new_terms", "threshold", "esql", "machine_learning", "threat_match", got "saved_query"',
    ],
    [
      { language: 'eql' },
      'x.toml [r-1]: rule.language: expected "kuery" or "lucene" for rule type \"query\", got "eql"',
    ],
    [{ query: ['a'] }, 'x.toml [r-1]: rule.query: expected a string, got ["a"]'],
    [{ index: 'logs-*' }, 'x.toml [r-1]: rule.index: expected a list, got "logs-*"'],
    [{ index: ['logs-*', ''] }, 'x.toml [r-1]: rule.index[1]: expected a non-empty string, got ""'],
    [{ data_view_id: 5 }, 'x.toml [r-1]: rule.data_view_id: expected a string, got 5'],
    [{ filters: {} }, 'x.toml [r-1]: rule.filters: expected a list, got {}'],
    [
      { filters: [{ query: { geo_distance: {} } }] },
      'x.toml [r-1]: rule.filters[0].query: expected a supported query clause (one of bool, match_phrase, match, term, terms, exists, range, wildcard, prefix, match_all, match_none), got "geo_distance"',
    ],
    [
      { from: '9m' },
      'x.toml [r-1]: rule.from: expected date math of the form now-<n><unit> (e.g. "now-9m"), got "9m"',
    ],
    [
      { interval: 'often' },
      'x.toml [r-1]: rule.interval: expected a time span of the form <n><unit> (e.g. "5m"), got "often"',
    ],
    [{ max_signals: 0 }, 'x.toml [r-1]: rule.max_signals: expected a number >= 1, got 0'],
    [{ max_signals: 1.5 }, 'x.toml [r-1]: rule.max_signals: expected an integer, got 1.5'],
    [{ risk_score: 'high' }, 'x.toml [r-1]: rule.risk_score: expected an integer, got "high"'],
    [{ risk_score: 101 }, 'x.toml [r-1]: rule.risk_score: expected a number <= 100, got 101'],
    [
      { risk_score_mapping: [{ field: 'x', operator: 'gt', value: '' }] },
      'x.toml [r-1]: rule.risk_score_mapping[0].operator: expected "equals", got "gt"',
    ],
    [
      { risk_score_mapping: [{ field: 'x', value: '', risk_score: -1 }] },
      'x.toml [r-1]: rule.risk_score_mapping[0].risk_score: expected a number >= 0, got -1',
    ],
    [
      { severity: 'urgent' },
      'x.toml [r-1]: rule.severity: expected one of "low", "medium", "high", "critical", got "urgent"',
    ],
    [
      { severity_mapping: [{ field: 'x', operator: 'equals', value: 'a', severity: 'huge' }] },
      'x.toml [r-1]: rule.severity_mapping[0].severity: expected one of "low", "medium", "high", "critical", got "huge"',
    ],
    [
      { rule_name_override: '' },
      'x.toml [r-1]: rule.rule_name_override: expected a non-empty string, got ""',
    ],
    [{ timestamp_override: 1 }, 'x.toml [r-1]: rule.timestamp_override: expected a string, got 1'],
    [{ building_block_type: false }, 'x.toml [r-1]: rule.building_block_type: expected a string, got false'],
    [
      { alert_suppression: { group_by: ['a', 'b', 'c', 'd'] } },
      'x.toml [r-1]: rule.alert_suppression.group_by: expected at most 3 item(s), got ["a","b","c","d"]',
    ],
    [
      { alert_suppression: { group_by: ['a'], duration: { value: 5, unit: 'd' } } },
      'x.toml [r-1]: rule.alert_suppression.duration.unit: expected one of "s", "m", "h", got "d"',
    ],
    [
      { alert_suppression: { group_by: ['a'], missing_fields_strategy: 'drop' } },
      'x.toml [r-1]: rule.alert_suppression.missing_fields_strategy: expected one of "suppress", "doNotSuppress", got "drop"',
    ],
    [
      { alert_suppression: { missing_fields_strategy: 'suppress' } },
      'x.toml [r-1]: rule.alert_suppression.group_by: expected a list of 1 to 3 field names, got nothing (the field is missing)',
    ],
    [
      { threat: [{ framework: 'MITRE ATT&CK', tactic: { id: 'TA0001' } }] },
      'x.toml [r-1]: rule.threat[0].tactic.name: expected a string, got nothing (the field is missing)',
    ],
    [
      {
        threat: [
          {
            framework: 'MITRE ATT&CK',
            tactic: { id: 'TA1', name: 'n' },
            technique: [{ id: 'T1', name: 'x', subtechnique: [{ id: 5 }] }],
          },
        ],
      },
      'x.toml [r-1]: rule.threat[0].technique[0].subtechnique[0].id: expected a string, got 5',
      'x.toml [r-1]: rule.threat[0].technique[0].subtechnique[0].name: expected a string, got nothing (the field is missing)',
    ],
    [{ tags: 'OS: Linux' }, 'x.toml [r-1]: rule.tags: expected a list, got "OS: Linux"'],
    [{ note: ['x'] }, 'x.toml [r-1]: rule.note: expected a string, got ["x"]'],
    [{ setup: 3 }, 'x.toml [r-1]: rule.setup: expected a string, got 3'],
    [
      { required_fields: [{ name: 'process.name' }] },
      'x.toml [r-1]: rule.required_fields[0].type: expected a string, got nothing (the field is missing)',
    ],
    [
      { investigation_fields: 'host.name' },
      'x.toml [r-1]: rule.investigation_fields: expected a list of field names or {field_names: [...]}, got "host.name"',
    ],
    [
      { exceptions_list: [{ id: 'a', list_id: 'b', type: 'detection', namespace_type: 'global' }] },
      'x.toml [r-1]: rule.exceptions_list[0].namespace_type: expected one of "single", "agnostic", got "global"',
    ],
    [{ version: 0 }, 'x.toml [r-1]: rule.version: expected a number >= 1, got 0'],
  ])('%j', (overrides, ...messages) => {
    expect(errorsOf(overrides, 'rule')).toEqual(messages);
  });

  it('checks new_terms in both spellings', () => {
    const toml = { type: 'new_terms' };
    expect(
      errorsOf({
        ...toml,
        new_terms: {
          field: 'new_terms_fields',
          value: [],
          history_window_start: [{ field: 'history_window_start', value: 'now-7d' }],
        },
      }),
    ).toEqual(['x.toml [r-1]: new_terms.value: expected at least 1 item(s), got []']);
    expect(
      errorsOf({
        ...toml,
        new_terms: {
          field: 'new_terms_fields',
          value: ['a'],
          history_window_start: [{ field: 'history_window_start', value: '7d' }],
        },
      }),
    ).toEqual([
      'x.toml [r-1]: new_terms.history_window_start[0].value: expected date math of the form now-<n><unit> (e.g. "now-7d"), got "7d"',
    ]);
    expect(
      errorsOf({ ...toml, new_terms_fields: ['a', 'b', 'c', 'd'], history_window_start: 'now-7d' }),
    ).toEqual(['x.toml [r-1]: new_terms_fields: expected at most 3 item(s), got ["a","b","c","d"]']);
    expect(errorsOf({ ...toml, new_terms_fields: ['a'] })).toEqual([
      'x.toml [r-1]: history_window_start: expected a history window such as "now-7d", got nothing (the field is missing)',
    ]);
    expect(errorsOf(toml)).toEqual([
      'x.toml [r-1]: new_terms_fields: expected the new terms fields ([rule.new_terms] or new_terms_fields), got nothing (the field is missing)',
      'x.toml [r-1]: history_window_start: expected a history window such as "now-7d", got nothing (the field is missing)',
    ]);
  });

  it('checks threshold field, value and cardinality', () => {
    const t = (threshold: unknown) => errorsOf({ type: 'threshold', threshold });
    expect(t(undefined)).toEqual([
      'x.toml [r-1]: threshold: expected a threshold (field, value) for rule type \"threshold\", got nothing (the field is missing)',
    ]);
    expect(t({ field: 5, value: 3 })).toEqual([
      'x.toml [r-1]: threshold.field: expected a field name or a list of up to 5 field names, got 5',
    ]);
    expect(t({ field: ['a'], value: 0 })).toEqual([
      'x.toml [r-1]: threshold.value: expected a number >= 1, got 0',
    ]);
    expect(t({ field: ['a'], value: 2, cardinality: [{ field: 'b', value: 'x' }] })).toEqual([
      'x.toml [r-1]: threshold.cardinality[0].value: expected an integer, got "x"',
    ]);
  });

  it('requires a query for eql, esql and new_terms, and the matching language', () => {
    expect(errorsOf({ type: 'eql', language: 'eql', query: undefined })).toEqual([
      'x.toml [r-1]: query: expected a non-empty query for rule type \"eql\", got nothing (the field is missing)',
    ]);
    expect(errorsOf({ type: 'eql', language: 'kuery', query: 'process where true' })).toEqual([
      'x.toml [r-1]: language: expected "eql" for rule type \"eql\", got "kuery"',
    ]);
    expect(errorsOf({ type: 'machine_learning', language: undefined, query: undefined })).toEqual([]);
  });

  it('reports every bad field, not just the first', () => {
    expect(errorsOf({ risk_score: 'x', severity: 'y', from: 'z' })).toHaveLength(3);
  });

  it('rejects a non-object', () => {
    const r = validateRuleObject(['a'], { source: 'f.json#0' });
    expect(r.ok ? [] : r.errors).toEqual(['f.json#0: (rule): expected a rule object, got ["a"]']);
  });

  it('normalizes TOML new_terms, threshold field and investigation_fields', () => {
    const r = validateRuleObject(
      {
        ...base,
        type: 'new_terms',
        new_terms: {
          field: 'new_terms_fields',
          value: ['host.id', 'user.name'],
          history_window_start: [{ field: 'history_window_start', value: 'now-5d' }],
        },
        investigation_fields: { field_names: ['host.name'] },
        alert_suppression: { group_by: ['host.id'] },
      },
      { source: 's' },
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.definition.new_terms_fields).toEqual(['host.id', 'user.name']);
    expect(r.definition.history_window_start).toBe('now-5d');
    expect(r.definition.investigation_fields).toEqual(['host.name']);
    expect(r.definition.alert_suppression).toEqual({
      group_by: ['host.id'],
      missing_fields_strategy: 'suppress',
    });
    const th = validateRuleObject(
      { ...base, type: 'threshold', threshold: { field: 'host.id', value: 5 } },
      { source: 's' },
    );
    if (!th.ok) throw new Error(th.errors.join('\n'));
    expect(th.definition.threshold).toEqual({ field: ['host.id'], value: 5, cardinality: [] });
    const empty = validateRuleObject(
      { ...base, type: 'threshold', threshold: { field: '', value: 5 } },
      { source: 's' },
    );
    expect(empty.ok && empty.definition.threshold?.field).toEqual([]);
  });

  it('never lets a rule re-parent objects through __proto__', () => {
    const raw = JSON.parse(
      '{"__proto__": {"polluted": 1}, "rule_id": "a", "name": "n", "description": "d", "type": "query", "risk_score": 1, "severity": "low"}',
    );
    const r = validateRuleObject(raw, { source: 's' });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(Object.getPrototypeOf(r.definition.extra)).toBe(Object.prototype);
    expect((r.definition.extra as Record<string, unknown>).polluted).toBeUndefined();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fakeLanguages } from '../compile/fake-languages.testing';
import { isUnsupportedRule } from '../compile/compile-rule';
import { loadRules, loadRulesFromText } from './load';

const options = { languages: fakeLanguages, now: Date.parse('2026-06-01T00:00:00Z') };

function toml(ruleId: string, extra = '', type = 'query', query = 'process.name:bash'): string {
  const language = type === 'eql' ? 'eql' : type === 'esql' ? 'esql' : 'kuery';
  return `[metadata]
creation_date = "2026/01/01"
maturity = "production"

[rule]
author = ["Tester"]
description = "A test rule"
from = "now-9m"
index = ["logs-endpoint.events.*"]
language = "${language}"
license = "Apache-2.0"
name = "Rule ${ruleId}"
risk_score = 47
rule_id = "${ruleId}"
severity = "medium"
tags = ["OS: Linux"]
type = "${type}"
query = '''
${query}
'''
${extra}
[[rule.threat]]
framework = "MITRE ATT&CK"

[[rule.threat.technique]]
id = "T1543"
name = "Create or Modify System Process"
reference = "https://attack.mitre.org/techniques/T1543/"

[[rule.threat.technique.subtechnique]]
id = "T1543.002"
name = "Systemd Service"
reference = "https://attack.mitre.org/techniques/T1543/002/"

[rule.threat.tactic]
id = "TA0003"
name = "Persistence"
reference = "https://attack.mitre.org/tactics/TA0003/"
`;
}

const NEW_TERMS = `
[rule.new_terms]
field = "new_terms_fields"
value = ["process.parent.executable"]

[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-5d"
`;

const THRESHOLD = `
[rule.threshold]
field = ["host.id"]
value = 20

[[rule.threshold.cardinality]]
field = "destination.port"
value = 10

[rule.alert_suppression]
[rule.alert_suppression.duration]
unit = "m"
value = 5
`;

function kibanaRule(ruleId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `uuid-${ruleId}`,
    rule_id: ruleId,
    name: `Kibana ${ruleId}`,
    description: 'from an export',
    type: 'query',
    language: 'kuery',
    query: 'process.name:bash',
    index: ['logs-*'],
    risk_score: 73,
    severity: 'high',
    created_at: '2026-01-01T00:00:00Z',
    immutable: false,
    ...extra,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sequent-rules-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('loading detection-rules TOML', () => {
  it('reads metadata-free fields, threat with subtechniques, new_terms and threshold tables', () => {
    write('a.toml', toml('r-query'));
    write('b.toml', toml('r-nt', NEW_TERMS, 'new_terms'));
    write('c.toml', toml('r-th', THRESHOLD, 'threshold'));
    const result = loadRules([dir], options);
    expect(result.reports.map((r) => [r.rule_id, r.status])).toEqual([
      ['r-query', 'loaded'],
      ['r-nt', 'loaded'],
      ['r-th', 'loaded'],
    ]);
    const [q, nt, th] = result.rules;
    expect(q.meta).toMatchObject({
      rule_id: 'r-query',
      name: 'Rule r-query',
      type: 'query',
      language: 'kuery',
      risk_score: 47,
      severity: 'medium',
      from: 'now-9m',
      interval: '5m',
      max_signals: 100,
      version: 1,
      index: ['logs-endpoint.events.*'],
      source: path.join(dir, 'a.toml'),
    });
    expect(q.meta.threat[0].technique?.[0].subtechnique?.[0].id).toBe('T1543.002');
    expect(q.meta.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nt.newTerms).toEqual({ fields: ['process.parent.executable'], historyWindowMs: 5 * 86_400_000 });
    expect(th.threshold).toEqual({
      fields: ['host.id'],
      value: 20,
      cardinality: [{ field: 'destination.port', value: 10 }],
      windowMs: 9 * 60_000,
    });
    expect(th.meta.alert_suppression).toEqual({
      group_by: [],
      duration: { unit: 'm', value: 5 },
      missing_fields_strategy: 'suppress',
    });
    expect(q.matcher.kind === 'filter' && q.matcher.condition({ process: { name: 'bash' } })).toBe(true);
    expect(q.matchesIndex('logs-endpoint.events.process-default')).toBe(true);
    expect(q.matchesIndex('logs-system.auth-default')).toBe(false);
    expect(q.prefilter).toEqual({});
  });

  it('names the file, the line and the rule when TOML does not parse', () => {
    const file = write('broken.toml', 'rule_id = "r-broken"\n[rule\nname = "x"\n');
    const result = loadRules([file], options);
    expect(result.reports).toHaveLength(1);
    expect(result.reports[0]).toMatchObject({ status: 'failed', rule_id: 'r-broken' });
    expect(result.reports[0].errors[0]).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: TOML syntax error at line 2`),
    );
  });

  it('requires a [rule] table', () => {
    const file = write('meta-only.toml', '[metadata]\nmaturity = "production"\n');
    expect(loadRules([file], options).reports[0].errors).toEqual([
      `${file}: rule: expected a [rule] table, got none`,
    ]);
  });
});

describe('loading Kibana export NDJSON', () => {
  const list = {
    id: 'so-1',
    list_id: 'trusted',
    type: 'detection',
    namespace_type: 'single',
    name: 'Trusted',
    description: '',
  };
  const item = {
    item_id: 'it-1',
    list_id: 'trusted',
    namespace_type: 'single',
    type: 'simple',
    name: 'apt is fine',
    description: '',
    comments: [{ comment: 'ignored' }],
    os_types: [],
    entries: [{ field: 'process.parent.name', operator: 'included', type: 'match', value: 'apt' }],
  };
  const ref = { id: 'so-1', list_id: 'trusted', type: 'detection', namespace_type: 'single' };
  const summary = { exported_count: 4, exported_rules_count: 2, missing_rules: [] };
  const connector = { id: 'c1', type: 'action', attributes: { actionTypeId: '.slack' } };

  it('reads rules, exception lists and items, skips the summary and other saved objects', () => {
    const ndjson = [
      kibanaRule('k-1', { exceptions_list: [ref] }),
      kibanaRule('k-2', { type: 'eql', language: 'eql', query: 'process where process.name == "bash"' }),
      list,
      item,
      connector,
      summary,
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const file = write('export.ndjson', ndjson + '\n');
    const result = loadRules([file], options);
    expect(result.reports.map((r) => [r.source, r.rule_id, r.status])).toEqual([
      [`${file}:1`, 'k-1', 'loaded'],
      [`${file}:2`, 'k-2', 'loaded'],
    ]);
    expect(result.warnings).toEqual([`${file}:5: ignored saved object of type "action" (not a rule)`]);
    const [k1, k2] = result.rules;
    expect(k1.meta.uuid).toBe('uuid-k-1');
    expect(k1.isExcepted({ process: { parent: { name: 'apt' } } })).toBe(true);
    expect(k1.isExcepted({ process: { parent: { name: 'bash' } } })).toBe(false);
    expect(k2.isExcepted({ process: { parent: { name: 'apt' } } })).toBe(false);
    expect(k2.matcher.kind).toBe('eql');
    expect(k2.prefilter).toEqual({ categories: ['process'] });
    expect(result.ok).toBe(true);
  });

  it('links exception lists found in another file of the same load', () => {
    write('1-rules.ndjson', JSON.stringify(kibanaRule('k-1', { exceptions_list: [ref] })) + '\n');
    write('2-exceptions.ndjson', [list, item].map((o) => JSON.stringify(o)).join('\n'));
    const result = loadRules([dir], options);
    expect(result.rules[0].isExcepted({ process: { parent: { name: 'apt' } } })).toBe(true);
  });

  it('warns when a referenced exception list was not supplied, and still loads the rule', () => {
    const result = loadRulesFromText(
      JSON.stringify(kibanaRule('k-1', { exceptions_list: [ref] })),
      'x.ndjson',
      'ndjson',
      options,
    );
    expect(result.reports[0].status).toBe('loaded');
    expect(result.reports[0].warnings).toEqual([
      'x.ndjson:1 [k-1]: exceptions_list: list "trusted" (single) is not in the loaded files; its exceptions are not applied',
    ]);
  });

  it('reports bad exception items without failing the rules', () => {
    const bad = { ...item, entries: [{ field: 'a', operator: 'sometimes', type: 'match', value: 'x' }] };
    const text = [kibanaRule('k-1'), bad].map((o) => JSON.stringify(o)).join('\n');
    const result = loadRulesFromText(text, 'x.ndjson', 'ndjson', options);
    expect(result.reports[0].status).toBe('loaded');
    expect(result.otherErrors).toEqual([
      {
        source: 'x.ndjson:2',
        message:
          'x.ndjson:2 [exception item it-1]: entries[0].operator: expected one of "included", "excluded", got "sometimes"',
      },
    ]);
    expect(result.ok).toBe(false);
  });

  it('applies value lists read from files', () => {
    const listFile = write('lists/trusted-parents.txt', 'apt\ndpkg\n');
    const valueItem = {
      ...item,
      entries: [
        {
          field: 'process.parent.name',
          operator: 'included',
          type: 'list',
          list: { id: 'trusted-parents.txt', type: 'keyword' },
        },
      ],
    };
    const file = write(
      'e.ndjson',
      [kibanaRule('k-1', { exceptions_list: [ref] }), list, valueItem]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const result = loadRules([file], { ...options, valueListFiles: [listFile] });
    expect(result.rules[0].isExcepted({ process: { parent: { name: 'dpkg' } } })).toBe(true);
    const missing = loadRules([file], options);
    expect(missing.reports[0].errors).toEqual([
      `${file}:1 [k-1]: exceptions_list: exception item "it-1" (list "trusted"): entries[0]: value list "trusted-parents.txt" is not loaded (field process.parent.name)`,
    ]);
  });

  it('names the line of invalid JSON and keeps reading', () => {
    const text = `${JSON.stringify(kibanaRule('k-1'))}\n{"rule_id": \n${JSON.stringify(kibanaRule('k-3'))}\n`;
    const result = loadRulesFromText(text, 'x.ndjson', 'ndjson', options);
    expect(result.reports.map((r) => r.status)).toEqual(['failed', 'loaded', 'loaded']);
    expect(result.reports[0].errors[0]).toMatch(/^x\.ndjson:2: invalid JSON: /);
  });
});

describe('loading plain JSON', () => {
  it('reads one rule object or an array', () => {
    write('one.json', JSON.stringify(kibanaRule('j-1')));
    write('many.json', JSON.stringify([kibanaRule('j-2'), kibanaRule('j-3')]));
    const result = loadRules([dir], options);
    expect(result.reports.map((r) => [path.basename(r.source), r.rule_id])).toEqual([
      ['many.json#0', 'j-2'],
      ['many.json#1', 'j-3'],
      ['one.json', 'j-1'],
    ]);
  });
});

describe('one bad rule never stops the others', () => {
  it('reports wrong types, unknown types, broken queries, huge files and duplicates, and loads the rest', () => {
    write('01-good.toml', toml('good-1'));
    write('02-wrong-types.toml', toml('bad-types').replace('risk_score = 47', 'risk_score = "high"'));
    write('03-unknown-type.toml', toml('bad-type', '', 'saved_query'));
    write('04-broken-query.toml', toml('bad-query', '', 'query', 'process.name:BROKEN'));
    write('05-huge.toml', toml('huge') + `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    write('06-duplicate.ndjson', JSON.stringify(kibanaRule('good-1')) + '\n');
    write('07-good.ndjson', JSON.stringify(kibanaRule('good-2')) + '\n');
    write('nested/deeper/08-good.json', JSON.stringify(kibanaRule('good-3')));
    write('.hidden/09.toml', toml('hidden'));
    write('notes.md', '# not a rule');

    const result = loadRules([dir], options);
    const byId = (id: string) => result.reports.find((r) => r.rule_id === id);
    expect(result.rules.map((r) => r.meta.rule_id)).toEqual(['good-1', 'good-2', 'good-3']);
    expect(result.reports).toHaveLength(8);
    expect(byId('bad-types')?.errors).toEqual([
      `${path.join(dir, '02-wrong-types.toml')} [bad-types]: rule.risk_score: expected an integer, got "high"`,
    ]);
    expect(byId('bad-type')?.errors[0]).toContain('[bad-type]: rule.type: expected one of "query", "eql"');
    expect(byId('bad-query')?.errors).toEqual([
      `${path.join(dir, '04-broken-query.toml')} [bad-query]: rule.query: KQL: syntax error at BROKEN`,
    ]);
    const huge = result.reports.find((r) => r.source.endsWith('05-huge.toml'));
    expect(huge?.errors[0]).toMatch(
      /05-huge\.toml \[huge\]: file is 5\.0 MB, larger than the 2\.0 MB limit for a toml file; refusing to load it$/,
    );
    expect([huge?.rule_id, huge?.name, huge?.type, huge?.status]).toEqual([
      'huge',
      'Rule huge',
      'query',
      'failed',
    ]);
    const dup = result.reports.find((r) => r.source.endsWith('06-duplicate.ndjson:1'));
    expect(dup?.status).toBe('failed');
    expect(dup?.errors).toEqual([
      `${path.join(dir, '06-duplicate.ndjson')}:1 [good-1]: rule_id: duplicate rule_id, already loaded from ${path.join(dir, '01-good.toml')}; this copy is rejected`,
    ]);
    expect(result.ok).toBe(false);
  });

  it('refuses an NDJSON line over the per-rule limit', () => {
    const big = JSON.stringify(kibanaRule('big', { note: 'x'.repeat(3 * 1024 * 1024) }));
    const result = loadRulesFromText(
      `${big}\n${JSON.stringify(kibanaRule('small'))}`,
      'e.ndjson',
      'ndjson',
      options,
    );
    expect(result.reports.map((r) => r.status)).toEqual(['failed', 'loaded']);
    expect(result.reports[0].errors[0]).toBe(
      'e.ndjson:1 [big]: line is 3.0 MB, larger than the 2.0 MB limit for one rule',
    );
    expect(result.reports[0].rule_id).toBe('big');
  });

  it('names a huge or broken JSON rule by the rule_id it can still read', () => {
    write('big.json', JSON.stringify(kibanaRule('big-json', { note: 'x'.repeat(3 * 1024 * 1024) })));
    write('broken.json', JSON.stringify(kibanaRule('broken-json')).slice(0, -5));
    const result = loadRules([dir], options);
    expect(result.reports.map((r) => [path.basename(r.source), r.rule_id, r.errors[0]])).toEqual([
      [
        'big.json',
        'big-json',
        expect.stringMatching(/big\.json \[big-json\]: file is 3\.0 MB, larger than the 2\.0 MB limit/),
      ],
      ['broken.json', 'broken-json', expect.stringMatching(/broken\.json \[broken-json\]: invalid JSON: /)],
    ]);
  });

  it('reports a missing path', () => {
    const result = loadRules([path.join(dir, 'nope')], options);
    expect(result.reports[0].errors).toEqual([`${path.join(dir, 'nope')}: no such file or folder`]);
  });
});

describe('unsupported rule types', () => {
  it.each([
    ['esql', { type: 'esql', language: 'esql', query: 'from logs-* | keep x', index: undefined }, /ES\|QL/],
    [
      'machine_learning',
      { type: 'machine_learning', language: undefined, query: undefined, anomaly_threshold: 50 },
      /machine learning/,
    ],
    ['threat_match', { type: 'threat_match', threat_index: ['ti-*'], threat_mapping: [] }, /indicator match/],
    [
      'threat_match with filters the evaluator does not support',
      {
        type: 'threat_match',
        threat_index: ['ti-*'],
        filters: [{ query: { geo_distance: { distance: '1km', 'source.geo.location': [0, 0] } } }],
        threat_filters: [{ query: { match_phrase: { 'event.category': 'threat' } } }],
        threat_mapping: [{ entries: [{ field: 'file.hash.md5', type: 'mapping', value: 'x' }] }],
      },
      /indicator match/,
    ],
    [
      'machine_learning with several jobs',
      {
        type: 'machine_learning',
        language: undefined,
        query: undefined,
        machine_learning_job_id: ['a', 'b'],
      },
      /machine learning/,
    ],
    ['lucene', { language: 'lucene', query: 'process.name:bash' }, /Lucene/],
  ])('%s loads as unsupported with a reason', (_name, extra, reason) => {
    const result = loadRulesFromText(JSON.stringify(kibanaRule('u-1', extra)), 'u.json', 'json', options);
    expect(result.reports[0].status).toBe('unsupported');
    expect(result.reports[0].reason).toMatch(reason);
    expect(result.unsupported).toHaveLength(1);
    expect(isUnsupportedRule(result.unsupported[0])).toBe(true);
    expect(result.rules).toHaveLength(0);
    expect(result.ok).toBe(true);
  });
});

describe('with the real KQL and EQL compilers', () => {
  const real = { now: options.now };
  it('names the rule and the query field for a query that does not compile, and loads the rest', () => {
    write('1-kql.toml', toml('bad-kql', '', 'query', 'process.name:(bash or'));
    write('2-eql.toml', toml('bad-eql', '', 'eql', 'process where process.name = = "bash"'));
    write('3-eql-sequence.toml', toml('bad-seq', '', 'eql', 'sequence [process where true]'));
    write('4-good.toml', toml('good-kql', '', 'query', 'process.name:(bash or sh) and not user.name:root'));
    write(
      '5-good-eql.toml',
      toml(
        'good-eql',
        '',
        'eql',
        'sequence by host.id with maxspan=5s [process where process.name : "apt*"] [network where true]',
      ),
    );
    const result = loadRules([dir], real);
    const errorOf = (id: string) => result.reports.find((r) => r.rule_id === id)?.errors ?? [];
    expect(errorOf('bad-kql')).toEqual([
      expect.stringMatching(/1-kql\.toml \[bad-kql\]: rule\.query: KQL: .+/),
    ]);
    expect(errorOf('bad-eql')).toEqual([
      expect.stringMatching(/2-eql\.toml \[bad-eql\]: rule\.query: EQL: .+/),
    ]);
    expect(errorOf('bad-seq')).toEqual([expect.stringMatching(/\[bad-seq\]: rule\.query: EQL: .+/)]);
    expect(result.rules.map((r) => r.meta.rule_id)).toEqual(['good-kql', 'good-eql']);
    const [kql, eql] = result.rules;
    const bash = { process: { name: 'bash' }, user: { name: 'alice' }, event: { category: ['process'] } };
    expect(kql.matcher.kind === 'filter' && kql.matcher.condition(bash)).toBe(true);
    expect(kql.matcher.kind === 'filter' && kql.matcher.condition({ ...bash, user: { name: 'root' } })).toBe(
      false,
    );
    expect(eql.matcher.kind).toBe('eql');
    if (eql.matcher.kind === 'eql') {
      expect(eql.matcher.eql.kind).toBe('sequence');
      expect(eql.prefilter).toEqual({ categories: ['network', 'process'] });
    }
  });
});

describe('detection-rules exception list TOML', () => {
  const EXCEPTIONS_TOML = `[metadata]
creation_date = "2026/01/01"
list_name = "Trusted builders"
rule_ids = ["ex-rule"]
rule_names = ["Rule ex-rule"]
updated_date = "2026/01/01"

[[exceptions]]
[exceptions.container]
description = "Builders"
list_id = "trusted-builders"
name = "Trusted builders"
namespace_type = "single"
type = "detection"

[[exceptions.items]]
description = "CI hosts"
list_id = "trusted-builders"
item_id = "ci-hosts"
name = "CI hosts"
namespace_type = "single"
type = "simple"
comments = []

[[exceptions.items.entries]]
field = "host.name"
operator = "included"
type = "match_any"
value = ["build-01", "build-02"]

[[exceptions.items]]
description = "Listed users"
list_id = "trusted-builders"
item_id = "listed-users"
name = "Listed users"
namespace_type = "single"
type = "simple"
comments = []

[[exceptions.items.entries]]
field = "user.name"
operator = "included"
type = "list"
[exceptions.items.entries.list_vals]
id = "users.txt"
type = "keyword"
`;
  const RULE_REF = `
[[rule.exceptions_list]]
id = "trusted-builders-id"
list_id = "trusted-builders"
namespace_type = "single"
type = "detection"
`;

  it('reads lists and items from [[exceptions]] and applies them to the rules that reference them', () => {
    write('rules/ex-rule.toml', toml('ex-rule', RULE_REF));
    write('exceptions/trusted_builders_exceptions.toml', EXCEPTIONS_TOML);
    write(
      'action_connectors/c.toml',
      '[metadata]\naction_connector_name = "x"\n[[action_connectors]]\nid = "c"\n',
    );
    const users = write('users.txt', 'ci-bot\n');
    const result = loadRules([dir], { ...options, valueListFiles: [users] });
    expect(result.otherErrors).toEqual([]);
    expect(result.reports.map((r) => [r.rule_id, r.status, r.warnings])).toEqual([['ex-rule', 'loaded', []]]);
    expect(result.warnings).toEqual([
      expect.stringContaining('c.toml: ignored detection-rules action connector file'),
    ]);
    const rule = result.rules[0];
    const bash = { process: { name: 'bash' } };
    expect(rule.isExcepted({ ...bash, host: { name: 'build-02' } })).toBe(true);
    expect(rule.isExcepted({ ...bash, host: { name: 'web-01' }, user: { name: 'ci-bot' } })).toBe(true);
    expect(rule.isExcepted({ ...bash, host: { name: 'web-01' }, user: { name: 'alice' } })).toBe(false);
  });

  it('names the exception that is malformed', () => {
    write('x_exceptions.toml', EXCEPTIONS_TOML.replace('operator = "included"', 'operator = "sometimes"'));
    const result = loadRules([dir], options);
    expect(result.otherErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /x_exceptions\.toml#exceptions\[0\]\.items\[0\] \[exception item ci-hosts\]: entries\[0\]\.operator: expected one of "included", "excluded", got "sometimes"/,
      ),
    ]);
  });
});

import { compileKibanaFilters } from './query-dsl';

const doc = {
  process: { name: 'bash', pid: 300, args: ['bash', '-c', 'id'], executable: '/usr/bin/bash' },
  host: { name: 'web-01' },
  event: { category: ['process'], created: '2026-01-15T09:00:00Z' },
};

function run(filters: unknown[], d: unknown = doc): boolean {
  const { condition, issues } = compileKibanaFilters(filters);
  expect(issues).toEqual([]);
  return condition(d);
}

const phrase = (field: string, value: unknown, meta: Record<string, unknown> = {}) => ({
  meta: { negate: false, disabled: false, type: 'phrase', key: field, ...meta },
  query: { match_phrase: { [field]: value } },
});

describe('Kibana filters', () => {
  it('evaluates match_phrase, negate and disabled', () => {
    expect(run([phrase('process.name', 'bash')])).toBe(true);
    expect(run([phrase('process.name', 'zsh')])).toBe(false);
    expect(run([phrase('process.name', 'bash', { negate: true })])).toBe(false);
    expect(run([phrase('process.name', 'zsh', { disabled: true })])).toBe(true);
    expect(run([phrase('process.name', { query: 'bash' })])).toBe(true);
  });

  it('ANDs filters', () => {
    expect(run([phrase('process.name', 'bash'), phrase('host.name', 'web-01')])).toBe(true);
    expect(run([phrase('process.name', 'bash'), phrase('host.name', 'db-01')])).toBe(false);
  });

  it('reads legacy top-level clauses (exists, range) beside meta', () => {
    expect(run([{ meta: { type: 'exists' }, exists: { field: 'process.args' } }])).toBe(true);
    expect(run([{ meta: { negate: true }, exists: { field: 'process.parent.name' } }])).toBe(true);
    expect(run([{ meta: {}, range: { 'process.pid': { gte: 100, lt: 301 } } }])).toBe(true);
  });

  it('evaluates bool should / must / must_not / filter', () => {
    const phrases = {
      meta: { type: 'phrases', params: ['zsh', 'bash'] },
      query: {
        bool: {
          should: [{ match_phrase: { 'process.name': 'zsh' } }, { match_phrase: { 'process.name': 'bash' } }],
          minimum_should_match: 1,
        },
      },
    };
    expect(run([phrases])).toBe(true);
    const custom = {
      meta: { type: 'custom' },
      query: {
        bool: {
          must: [{ term: { 'host.name': 'web-01' } }],
          filter: { terms: { 'process.args': ['-c', '-x'] } },
          must_not: [{ wildcard: { 'process.executable': { value: '/tmp/*' } } }],
          should: [{ term: { 'process.name': 'nope' } }],
        },
      },
    };
    // should is optional next to must / filter
    expect(run([custom])).toBe(true);
    const needShould = structuredClone(custom);
    (needShould.query.bool as Record<string, unknown>).minimum_should_match = '1';
    expect(run([needShould])).toBe(false);
  });

  it('evaluates term (incl. case_insensitive), terms, wildcard, prefix, range on dates', () => {
    expect(run([{ query: { term: { 'process.name': { value: 'BASH', case_insensitive: true } } } }])).toBe(
      true,
    );
    expect(run([{ query: { term: { 'process.name': 'BASH' } } }])).toBe(false);
    expect(run([{ query: { terms: { 'process.pid': [1, 300] } } }])).toBe(true);
    expect(run([{ query: { wildcard: { 'process.executable': '*/ba?h' } } }])).toBe(true);
    expect(run([{ query: { prefix: { 'process.executable': '/usr/' } } }])).toBe(true);
    expect(run([{ query: { range: { 'event.created': { gte: '2026-01-15T00:00:00Z' } } } }])).toBe(true);
    expect(run([{ query: { range: { 'event.created': { lt: '2026-01-15T00:00:00Z' } } } }])).toBe(false);
    expect(run([{ query: { match_all: {} } }])).toBe(true);
  });

  it('joins combined filters with their relation', () => {
    const combined = (relation: string) => ({
      meta: {
        type: 'combined',
        relation,
        params: [phrase('process.name', 'zsh'), phrase('host.name', 'web-01')],
      },
    });
    expect(run([combined('OR')])).toBe(true);
    expect(run([combined('AND')])).toBe(false);
  });

  it('rejects what it cannot evaluate, naming the clause', () => {
    const { issues } = compileKibanaFilters([
      phrase('a', 'b'),
      { meta: {}, query: { query_string: { query: 'x' } } },
      { meta: {}, query: { range: { '@timestamp': { gte: 'now-1d' } } } },
      { meta: { negate: 'yes' }, query: { match_all: {} } },
      { meta: {}, query: { terms: { f: { index: 'x', id: 'y', path: 'z' } } } },
      'nonsense',
    ]);
    expect(issues.map((i) => `${i.path.join('.')}: ${i.expected}`)).toEqual([
      expect.stringMatching(/^filters\.1\.query: a supported query clause/),
      'filters.2.query.range.@timestamp.gte: a number or an absolute date (date math is not supported)',
      'filters.3.meta.negate: true or false',
      'filters.4.query.terms.f: an array of values (terms lookups are not supported)',
      'filters.5: a filter object',
    ]);
  });
});

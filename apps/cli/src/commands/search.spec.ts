import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { searchOne } from './search';

const repoRoot = path.resolve(__dirname, '../../../..');

const events = [
  { '@timestamp': '2024-01-01T00:00:03Z', event: { category: 'process' }, id: 3, user: 'root', host: 'h1' },
  { '@timestamp': '2024-01-01T00:00:01Z', event: { category: 'process' }, id: 1, user: 'bob', host: 'h1' },
  { '@timestamp': 1704067202000, event: { category: 'network' }, id: 2, user: 'bob', host: 'h1' },
  { '@timestamp': '2024-01-01T00:00:04Z', event: { category: 'file' }, id: 4, user: 'bob', host: 'h2' },
];
const ids = (list: unknown[]) => list.map((e) => (e as { id: number }).id);

describe('searchOne', () => {
  it('runs an event query in timestamp order (ISO and epoch ms mixed)', () => {
    const r = searchOne(events, { id: 'q', query: 'any where true' }, {}) as {
      id: string;
      events: unknown[];
    };
    expect(r.id).toBe('q');
    expect(ids(r.events)).toEqual([1, 2, 3, 4]);
  });

  it('returns sequences with their join keys', () => {
    const r = searchOne(
      events,
      { id: 's', query: 'sequence by host [process where true] [network where true]' },
      {},
    ) as {
      sequences: { join_keys: unknown[]; events: unknown[] }[];
    };
    expect(r.sequences.map((s) => [s.join_keys, ids(s.events)])).toEqual([[['h1'], [1, 2]]]);
  });

  it('honours size', () => {
    const r = searchOne(events, { id: 1, query: 'any where true', size: 2 }, {}) as { events: unknown[] };
    expect(ids(r.events)).toEqual([1, 2]);
  });

  it('rejects bad queries and bad sizes with an error, never a throw', () => {
    expect(searchOne(events, { id: 'x', query: 'process where' }, {})).toMatchObject({
      id: 'x',
      error: expect.stringMatching(/line 1:/),
    });
    expect(searchOne(events, { id: 'y', query: 'any where true', size: -1 }, {})).toMatchObject({
      id: 'y',
      error: expect.any(String),
    });
    expect(searchOne(events, { id: 'z' }, {})).toMatchObject({ id: 'z', error: expect.any(String) });
    expect(searchOne(events, { id: 'w', query: 'any where true | sort id' }, {})).toMatchObject({
      id: 'w',
      error: expect.any(String),
    });
  });

  it('answers hostile queries with an error or a bounded result, never a throw', () => {
    const hostile = [
      'process where user == "' + 'a'.repeat(1024 * 1024) + '"',
      'process where ' + '('.repeat(10_000) + 'true' + ')'.repeat(10_000),
      'process where user in (' + Array.from({ length: 100_000 }, (_, i) => `"u${i}"`).join(',') + ')',
      'process where user regex "(a+)+$"',
      'sequence [process where true] with runs=100 [network where true] with runs=100',
      'process where user == "\u{0}" or `__proto__`.polluted == 1',
    ];
    for (const query of hostile) {
      const r = searchOne(events, { id: 'h', query }, {}) as Record<string, unknown>;
      expect(r.id).toBe('h');
      expect(typeof r.error === 'string' || Array.isArray(r.events) || Array.isArray(r.sequences)).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('orders by a custom timestamp field', () => {
    const data = [
      { t: 5, id: 1 },
      { t: 2, id: 2 },
    ];
    const r = searchOne(data, { id: 'q', query: 'any where true' }, { timestampField: 't' }) as {
      events: unknown[];
    };
    expect(ids(r.events)).toEqual([2, 1]);
  });
});

describe('sequent search (process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-search-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one line per query in input order, errors included', () => {
    const ev = path.join(dir, 'events.ndjson');
    const qs = path.join(dir, 'queries.ndjson');
    writeFileSync(ev, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileSync(
      qs,
      [
        JSON.stringify({ id: 'a', query: 'file where true' }),
        'this is not json',
        JSON.stringify({ id: 'b', query: 'process where user ==' }),
        '',
        JSON.stringify({ id: 'c', query: 'sample by user [process where true] [network where true]' }),
      ].join('\n') + '\n',
    );
    const res = spawnSync(
      path.join(repoRoot, 'bin', 'sequent'),
      ['search', '--events', ev, '--query-file', qs],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(res.status).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['a', null, 'b', 'c']);
    expect(ids(lines[0].events)).toEqual([4]);
    expect(lines[1].error).toMatch(/query line 2/);
    expect(lines[2].error).toEqual(expect.any(String));
    expect(
      lines[3].samples.map((s: { join_keys: unknown[]; events: unknown[] }) => [s.join_keys, ids(s.events)]),
    ).toEqual([[['bob'], [1, 2]]]);
  });

  it('exits 2 with usage when a required flag is missing', () => {
    const res = spawnSync(path.join(repoRoot, 'bin', 'sequent'), ['search', '--events', 'x.ndjson'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--query-file/);
  });
});

/**
 * The event (non-sequence) queries of Elasticsearch's EQL spec tests
 * (../shared/conformance/eql) evaluated with this compiler's conditions over the spec's 102
 * events; every sequence query must compile (the sequence matcher lives in libs/engine).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { compileEql } from './index';

const REPO = path.resolve(__dirname, '../../../..');
const DIR = path.join(path.resolve(REPO, '..', 'shared'), 'conformance/eql');
const present = existsSync(path.join(DIR, 'test_queries.toml'));
if (!present) console.warn(`eql conformance.spec: skipped, ${DIR} (../shared) is absent`);
const describeIf = present ? describe : describe.skip;

interface SpecQuery {
  name: string;
  query: string;
  expected_event_ids: number[];
}

describeIf('Elasticsearch EQL spec tests (event queries)', () => {
  const queries = present
    ? ((
        parse(readFileSync(path.join(DIR, 'test_queries.toml'), 'utf8')) as unknown as {
          queries: SpecQuery[];
        }
      ).queries ?? [])
    : [];
  const events = present
    ? readFileSync(path.join(DIR, 'test_data.ndjson'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, number>)
        .sort((a, b) => a['@timestamp'] - b['@timestamp'] || a.serial_event_id - b.serial_event_id)
    : [];
  const options = { eventCategoryField: 'event.category', tiebreakerField: 'serial_event_id' };

  it('every query compiles, and every event query returns the expected events', () => {
    const failures: string[] = [];
    let eventQueries = 0;
    let passed = 0;
    for (const q of queries) {
      let compiled;
      try {
        compiled = compileEql(q.query, options);
      } catch (e) {
        failures.push(`${q.name}: ${(e as Error).message}`);
        continue;
      }
      if (compiled.kind !== 'event') continue;
      eventQueries++;
      const cond = compiled.stages[0].condition;
      let hits = events.filter((e) => cond(e));
      let sized = false;
      for (const p of compiled.pipes) {
        if (!sized) hits = p.kind === 'head' ? hits.slice(0, 50) : hits.slice(-50);
        sized = true;
        hits = p.kind === 'head' ? hits.slice(0, p.count) : hits.slice(Math.max(0, hits.length - p.count));
      }
      if (!sized) hits = hits.slice(0, 50);
      const got = hits.map((e) => e.serial_event_id);
      if (JSON.stringify(got) === JSON.stringify(q.expected_event_ids)) passed++;
      else
        failures.push(
          `${q.name}: expected ${JSON.stringify(q.expected_event_ids)} got ${JSON.stringify(got)}`,
        );
    }
    console.log(
      `EQL spec: ${queries.length} queries compile-checked, event queries ${passed}/${eventQueries} pass`,
    );
    expect(failures).toEqual([]);
    expect(eventQueries).toBeGreaterThan(50);
  });
});

/**
 * Elasticsearch's public EQL spec tests (../shared/conformance/eql) through `./bin/sequent
 * search`, judged as the README there says: the returned events' `serial_event_id`s, sequence
 * after sequence, must equal `expected_event_ids` exactly. Skips, saying so, when the shared
 * folder is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';

const repoRoot = path.resolve(__dirname, '../../../..');
const conformanceDir = path.resolve(repoRoot, '..', 'shared', 'conformance', 'eql');
const present = existsSync(path.join(conformanceDir, 'test_queries.toml'));

interface SpecTest {
  name: string;
  query: string;
  expected_event_ids: number[] | number[][];
}

/** The id the spec tests use for an event; -1 for a missing-event placeholder. */
function eventId(e: unknown): unknown {
  const o = e as Record<string, unknown>;
  if (o && o.missing === true) return -1;
  return o.serial_event_id ?? o.id;
}

/** The ids of a result line: events, or the events of every sequence/sample in turn. */
export function resultIds(line: Record<string, unknown>): unknown[] {
  if (Array.isArray(line.events)) return line.events.map(eventId);
  const groups = (line.sequences ?? line.samples) as { events: unknown[] }[] | undefined;
  return (groups ?? []).flatMap((g) => g.events.map(eventId));
}

function matchesExpected(actual: unknown[], expected: SpecTest['expected_event_ids']): boolean {
  const alternatives =
    expected.length > 0 && Array.isArray(expected[0]) ? (expected as number[][]) : [expected as number[]];
  return alternatives.some((alt) => JSON.stringify(alt) === JSON.stringify(actual));
}

(present ? describe : describe.skip)(
  'EQL conformance (Elasticsearch spec tests) through ./bin/sequent search',
  () => {
    it('passes every active test', () => {
      const doc = parse(readFileSync(path.join(conformanceDir, 'test_queries.toml'), 'utf8')) as unknown as {
        queries: SpecTest[];
      };
      const tests = doc.queries;
      const dir = mkdtempSync(path.join(tmpdir(), 'sequent-eql-conformance-'));
      try {
        const queryFile = path.join(dir, 'queries.ndjson');
        writeFileSync(
          queryFile,
          tests.map((t, i) => JSON.stringify({ id: String(i), query: t.query, size: 50 })).join('\n') + '\n',
        );
        const stdout = execFileSync(
          path.join(repoRoot, 'bin', 'sequent'),
          [
            'search',
            '--events',
            path.join(conformanceDir, 'test_data.ndjson'),
            '--query-file',
            queryFile,
            '--timestamp-field',
            '@timestamp',
            '--tiebreaker-field',
            'serial_event_id',
          ],
          { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
        );
        const lines = stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines.map((l) => l.id)).toEqual(tests.map((_, i) => String(i)));
        const failures: string[] = [];
        tests.forEach((t, i) => {
          const line = lines[i];
          if (typeof line.error === 'string') {
            failures.push(`${t.name}: error ${line.error}`);
            return;
          }
          const ids = resultIds(line);
          if (!matchesExpected(ids, t.expected_event_ids))
            failures.push(
              `${t.name}: expected ${JSON.stringify(t.expected_event_ids)}, got ${JSON.stringify(ids)}`,
            );
        });
        const passed = tests.length - failures.length;
        console.log(`EQL conformance: ${passed}/${tests.length} passed`);
        if (failures.length > 0) console.log(failures.join('\n'));
        expect(failures).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  },
);

if (!present) {
  it('EQL conformance skipped: ../shared/conformance/eql/test_queries.toml is absent', () => {
    expect(present).toBe(false);
  });
}

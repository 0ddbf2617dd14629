/**
 * Loads the public conformance pairs of `../shared/conformance/ecs` (see its README) as
 * (format, shape, input lines, expected documents). Used by the conformance tests; kept out
 * of the library's index because it reads files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Doc } from '../field';
import type { NormalizeFormat, NormalizeShape } from '../normalize';
import { libauditEventToEcs, type LibauditEvent } from '../auditd/event';

export interface DocPair {
  kind: 'docs';
  source: string;
  name: string;
  format: NormalizeFormat;
  shape: NormalizeShape;
  lines: string[];
  expected: Doc[];
}

export interface AuparsePair {
  kind: 'auparse';
  source: string;
  name: string;
  line: string;
  data: Record<string, string>;
  tags: string[];
}

export type Pair = DocPair | AuparsePair;

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** Lines of a `*.log` input, or the expected documents' `event.original` (the README's rule). */
function logLines(expectedPath: string, expected: Doc[]): string[] {
  const input = expectedPath.replace(/-expected\.json$/, '');
  if (existsSync(input))
    return readFileSync(input, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  return expected.map((e) => String(((e.event ?? {}) as Doc).original ?? ''));
}

function eventPairs(source: string, dir: string, format: NormalizeFormat): DocPair[] {
  const pairs: DocPair[] = [];
  for (const path of files(dir)) {
    if (!path.endsWith('-expected.json')) continue;
    const expected = (readJson(path).expected ?? []) as Doc[];
    const input = path.replace(/-expected\.json$/, '');
    const name = input.slice(dir.length + 1);
    if (input.endsWith('.log')) {
      pairs.push({
        kind: 'docs',
        source,
        name,
        format: source === 'auditd' ? 'auditd-records' : format,
        shape: 'integration',
        lines: logLines(path, expected),
        expected,
      });
    } else if (existsSync(input)) {
      const events = (readJson(input).events ?? []) as Doc[];
      pairs.push({
        kind: 'docs',
        source,
        name,
        format,
        shape: 'integration',
        lines: events.map((e) => JSON.stringify(e)),
        expected,
      });
    }
  }
  return pairs;
}

/** Every pair under `root` (the conformance/ecs folder), grouped by source folder. */
export function loadConformancePairs(root: string): Pair[] {
  const pairs: Pair[] = [];
  pairs.push(...eventPairs('auditd', join(root, 'auditd'), 'auditd-records'));
  pairs.push(...eventPairs('auditd_manager', join(root, 'auditd_manager'), 'auditd'));
  pairs.push(...eventPairs('sysmon_linux', join(root, 'sysmon_linux'), 'sysmon-linux'));
  const sysmonSample = join(root, 'sysmon_linux', 'sample_event.json');
  if (existsSync(sysmonSample)) {
    const doc = readJson(sysmonSample) as Doc;
    pairs.push({
      kind: 'docs',
      source: 'sysmon_linux',
      name: 'sample_event.json',
      format: 'ecs',
      shape: 'integration',
      lines: [JSON.stringify(doc)],
      expected: [doc],
    });
  }

  const coalesce = join(root, 'go-libaudit', 'aucoalesce', 'testdata');
  for (const path of files(coalesce)) {
    if (!path.endsWith('.yaml')) continue;
    const golden = path.replace(/\.yaml$/, '.json.golden');
    if (!existsSync(golden)) continue;
    const tests = ((parseYaml(readFileSync(path, 'utf8')) as { tests?: Record<string, string> }).tests ??
      {}) as Record<string, string>;
    for (const g of JSON.parse(readFileSync(golden, 'utf8')) as Array<{
      test_name: string;
      event: LibauditEvent;
    }>) {
      const raw = tests[g.test_name];
      if (typeof raw !== 'string') continue;
      pairs.push({
        kind: 'docs',
        source: 'go-libaudit',
        name: `${path.slice(coalesce.length + 1)}: ${g.test_name}`,
        format: 'auditd',
        shape: 'integration',
        lines: raw.split('\n').filter((l) => l.trim() !== ''),
        // go-libaudit's event, mapped to ECS the way Auditbeat maps it (same mapping as ours)
        expected: [libauditEventToEcs({ ...g.event, warnings: [] })],
      });
    }
  }
  const auparse = join(root, 'go-libaudit', 'auparse', 'testdata');
  for (const path of files(auparse)) {
    if (!path.endsWith('.golden')) continue;
    const records = JSON.parse(readFileSync(path, 'utf8')) as Array<{
      record_type: string;
      raw_msg: string;
      data?: Record<string, string>;
      keys?: string[];
    }>;
    records.forEach((r, i) =>
      pairs.push({
        kind: 'auparse',
        source: 'go-libaudit',
        name: `${path.slice(auparse.length + 1)}#${i}`,
        line: `type=${r.record_type.toUpperCase()} msg=${r.raw_msg}`,
        data: r.data ?? {},
        tags: r.keys ?? [],
      }),
    );
  }

  const endpoint = join(root, 'endpoint');
  pairs.push(
    ...eventPairs('endpoint', endpoint, 'ecs').filter((p) => !p.name.startsWith('linux_event_docs')),
  );
  for (const path of files(endpoint)) {
    if (!path.endsWith('sample_event.json')) continue;
    const doc = readJson(path) as Doc;
    pairs.push({
      kind: 'docs',
      source: 'endpoint',
      name: path.slice(endpoint.length + 1),
      format: 'ecs',
      shape: 'integration',
      lines: [JSON.stringify(doc)],
      expected: [doc],
    });
  }
  return pairs;
}

/**
 * ECS normalization conformance: every public pair of ../shared/conformance/ecs, through the
 * library and through `./bin/sequent normalize`, compared under the README's rules.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { normalizeLines } from '../normalize';
import { parseAuditLine } from '../auditd/line';
import { interpretRecord } from '../auditd/interpret';
import { compareEcs } from './compare';
import { loadConformancePairs, type DocPair, type Pair } from './pairs';
import type { Doc } from '../field';

const repoRoot = resolve(__dirname, '../../../..');
const conformanceDir = join(resolve(repoRoot, '..', 'shared'), 'conformance', 'ecs');
const present = existsSync(conformanceDir);
const SOURCES = ['auditd', 'auditd_manager', 'go-libaudit', 'sysmon_linux', 'endpoint'];

function checkDocs(pair: DocPair, actual: Doc[], errors: string[]): string[] {
  const problems: string[] = [...errors];
  pair.expected.forEach((exp, i) => {
    const act = actual[i];
    if (!act) problems.push(`document ${i}: missing`);
    else for (const d of compareEcs(exp, act)) problems.push(`document ${i}: ${d}`);
  });
  if (actual.length > pair.expected.length)
    problems.push(`${actual.length - pair.expected.length} extra documents`);
  return problems;
}

function runLibrary(pair: Pair): string[] {
  if (pair.kind === 'auparse') {
    const rec = interpretRecord(parseAuditLine(pair.line));
    const keys = new Set([...Object.keys(pair.data), ...Object.keys(rec.data)]);
    const diffs = [...keys]
      .filter((k) => pair.data[k] !== rec.data[k])
      .map((k) => `${k}: expected ${pair.data[k]}, got ${rec.data[k]}`);
    if (JSON.stringify(pair.tags) !== JSON.stringify(rec.tags))
      diffs.push(`tags: expected ${JSON.stringify(pair.tags)}, got ${JSON.stringify(rec.tags)}`);
    return diffs;
  }
  const out = normalizeLines(pair.lines, { format: pair.format, shape: pair.shape });
  return checkDocs(
    pair,
    out.events,
    out.errors.map((e) => `line ${e.line}: ${e.error}`),
  );
}

function report(label: string, pairs: Pair[], run: (p: Pair) => string[]): Map<string, string[]> {
  const failures = new Map<string, string[]>();
  for (const source of SOURCES) {
    const mine = pairs.filter((p) => p.source === source);
    let passed = 0;
    for (const p of mine) {
      const problems = run(p);
      if (problems.length === 0) passed++;
      else failures.set(`${source}/${p.name}`, problems.slice(0, 5));
    }
    console.log(`ECS conformance ${source}${label}: ${passed}/${mine.length} passed`);
  }
  return failures;
}

(present ? describe : describe.skip)('ECS conformance (../shared/conformance/ecs)', () => {
  const pairs = present ? loadConformancePairs(conformanceDir) : [];

  it('finds pairs for every source', () => {
    for (const source of SOURCES) expect(pairs.filter((p) => p.source === source).length).toBeGreaterThan(0);
  });

  it('passes every pair through the library', () => {
    const failures = report('', pairs, runLibrary);
    expect(Object.fromEntries(failures)).toEqual({});
  });

  it('passes every pair through ./bin/sequent normalize', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sequent-ecs-conf-'));
    try {
      const docPairs = pairs.filter((p): p is DocPair => p.kind === 'docs');
      const failures = report(' (CLI)', docPairs, (p) => {
        const pair = p as DocPair;
        const file = join(dir, 'input');
        writeFileSync(file, pair.lines.join('\n') + '\n');
        const args = ['normalize', '--format', pair.format, '--shape', pair.shape, file];
        const res = spawnSync(join(repoRoot, 'bin', 'sequent'), args, {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        const events = res.stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Doc);
        const errors = res.stderr.split('\n').filter((l) => l.startsWith('{'));
        const problems = checkDocs(pair, events, errors);
        if (res.status !== 0 && problems.length === 0)
          problems.push(`exit status ${res.status}: ${res.stderr.slice(0, 300)}`);
        return problems;
      });
      expect(Object.fromEntries(failures)).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

if (!present) {
  it('ECS conformance skipped: ../shared/conformance/ecs is absent', () => {
    console.log(`ECS conformance skipped: ${conformanceDir} not found`);
  });
}

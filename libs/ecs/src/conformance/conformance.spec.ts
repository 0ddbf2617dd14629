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
import { getField, type Doc } from '../field';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v as Doc)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => [k, sortKeys(x)]),
  );
}

const ID_NAME_PAIRS: Array<[string, string, 'u' | 'g']> = [
  ['user.id', 'user.name', 'u'],
  ['user.audit.id', 'user.audit.name', 'u'],
  ['user.effective.id', 'user.effective.name', 'u'],
  ['user.saved.id', 'user.saved.name', 'u'],
  ['user.filesystem.id', 'user.filesystem.name', 'u'],
  ['file.uid', 'file.owner', 'u'],
  ['user.group.id', 'user.group.name', 'g'],
  ['user.filesystem.group.id', 'user.filesystem.group.name', 'g'],
  ['user.saved.group.id', 'user.saved.group.name', 'g'],
  ['file.gid', 'file.group', 'g'],
];

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

  it('keeps the vendor namespaces exactly as the integration pipelines do (auditd.*, winlog.*)', () => {
    // Not part of the README's comparison, but rules do read auditd.data.* and winlog.*.
    const vendor = pairs.filter(
      (p): p is DocPair =>
        p.kind === 'docs' &&
        ['auditd', 'auditd_manager', 'sysmon_linux'].includes(p.source) &&
        p.format !== 'ecs',
    );
    let same = 0;
    let total = 0;
    const diffs: string[] = [];
    for (const p of vendor) {
      const ns = p.source === 'sysmon_linux' ? 'winlog' : 'auditd';
      const out = normalizeLines(p.lines, { format: p.format });
      p.expected.forEach((e, i) => {
        total++;
        const a = JSON.stringify(sortKeys(getField(out.events[i] ?? {}, ns)));
        const b = JSON.stringify(sortKeys(getField(e, ns)));
        if (a === b) same++;
        else diffs.push(`${p.name}#${i}: ${a} vs ${b}`);
      });
    }
    console.log(`ECS conformance vendor namespaces (auditd.*, winlog.*) kept exactly: ${same}/${total}`);
    expect(diffs).toEqual([]);
  });

  it('rebuilds the agent-coalesced events from their raw records (format auditd)', () => {
    // The agent's events keep their raw records (event.original / auditd.messages): coalescing
    // them ourselves must give the expected document too. Names come from the agent's own
    // uid/gid lookups in the input event (the host's passwd/group).
    const raw = pairs.filter(
      (p): p is DocPair =>
        p.kind === 'docs' &&
        (p.source === 'auditd' || p.source === 'auditd_manager') &&
        p.lines[0]?.startsWith('{'),
    );
    const failures = new Map<string, string[]>();
    for (const p of raw) {
      const problems: string[] = [];
      p.lines.forEach((line, i) => {
        const ev = JSON.parse(line) as Doc;
        const original = getField(ev, 'event.original') ?? getField(ev, 'auditd.messages');
        const records = (Array.isArray(original) ? original : [original]).filter(
          (x): x is string => typeof x === 'string',
        );
        const users: Record<string, string> = {};
        const groups: Record<string, string> = {};
        for (const [idPath, namePath, map] of ID_NAME_PAIRS) {
          const id = getField(ev, idPath);
          const name = getField(ev, namePath);
          if (typeof id === 'string' && typeof name === 'string') (map === 'u' ? users : groups)[id] = name;
        }
        const out = normalizeLines(records, { format: 'auditd', userNames: users, groupNames: groups });
        problems.push(...out.errors.map((e) => `event ${i}: line ${e.line}: ${e.error}`));
        for (const d of compareEcs(p.expected[i], out.events[0] ?? {})) problems.push(`event ${i}: ${d}`);
      });
      if (problems.length) failures.set(`${p.source}/${p.name}`, problems);
    }
    console.log(
      `ECS conformance auditd (agent events rebuilt from raw records): ${raw.length - failures.size}/${raw.length} passed`,
    );
    expect(Object.fromEntries(failures)).toEqual({});
  });

  it('passes every pair through ./bin/sequent normalize', () => {
    // ./bin/sequent builds dist/ when sources changed: build once, then run the built CLI so
    // edits elsewhere in the checkout cannot trigger a rebuild in the middle of the run.
    const build = spawnSync(join(repoRoot, 'bin', 'sequent'), ['normalize', '--help'], { encoding: 'utf8' });
    expect(build.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'sequent-ecs-conf-'));
    try {
      const docPairs = pairs.filter((p): p is DocPair => p.kind === 'docs');
      const failures = report(' (CLI)', docPairs, (p) => {
        const pair = p as DocPair;
        const file = join(dir, 'input');
        writeFileSync(file, pair.lines.join('\n') + '\n');
        const args = ['normalize', '--format', pair.format, '--shape', pair.shape, file];
        const res = spawnSync(
          process.execPath,
          [join(repoRoot, 'dist', 'apps', 'cli', 'src', 'main.js'), ...args],
          {
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          },
        );
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

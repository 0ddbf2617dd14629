/**
 * `sequent match` as DESIGN.md specifies it, run as a real process (`./bin/sequent`):
 * one answer per case in input order, `{"id","match"}` or `{"id","error"}`, never a crash.
 * Then the KQL conformance cases of ../shared/conformance/kql (see its README) all in one
 * file through one process, judged exactly as the in-process suite
 * (libs/rules/src/match/kql-conformance.spec.ts, which lists what is not applicable and why).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildKqlConformance, KQL_CONFORMANCE_KINDS } from '@sequent/rules';
import type { MatchResult } from '@sequent/rules';

const repoRoot = path.resolve(__dirname, '../../../..');
const sequent = path.join(repoRoot, 'bin', 'sequent');
const casesFile = path.resolve(repoRoot, '..', 'shared', 'conformance', 'kql', 'cases.json');
const haveCases = existsSync(casesFile);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sequent-match-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runMatch(lines: string[]): { stdout: string; status: number | null; stderr: string } {
  const file = path.join(dir, `cases-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = spawnSync(sequent, ['match', '--cases', file], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

const parseLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as MatchResult);

describe('sequent match', () => {
  it('answers every line in input order: match, query errors, bad cases and bad JSON', () => {
    const { stdout, status } = runMatch([
      JSON.stringify({
        id: 1,
        language: 'kql',
        query: 'process.name:bash and not user.name:root',
        doc: { process: { name: 'bash' }, user: { name: 'alice' } },
      }),
      JSON.stringify({
        id: 'eql',
        language: 'eql',
        query: 'process where process.name == "bash"',
        doc: { event: { category: 'process' }, process: { name: 'bash' } },
      }),
      JSON.stringify({
        id: 'eql-bare',
        language: 'eql',
        query: 'process.pid > 10',
        doc: { process: { pid: 5 } },
      }),
      JSON.stringify({
        id: 'text',
        language: 'kql',
        query: 'msg:"quick brown"',
        doc: { msg: 'The Quick Brown fox' },
        mapping: { msg: 'text' },
      }),
      JSON.stringify({
        id: 'ip',
        language: 'kql',
        query: 'ip:10.0.0.0/8',
        doc: { ip: ['192.168.0.1', '10.1.2.3'] },
        mapping: { ip: 'ip' },
      }),
      JSON.stringify({ id: 'syntax', language: 'kql', query: 'response:', doc: {} }),
      JSON.stringify({ id: 'schema', language: 'kql', query: 'n:abc', doc: {}, mapping: { n: 'long' } }),
      JSON.stringify({ id: 'lang', language: 'sql', query: 'x', doc: {} }),
      '{not json',
      JSON.stringify({ id: 'nodoc', language: 'kql', query: 'a:*' }),
      '',
      JSON.stringify([1, 2]),
    ]);
    expect(status).toBe(0);
    expect(parseLines(stdout)).toEqual([
      { id: 1, match: true },
      { id: 'eql', match: true },
      { id: 'eql-bare', match: false },
      { id: 'text', match: true },
      { id: 'ip', match: true },
      {
        id: 'syntax',
        error: 'Expected "(", "{", value, whitespace but end of input found.\nresponse:\n---------^',
      },
      { id: 'schema', error: expect.stringContaining("Value doesn't match n's type: long") },
      { id: 'lang', error: expect.stringContaining('"language" must be "kql" or "eql"') },
      { id: null, error: expect.stringContaining('line 9: not JSON') },
      { id: 'nodoc', match: false },
      { id: null, error: 'a case must be a JSON object' },
    ]);
  });

  it('is a usage error without --cases, and a read error for a missing file', () => {
    const usage = spawnSync(sequent, ['match'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    const missing = spawnSync(sequent, ['match', '--cases', path.join(dir, 'absent.ndjson')], {
      encoding: 'utf8',
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot read');
  });
});

if (!haveCases) {
  console.warn(`KQL conformance through sequent match skipped: ${casesFile} is absent`);
}

(haveCases ? describe : describe.skip)('KQL conformance through ./bin/sequent match (one process)', () => {
  it('passes every applicable case, and reports the counts per kind', () => {
    const cases = JSON.parse(readFileSync(casesFile, 'utf8')) as unknown[];
    const { checks } = buildKqlConformance(cases, { eql: true });
    const probes = checks.flatMap((c) => c.probes);
    const file = path.join(dir, 'kql-conformance.ndjson');
    writeFileSync(file, probes.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const stdout = execFileSync(sequent, ['match', '--cases', file], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    const answers = parseLines(stdout);
    expect(answers.map((a) => a.id)).toEqual(probes.map((p) => p.id));

    let at = 0;
    const verdicts = checks.map((check) => {
      const results = answers.slice(at, at + check.probes.length);
      at += check.probes.length;
      return { check, failure: check.judge(results) };
    });
    const lines = KQL_CONFORMANCE_KINDS.map((kind) => {
      const applicable = verdicts.filter((v) => v.check.kind === kind && v.check.applicable);
      const passed = applicable.filter((v) => v.failure === null).length;
      return `KQL conformance (sequent match): ${kind} ${passed}/${applicable.length} passed`;
    });
    console.log(lines.join('\n') + `\n(${probes.length} match lines in one process)`);
    expect(
      verdicts
        .filter((v) => v.check.applicable && v.failure !== null)
        .map((v) => `${v.check.caseId}: ${v.failure}`),
    ).toEqual([]);
  });
});

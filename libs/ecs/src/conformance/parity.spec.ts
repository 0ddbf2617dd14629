/**
 * Detection parity: the same generated fleet as Elastic Defend recorded it, as raw auditd records
 * and as Sysmon for Linux syslog lines; the raw forms normalized with `--shape endpoint`; the
 * Linux rule corpus hunted over all three must raise the same alerts (rule by rule). All through
 * the CLI (`generate`, `normalize`, `hunt`), built once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const repoRoot = resolve(__dirname, '../../../..');
const corpus = join(resolve(repoRoot, '..', 'shared'), 'corpus', 'detection-rules', 'linux');
const cli = join(repoRoot, 'dist', 'apps', 'cli', 'src', 'main.js');

function sequent(args: string[]): string {
  const res = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (res.status !== 0)
    throw new Error(`sequent ${args.join(' ')} exited ${res.status}: ${res.stderr.slice(0, 500)}`);
  return res.stdout;
}

function alertsByRule(file: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of sequent(['hunt', '--rules', corpus, '--events', file]).split('\n')) {
    if (!line.trim()) continue;
    const name = String((JSON.parse(line) as Record<string, unknown>)['kibana.alert.rule.name']);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

(existsSync(corpus) ? describe : describe.skip)(
  'detection parity: Defend vs auditd vs Sysmon (endpoint shape)',
  () => {
    it('raises the same alerts from the three sources', () => {
      const build = spawnSync(join(repoRoot, 'bin', 'sequent'), ['normalize', '--help'], {
        encoding: 'utf8',
      });
      expect(build.status).toBe(0);
      const dir = mkdtempSync(join(tmpdir(), 'sequent-parity-'));
      try {
        const gen = ['generate', '--hosts', '10', '--duration', '10m', '--rate', '5', '--seed', 'parity'];
        for (const format of ['ecs', 'auditd', 'sysmon-linux'])
          sequent([...gen, '--format', format, '--out', join(dir, format)]);
        const auditd = sequent([
          'normalize',
          '--format',
          'auditd',
          '--shape',
          'endpoint',
          join(dir, 'auditd'),
        ]);
        const sysmon = sequent([
          'normalize',
          '--format',
          'sysmon-linux',
          '--shape',
          'endpoint',
          join(dir, 'sysmon-linux'),
        ]);
        writeFileSync(join(dir, 'auditd.ndjson'), auditd);
        writeFileSync(join(dir, 'sysmon.ndjson'), sysmon);
        const defend = alertsByRule(join(dir, 'ecs'));
        console.log(`detection parity: Defend ${JSON.stringify(defend)}`);
        expect(Object.keys(defend).length).toBeGreaterThan(3);
        expect(alertsByRule(join(dir, 'auditd.ndjson'))).toEqual(defend);
        expect(alertsByRule(join(dir, 'sysmon.ndjson'))).toEqual(defend);
        expect(readFileSync(join(dir, 'ecs'), 'utf8').length).toBeGreaterThan(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 900_000);
  },
);

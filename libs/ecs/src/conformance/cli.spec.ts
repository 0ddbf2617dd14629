/** `sequent normalize` as DESIGN.md defines it: NDJSON out in input order, {"error","line"} on stderr, exit 1 at the end. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../../..');
// ./bin/sequent builds dist/ when sources are newer; build once up front, then run the built CLI
// so edits elsewhere in the checkout cannot trigger a rebuild in the middle of the test.
const built = join(repoRoot, 'dist', 'apps', 'cli', 'src', 'main.js');
const run = (args: string[], input: string) =>
  spawnSync(process.execPath, [built, 'normalize', ...args], { input, encoding: 'utf8' });

beforeAll(() => {
  const res = spawnSync(join(repoRoot, 'bin', 'sequent'), ['normalize', '--help'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`./bin/sequent normalize --help failed: ${res.stderr}`);
}, 300_000);

describe('sequent normalize (CLI)', () => {
  it('prints events in input order, reports unreadable lines on stderr and exits 1 at the end', () => {
    const input = [
      'node=h type=USER_CMD msg=audit(1.000:1): pid=1 uid=0 auid=0 ses=1 msg=\'cwd="/" cmd=6C73 res=success\'',
      'not an audit line',
      'node=h type=USER_CMD msg=audit(2.000:2): pid=2 uid=0 auid=0 ses=1 msg=\'cwd="/" cmd=6C73 res=success\'',
    ].join('\n');
    const res = run(['--format', 'auditd-records', '-'], input);
    expect(res.status).toBe(1);
    const events = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.process.pid)).toEqual([1, 2]);
    expect(
      res.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ error: expect.stringContaining('not an auditd record'), line: 2 }]);
  }, 120_000);

  it('exits 0 on clean input, 2 on a bad --format, and never crashes on binary input', () => {
    expect(run(['--format', 'ecs'], '{"@timestamp":"2026-01-01T00:00:00Z"}\n').status).toBe(0);
    expect(run(['--format', 'csv'], '').status).toBe(2);
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    for (const format of ['auditd', 'auditd-records', 'sysmon-linux', 'ecs']) {
      const res = run(['--format', format, '--shape', 'endpoint'], binary);
      expect(res.status).toBe(1);
      for (const line of res.stderr.trim().split('\n'))
        expect(JSON.parse(line)).toMatchObject({ line: expect.any(Number) });
    }
  }, 120_000);

  it('skips and reports an over-long line without buffering it, then goes on', () => {
    const input = `{"x":"${'y'.repeat(200_000)}"}\n{"@timestamp":"2026-01-01T00:00:00Z"}\n`;
    const res = run(['--format', 'ecs', '--max-event-bytes', '1000'], input);
    expect(res.status).toBe(1);
    expect(res.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(res.stderr.trim())).toEqual({
      error: expect.stringMatching(/over the limit of 1000/),
      line: 1,
    });
  }, 120_000);
});

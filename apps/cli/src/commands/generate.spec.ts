import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../command';
import { generateCommand } from './generate';

describe('sequent generate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-generate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (name: string, extra: string[] = []) => {
    const out = path.join(dir, `${name}.out`);
    const labels = path.join(dir, `${name}.labels.json`);
    const code = await generateCommand.run([
      '--hosts',
      '4',
      '--duration',
      '2m',
      '--seed',
      's1',
      '--out',
      out,
      '--labels',
      labels,
      ...extra,
    ]);
    return { code, out: readFileSync(out, 'utf8'), labels: JSON.parse(readFileSync(labels, 'utf8')) };
  };

  it('is deterministic from the seed and labels every planted attack', async () => {
    const a = await run('a');
    const b = await run('b');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const events = a.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ids = new Set(events.map((e) => e.event.id));
    expect(a.labels.length).toBeGreaterThan(0);
    for (const label of a.labels) for (const id of label.event_ids) expect(ids.has(id)).toBe(true);
  });

  it('writes raw auditd lines and Sysmon XML', async () => {
    expect((await run('auditd', ['--format', 'auditd'])).out).toMatch(
      /^(node=\S+ )?type=SYSCALL msg=audit\(\d+\.\d{3}:\d+\)/m,
    );
    expect((await run('sysmon', ['--format', 'sysmon-linux'])).out).toMatch(/<Event>.*<EventID>1<\/EventID>/);
  });

  it('limits the attacks to the spec given', async () => {
    const { labels } = await run('spec', ['--attacks', 'apt_hook_shell:3']);
    expect(labels.map((l: { scenario: string }) => l.scenario)).toEqual([
      'apt_hook_shell',
      'apt_hook_shell',
      'apt_hook_shell',
    ]);
  });

  it('rejects bad flags as usage errors', async () => {
    await expect(generateCommand.run(['--hosts', '0'])).rejects.toBeInstanceOf(UsageError);
    await expect(generateCommand.run(['--format', 'xml'])).rejects.toBeInstanceOf(UsageError);
    await expect(generateCommand.run(['--duration', 'soon'])).rejects.toBeInstanceOf(UsageError);
  });
});

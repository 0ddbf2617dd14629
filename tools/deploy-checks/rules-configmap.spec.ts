// The correlator's rules arrive as a ConfigMap volume. Kubelet lays one out as
// `..<timestamp>/<files>`, a `..data` link to it and one top-level link per file, and updates
// it by swapping `..data`. This replays that layout with the chart's rendered rules ConfigMap
// and loads it with the rule loader the correlator uses: every rule once (the `..` entries
// are skipped, the links read), and an update is seen on the next load.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRules } from '@sequent/rules';
import { one, renderChart } from './chart';

function writeVersion(mount: string, stamp: string, data: Record<string, string>): void {
  const version = path.join(mount, `..${stamp}`);
  mkdirSync(version);
  for (const [name, body] of Object.entries(data)) writeFileSync(path.join(version, name), body);
  // Atomic swap of ..data, as kubelet does.
  const next = path.join(mount, '..data_tmp');
  symlinkSync(`..${stamp}`, next);
  renameSync(next, path.join(mount, '..data'));
  for (const name of Object.keys(data)) {
    try {
      symlinkSync(path.join('..data', name), path.join(mount, name));
    } catch {
      // already linked by an earlier version
    }
  }
}

describe('rules ConfigMap mounted like kubelet mounts it', () => {
  let mount: string;
  beforeAll(() => {
    mount = mkdtempSync(path.join(tmpdir(), 'sequent-rules-mount-'));
  });
  afterAll(() => rmSync(mount, { recursive: true, force: true }));

  it('loads every rule of the chart ConfigMap once, and sees an added rule after an update', () => {
    const data = one(renderChart(), 'ConfigMap', '-rules').data ?? {};
    const files = Object.keys(data);
    expect(files.length).toBeGreaterThan(0);
    writeVersion(mount, '2026_01_01_00_00_00.000000001', data);

    const first = loadRules([mount]);
    const ids = first.definitions.map((d) => d.rule_id);
    expect(first.reports.filter((r) => r.status !== 'loaded')).toEqual([]);
    expect(first.ok).toBe(true);
    expect(ids.length).toBe(files.length);
    expect(new Set(ids).size).toBe(ids.length);

    const [name, body] = Object.entries(data)[0];
    const copy = body
      .replace(/rule_id = "[^"]+"/, 'rule_id = "00000000-0000-4000-8000-000000000009"')
      .replace(/^name = "/m, 'name = "Copy of ');
    writeVersion(mount, '2026_01_01_00_01_00.000000002', { ...data, [`copy-${name}`]: copy });
    const second = loadRules([mount]);
    expect(second.definitions.length).toBe(files.length + 1);
  });
});

// Supply chain: every dependency pinned to an exact version, and the committed lockfile records
// the same versions the manifest names (so `npm ci` installs exactly what was reviewed).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<
  string,
  Record<string, string> | undefined
>;
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
};

describe('supply chain', () => {
  const sections = ['dependencies', 'devDependencies', 'optionalDependencies', 'overrides'] as const;
  const entries = sections.flatMap((s) => Object.entries(manifest[s] ?? {}).map(([name, v]) => [s, name, v]));

  it('pins every dependency to an exact version (no ranges, tags or URLs)', () => {
    expect(entries.length).toBeGreaterThan(10);
    const loose = entries.filter(([, , v]) => !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v));
    expect(loose).toEqual([]);
  });

  it('keeps the lockfile in git, matching the manifest', () => {
    expect(
      execFileSync('git', ['ls-files', 'package-lock.json'], { cwd: root, encoding: 'utf8' }).trim(),
    ).toBe('package-lock.json');
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    const mismatched = entries
      .filter(([s]) => s !== 'overrides')
      .filter(([, name, v]) => lock.packages[`node_modules/${name}`]?.version !== v);
    expect(mismatched).toEqual([]);
  });
});

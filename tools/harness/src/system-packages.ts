import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the harness needs from the operating system, and the Debian package that provides it. */
export type SystemNeed = 'redis' | 'kafka-broker' | 'prometheus';

interface Requirement {
  package: string;
  present: () => boolean;
}

const onPath = (binary: string) => () => {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const requirements: Record<SystemNeed, Requirement[]> = {
  redis: [{ package: 'redis-server', present: onPath('redis-server') }],
  'kafka-broker': [
    { package: 'gcc', present: onPath('gcc') },
    { package: 'librdkafka-dev', present: () => existsSync('/usr/include/librdkafka/rdkafka_mock.h') },
  ],
  prometheus: [{ package: 'prometheus', present: onPath('prometheus') }],
};

/** Debian packages missing for `needs` (empty when everything is there). */
export function missingSystemPackages(needs: SystemNeed[]): string[] {
  const missing = new Set<string>();
  for (const need of needs) for (const r of requirements[need]) if (!r.present()) missing.add(r.package);
  return [...missing];
}

/**
 * Makes sure the system packages the harness runs are installed. As root with apt-get, installs
 * them; otherwise throws with the exact command to run. Never skips silently: a test that needs
 * Redis must not pass because Redis was absent.
 */
export function ensureSystemPackages(needs: SystemNeed[] = ['redis', 'kafka-broker']): void {
  const missing = missingSystemPackages(needs);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')()) {
    throw new Error(`missing system packages: ${missing.join(', ')}. Install them with: sudo ${command}`);
  }
  process.stderr.write(`harness: installing ${missing.join(' ')}\n`);
  execFileSync('sh', ['-c', command], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const still = missingSystemPackages(needs);
  if (still.length) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
}

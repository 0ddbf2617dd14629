/**
 * `npm run bench`: runs every `bench/*.bench.ts` in a fresh Node process (so one area's heap and
 * JIT state never colour another's) and prints one JSON line per figure, preceded by a line that
 * names the machine. Each bench module exports `default async function (): Promise<Figure[]>`
 * and measures its own baseline in the same run, so the ratios compare like with like.
 *
 * Usage: npm run bench [-- NAME...]   (NAME: engine, normalize, pipeline, state; default all)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const benchDir = __dirname;
const register = path.join(benchDir, '..', 'tools', 'harness', 'src', 'swc-register.js');

function main(): number {
  const wanted = process.argv.slice(2);
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
    .sort();
  const cpu = os.cpus()[0];
  console.log(
    JSON.stringify({
      bench: 'machine',
      cpu: cpu?.model ?? 'unknown',
      cores: os.cpus().length,
      memory_gib: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      time: new Date().toISOString(),
    }),
  );
  let failed = 0;
  for (const file of files) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--require', register, path.join(benchDir, 'child.ts'), path.join(benchDir, file)],
      { stdio: ['ignore', 'inherit', 'inherit'], env: process.env },
    );
    if (child.status !== 0) {
      failed++;
      console.log(
        JSON.stringify({
          bench: file.replace(/\.bench\.ts$/, ''),
          error: `exited with ${child.status ?? child.signal}`,
        }),
      );
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();

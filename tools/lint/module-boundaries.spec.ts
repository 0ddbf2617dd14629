// The layering of DESIGN.md, checked through the real lint configuration: the pure libraries
// (ecs, rules, engine) may not import Kafka, Redis, Nest, prom-client or the platform libs.
// ESLint runs as its own process (its flat config is ESM, which Jest's VM cannot import).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

async function lintAs(file: string, code: string): Promise<string[]> {
  const run = spawnSync(
    process.execPath,
    [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', file],
    {
      cwd: root,
      input: code,
      encoding: 'utf8',
    },
  );
  if (!run.stdout) throw new Error(`eslint did not run: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries (eslint.config.mjs)', () => {
  jest.setTimeout(120_000);

  // Without Nx's cached project graph the boundary rule silently skips itself: build it first
  // (npm run lint does the same).
  beforeAll(() => {
    const nx = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'show', 'projects'],
      {
        cwd: root,
        env: { ...process.env, NX_DAEMON: 'false' },
        encoding: 'utf8',
      },
    );
    if (nx.status !== 0) throw new Error(`nx show projects failed: ${nx.stderr}`);
  });

  it.each([
    ['libs/rules/src/boundary-fixture.ts', "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n"],
    ['libs/engine/src/boundary-fixture.ts', "import Redis from 'ioredis';\nexport const r = Redis;\n"],
    [
      'libs/ecs/src/boundary-fixture.ts',
      "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n",
    ],
    [
      'libs/engine/src/boundary-fixture.ts',
      "import { loadConfig } from '@sequent/platform';\nexport const c = loadConfig;\n",
    ],
  ])('rejects an I/O import in %s', async (file, code) => {
    const messages = await lintAs(file, code);
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('accepts a pure lib importing another pure lib', async () => {
    const messages = await lintAs(
      'libs/rules/src/boundary-fixture.ts',
      "import { getField } from '@sequent/ecs';\nexport const g = getField;\n",
    );
    expect(messages.filter((m) => m.startsWith('@nx/enforce-module-boundaries'))).toEqual([]);
  });

  it('lets a platform lib use Kafka', async () => {
    const messages = await lintAs(
      'libs/platform/src/boundary-fixture.ts',
      "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n",
    );
    expect(messages.filter((m) => m.startsWith('@nx/enforce-module-boundaries'))).toEqual([]);
  });
});

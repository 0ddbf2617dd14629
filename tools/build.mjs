#!/usr/bin/env node
// Builds every project to dist/ with swc: transpile only (about a second for the whole tree);
// type checking is `npm run typecheck` / `npm run lint`, kept out of the start-up path.
// The @sequent/* aliases of tsconfig.base.json are rewritten to relative requires, so
// dist/ runs on plain `node` with no loader.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = path.join(root, 'dist');
const sourceRoots = ['apps', 'libs', 'tools/harness/src', 'tools/fuzz', 'tools/chaos', 'bench'];
const skip = /(\.spec|\.test)\.ts$|\.d\.ts$/;

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === '__tests__' || e.name === 'fixtures') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(full);
    else if (e.name.endsWith('.ts') && !skip.test(e.name)) yield full;
  }
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    baseUrl: root,
    paths: {
      '@sequent/ecs': ['libs/ecs/src/index.ts'],
      '@sequent/rules': ['libs/rules/src/index.ts'],
      '@sequent/engine': ['libs/engine/src/index.ts'],
      '@sequent/platform': ['libs/platform/src/index.ts'],
      '@sequent/pipeline': ['libs/pipeline/src/index.ts'],
      '@sequent/harness': ['tools/harness/src/index.ts'],
      '@sequent/generator': ['libs/generator/src/index.ts'],
      '@sequent/alerting': ['libs/alerting/src/index.ts'],
    },
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
};

const files = [];
for (const r of sourceRoots) for await (const f of walk(path.join(root, r))) files.push(f);

let failed = 0;
await Promise.all(
  files.map(async (file) => {
    const rel = path.relative(root, file);
    const out = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
    try {
      const { code, map } = await transformFile(file, {
        ...swcOptions,
        filename: file,
        sourceFileName: file,
      });
      await mkdir(path.dirname(out), { recursive: true });
      // Write-then-rename: a CLI started while another build runs never loads a half-written file.
      const tmp = `${out}.${process.pid}.tmp`;
      await writeFile(tmp, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
      await rename(tmp, out);
      if (map) await writeFile(`${out}.map`, map);
    } catch (err) {
      failed++;
      console.error(`build: ${rel}: ${err.message ?? err}`);
    }
  }),
);
if (failed) {
  console.error(`build: ${failed} file(s) failed`);
  process.exit(1);
}
await writeFile(path.join(outRoot, '.build-stamp'), new Date().toISOString() + '\n');
if (process.env.SEQUENT_BUILD_VERBOSE) console.error(`build: ${files.length} files -> dist/`);
await stat(outRoot);

// A tiny require hook for running the TypeScript sources directly (services in integration
// tests, bench and chaos scripts): `node --require ./tools/harness/src/swc-register.js app.ts`.
// Transpiles .ts with @swc/core (no type check, same options as jest.preset.js and
// tools/build.mjs) and maps the @sequent/* aliases of tsconfig.base.json to their sources.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../..');
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = new Map(
  Object.entries(tsconfig.compilerOptions.paths || {}).map(([name, targets]) => [
    name,
    path.join(root, tsconfig.compilerOptions.baseUrl || '.', targets[0]),
  ]),
);

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, ...rest) {
  const target = aliases.get(request);
  return originalResolve.call(this, target || request, ...rest);
};

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
  swcrc: false,
};

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcOptions, filename });
  module._compile(code, filename);
};

// Stack traces point at the .ts lines (inline source maps).
if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

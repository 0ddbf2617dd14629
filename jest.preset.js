// Shared Jest settings: @swc/jest compiles TypeScript (about twice as fast as ts-jest),
// and the @sequent/* aliases of tsconfig.base.json resolve to sources, so tests need no build.
const path = require('node:path');
const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@sequent/ecs$': path.join(root, 'libs/ecs/src/index.ts'),
    '^@sequent/rules$': path.join(root, 'libs/rules/src/index.ts'),
    '^@sequent/engine$': path.join(root, 'libs/engine/src/index.ts'),
    '^@sequent/platform$': path.join(root, 'libs/platform/src/index.ts'),
    '^@sequent/pipeline$': path.join(root, 'libs/pipeline/src/index.ts'),
    '^@sequent/generator$': path.join(root, 'libs/generator/src/index.ts'),
    '^@sequent/alerting$': path.join(root, 'libs/alerting/src/index.ts'),
    '^@sequent/harness$': path.join(root, 'tools/harness/src/index.ts'),
  },
  testMatch: ['**/?(*.)+(spec|test).ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

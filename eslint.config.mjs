// Lint: typescript-eslint's recommended rules, Prettier for formatting, and Nx's module
// boundaries. The boundary rule is the one that matters: the pure libraries (libs/ecs,
// libs/rules, libs/engine) may import only each other, never the platform lib, an app,
// or a package that does I/O (Kafka, Redis, Nest, gRPC, Prometheus).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const ioPackages = [
  'kafkajs',
  'ioredis',
  '@nestjs/*',
  '@grpc/*',
  'prom-client',
  'node:http',
  'node:https',
  'node:net',
  'node:child_process',
  'http',
  'https',
  'net',
  'child_process',
];

export default [
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: [
            {
              sourceTag: 'scope:pure',
              onlyDependOnLibsWithTags: ['scope:pure'],
              bannedExternalImports: ioPackages,
            },
            { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:pure', 'scope:platform'] },
            {
              sourceTag: 'scope:app',
              onlyDependOnLibsWithTags: ['scope:pure', 'scope:platform', 'scope:app'],
            },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', '**/__tests__/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigReference, repoRoot } from './config-reference';

describe('docs/configuration.md', () => {
  jest.setTimeout(60_000);
  it('is what the services say they read (regenerate: node --require ./tools/harness/src/swc-register.js tools/docs/config-reference.ts)', () => {
    const committed = readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    expect(committed).toBe(renderConfigReference());
  });
});

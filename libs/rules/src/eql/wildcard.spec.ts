import fc from 'fast-check';
import RE2 from 're2';
import { compileEqlWildcard, compileEqlWildcardSet, hasEqlWildcard } from './wildcard';

/** The reference: the same pattern as an anchored RE2 expression. */
function reference(pattern: string, ci: boolean): (t: string) => boolean {
  const src = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}*?]/g, '\\$&')))
    .join('');
  const re = new RE2(`^(?:${src})$`, ci ? 'is' : 's');
  return (t) => re.test(t);
}

describe('EQL wildcards', () => {
  it.each([
    ['doc*', 'docs', true],
    ['doc*', 'DOS', false],
    ['*doc', 'asciidoc', true],
    ['d*c', 'disc', true],
    ['doc?', 'docs', true],
    ['doc?', 'doc', false],
    ['?doc', 'adoc', true],
    ['d?c', 'disc', false],
    ['*\\red_ttp\\wininit.*', 'C:\\Users\\red_ttp\\wininit.exe', true],
    [
      '*\\MACHINE\\SAM\\SAM\\*\\Account\\Us*ers\\00*03E9\\F',
      '\\REGISTRY\\MACHINE\\SAM\\SAM\\DOMAINS\\Account\\Users\\000003E9\\F',
      true,
    ],
    ['*%*%*', 'a%b%c', true],
    ['%*%*', 'a%b%c', false],
    ['*', '', true],
    ['', '', true],
    ['a*b*a', 'aba', true],
    ['a*b*a', 'ab', false],
  ])('%s ~ %s → %s', (pattern, text, expected) => {
    expect(compileEqlWildcard(pattern, false)(text)).toBe(expected);
  });

  it('is case-insensitive on request', () => {
    expect(compileEqlWildcard('WIN*.EXE', true)('wininit.exe')).toBe(true);
    expect(compileEqlWildcard('WIN*.EXE', false)('wininit.exe')).toBe(false);
  });

  it('agrees with an anchored regular expression on random patterns', () => {
    const chars = fc.constantFrom('a', 'b', 'A', '\\', '*', '?', '.');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 8 }),
        fc.array(fc.constantFrom('a', 'b', 'A', '\\', '.', '?'), { maxLength: 10 }),
        fc.boolean(),
        (p, t, ci) => {
          const pattern = p.join('');
          const text = t.join('');
          expect(compileEqlWildcard(pattern, ci)(text)).toBe(reference(pattern, ci)(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('a list of patterns matches exactly when one of them does (random lists)', () => {
    const chars = fc.constantFrom('a', 'b', '/', '*', '*', '?');
    const pattern = fc.array(chars, { maxLength: 6 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom('a', 'b', '/', '?', '*'), { maxLength: 8 }),
        (patterns, t) => {
          const text = t.join('');
          const one = patterns.some((p) => compileEqlWildcard(p, false)(text));
          expect(compileEqlWildcardSet(patterns)(text)).toBe(one);
        },
      ),
      { numRuns: 20_000 },
    );
    const paths = compileEqlWildcardSet([
      '/tmp/*',
      '/var/tmp/*',
      '*.so',
      '*/.cache/*',
      'nc',
      '/dev/sh?/*',
      '',
    ]);
    expect(['/tmp/x', '/var/tmp/', 'lib.so', '/home/u/.cache/a', 'nc', '/dev/shm/x', ''].every(paths)).toBe(
      true,
    );
    expect(['/tmpx', '/var/tm', 'lib.sox', '/home/.cach', 'ncat', '/dev/shmm/x', ' '].some(paths)).toBe(
      false,
    );
  });

  it('detects wildcards', () => {
    expect(hasEqlWildcard('a*')).toBe(true);
    expect(hasEqlWildcard('a?')).toBe(true);
    expect(hasEqlWildcard('a\\b')).toBe(false);
  });
});

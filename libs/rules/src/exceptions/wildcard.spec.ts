import fc from 'fast-check';
import RE2 from 're2';
import { compileWildcard, hasWildcard } from './wildcard';

/** Reference: the same pattern as an anchored RE2 expression. */
function reference(pattern: string, text: string, ci = false): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) re += escape(pattern[++i]);
    else if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += escape(ch);
  }
  return new RE2(`^${re}$`, ci ? 'si' : 's').test(ci ? text.toLowerCase() : text);
}

function escape(ch: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(ch) ? `\\${ch}` : ch;
}

describe('compileWildcard', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['a*c', 'abbbc', true],
    ['a*c', 'ac', true],
    ['a*c', 'acb', false],
    ['*.sh', '/tmp/x.sh', true],
    ['*.sh', '/tmp/x.shx', false],
    ['/tmp/*', '/tmp/', true],
    ['/usr/*/bin/*', '/usr/local/bin/python', true],
    ['/usr/*/bin/*', '/usr/bin/python', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*a?c*', 'xxabcxx', true],
    ['a\\*c', 'a*c', true],
    ['a\\*c', 'abc', false],
    ['a\\?', 'a?', true],
    ['**a**', 'bab', true],
    ['ab*ab', 'ab', false],
    ['ab*ab', 'abab', true],
    ['*aab', 'aaab', true],
  ])('%s matches %s: %s', (pattern, text, expected) => {
    expect(compileWildcard(pattern)(text)).toBe(expected);
  });

  it('is case-sensitive unless asked', () => {
    expect(compileWildcard('*.SH')('/tmp/x.sh')).toBe(false);
    expect(compileWildcard('*.SH', true)('/tmp/X.sh')).toBe(true);
  });

  it('agrees with an RE2 reference on random patterns and texts', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', '\\');
    const textAlphabet = fc.constantFrom('a', 'b', '*', '?', '\\', 'c');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 8 }).map((a) => a.join('')),
        fc.array(textAlphabet, { maxLength: 12 }).map((a) => a.join('')),
        (pattern, text) => compileWildcard(pattern)(text) === reference(pattern, text),
      ),
      { numRuns: 3000 },
    );
  });

  it('stays fast on patterns that make backtracking matchers explode', () => {
    const pattern = '*a*a*a*a*a*a*a*a*a*a*b';
    const text = 'a'.repeat(50_000);
    const started = Date.now();
    expect(compileWildcard(pattern)(text)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('hasWildcard sees unescaped * and ? only', () => {
    expect(hasWildcard('a*')).toBe(true);
    expect(hasWildcard('a?')).toBe(true);
    expect(hasWildcard('a\\*')).toBe(false);
    expect(hasWildcard('abc')).toBe(false);
  });
});

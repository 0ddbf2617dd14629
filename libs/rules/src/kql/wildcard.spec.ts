import fc from 'fast-check';
import { WILDCARD } from './ast';
import type { ValuePart } from './ast';
import { compileKqlWildcard, splitPartsOnWhitespace } from './wildcard';

/** A reference matcher (test only: a RegExp built from escaped literal parts). */
function reference(parts: ValuePart[], text: string): boolean {
  const source = parts
    .map((p) => (p === WILDCARD ? '[\\s\\S]*' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(text);
}

describe('compileKqlWildcard', () => {
  it('treats only * as special', () => {
    expect(compileKqlWildcard(['a?c'])('abc')).toBe(false);
    expect(compileKqlWildcard(['a?c'])('a?c')).toBe(true);
    expect(compileKqlWildcard([WILDCARD, 'ab', WILDCARD, 'ab'])('abab')).toBe(true);
    expect(compileKqlWildcard([WILDCARD, 'ab', WILDCARD, 'ab'])('aba')).toBe(false);
    expect(compileKqlWildcard(['Ba', WILDCARD], true)('bar')).toBe(true);
  });

  it('agrees with a regular-expression reference on random patterns', () => {
    const part = fc.oneof(
      fc.constant<ValuePart>(WILDCARD),
      fc.constantFrom<ValuePart>('a', 'b', 'ab', '?', '.'),
    );
    fc.assert(
      fc.property(
        fc.array(part, { maxLength: 6 }),
        fc.array(fc.constantFrom('a', 'b', '?', '.'), { maxLength: 8 }).map((cs) => cs.join('')),
        (parts, text) => {
          expect(compileKqlWildcard(parts)(text)).toBe(reference(parts, text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('stays linear on adversarial input', () => {
    const parts: ValuePart[] = [];
    for (let i = 0; i < 200; i++) parts.push(WILDCARD, 'a');
    parts.push('b');
    expect(compileKqlWildcard(parts)('a'.repeat(100_000))).toBe(false);
  });

  it('splits a pattern at whitespace for token matching', () => {
    expect(splitPartsOnWhitespace(['foo ba', WILDCARD])).toEqual([['foo'], ['ba', WILDCARD]]);
  });
});

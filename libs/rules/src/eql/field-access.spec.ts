import { compileFieldGetter } from '@sequent/ecs';
import fc from 'fast-check';
import { compileEqlFieldGetter, withFieldCache } from './field-access';

const PATHS = ['a', 'a.b', 'a.b.c', 'x.y', 'a.__proto__', 'b.c'];

/** Documents built from the path segments, with literal dotted keys, arrays and nulls. */
const key = fc.constantFrom('a', 'b', 'c', 'x', 'y', 'a.b', 'b.c', 'a.b.c', 'x.y');
const leaf = fc.oneof(
  fc.constantFrom(null, 1, 'v', true),
  fc.array(fc.constantFrom(null, 2, 'w'), { maxLength: 3 }),
);
const docArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    fc.array(tie('node'), { maxLength: 2 }),
  ),
})).node;

describe('compileEqlFieldGetter', () => {
  it('returns exactly what the shared getter returns', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        for (const p of PATHS) expect(compileEqlFieldGetter(p)(doc)).toEqual(compileFieldGetter(p)(doc));
      }),
      { numRuns: 3000 },
    );
  });

  it('handles the usual shapes', () => {
    const get = compileEqlFieldGetter('event.category');
    expect(get({ event: { category: ['process'] } })).toEqual(['process']);
    expect(get({ event: { category: 'process' } })).toBe('process');
    expect(get({ 'event.category': 'file' })).toBe('file');
    expect(get({ event: {}, 'event.category': 'file' })).toBe('file');
    expect(get({ event: { type: 'x' } })).toBeUndefined();
    expect(get({ event: [{ category: 'a' }, { category: 'b' }] })).toEqual(['a', 'b']);
  });

  it('memoizes reads per event only inside withFieldCache', () => {
    const get = compileEqlFieldGetter('memo.test');
    const doc = { memo: { test: 1 } };
    withFieldCache(() => {
      expect(get(doc)).toBe(1);
      doc.memo.test = 2; // mutating inside a scope is not allowed: the memo answers
      expect(get(doc)).toBe(1);
      expect(get({ memo: { test: 3 } })).toBe(3);
    });
    expect(get(doc)).toBe(2);
    withFieldCache(() => expect(get(doc)).toBe(2));
    doc.memo.test = 4;
    expect(get(doc)).toBe(4);
    withFieldCache(() => expect(get(doc)).toBe(4));
  });
});

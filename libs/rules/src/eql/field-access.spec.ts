import { compileEqlFieldGetter, withFieldCache } from './field-access';

// The lookup itself is @sequent/ecs's compileFieldGetter (tested against the full search there).
describe('compileEqlFieldGetter', () => {
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

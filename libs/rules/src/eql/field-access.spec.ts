import v8 from 'node:v8';
import vm from 'node:vm';
import {
  compileEqlFieldGetter,
  enterEventScope,
  leaveEventScope,
  memoizedPerEvent,
  withFieldCache,
} from './field-access';

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

  it('keeps no event alive once its scope has ended', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const get = compileEqlFieldGetter('big.text');
    const test = memoizedPerEvent((doc) => (doc as { big: { text: string } }).big.text.length > 0);
    const evaluateOnce = (): WeakRef<object> => {
      const doc = { big: { text: 'x'.repeat(1 << 20) } };
      enterEventScope();
      try {
        expect(get(doc)).toHaveLength(1 << 20);
        expect(test(doc)).toBe(true);
        expect(test(doc)).toBe(true);
      } finally {
        leaveEventScope();
      }
      return new WeakRef(doc);
    };
    const ref = evaluateOnce();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(ref.deref()).toBeUndefined();
  });
});

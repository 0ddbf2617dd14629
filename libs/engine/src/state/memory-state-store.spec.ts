import { copyValue, MemoryStateStore } from './memory-state-store';
import type { StateChanges } from './state-store';

describe('MemoryStateStore copies', () => {
  it('copies plain state deeply: nothing the caller keeps is shared with the store', () => {
    const v = { k: ['h', 1, null, true], p: [{ m: [{ ms: 1, ref: { id: 'a' } }] }, null], n: undefined };
    const c = copyValue(v);
    expect(c).toEqual(v);
    expect(Object.keys(c)).toEqual(['k', 'p', 'n']);
    expect(c.p[0]).not.toBe(v.p[0]);
    expect(c.p[0]!.m[0].ref).not.toBe(v.p[0]!.m[0].ref);
    (v.p[0]!.m[0].ref as { id: string }).id = 'changed';
    expect(c.p[0]!.m[0].ref.id).toBe('a');
  });

  it('keeps a __proto__ key as an own key, without touching the prototype', () => {
    const v = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as Record<string, unknown>;
    const c = copyValue(v);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(c, '__proto__')).toBe(true);
    expect((c as { polluted?: unknown }).polluted).toBeUndefined();
    expect(c).toEqual(structuredClone(v));
  });

  it('hands what is not plain data (Map, Date, cycles, deep nesting) to structuredClone', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const c = copyValue(cyclic);
    expect(c.self).toBe(c);
    expect(c).not.toBe(cyclic);
    const m = copyValue({ m: new Map([['x', 1]]), d: new Date(5) });
    expect(m.m.get('x')).toBe(1);
    expect(m.d.getTime()).toBe(5);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(copyValue(deep)).toEqual(deep);
  });

  it('the store hands out copies of committed sequence state', async () => {
    const store = new MemoryStateStore();
    const value = { keys: { sh: { p: [{ m: [1] }] } } };
    const changes: StateChanges = {
      offset: '1',
      clock: { maxEventTime: null, lastReleasedTime: null, nextSeq: 0 },
      bufferAdded: [],
      bufferRemoved: [],
      sequences: new Map([['r:k', value]]),
      thresholds: new Map(),
      terms: new Map(),
      alerts: [],
      ttlMs: { sequences: new Map(), thresholds: new Map(), terms: new Map() },
    };
    await store.commit('p0', changes);
    value.keys.sh.p[0].m.push(2);
    const snap = await store.loadPartition('p0');
    expect(snap.sequences).toEqual([['r:k', { keys: { sh: { p: [{ m: [1] }] } } }]]);
  });
});

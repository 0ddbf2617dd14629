import fc from 'fast-check';
import { compileFieldGetter, getField, getFieldValues, setField } from './field';

describe('field accessor', () => {
  it('reads nested objects', () => {
    expect(getField({ process: { parent: { name: 'apt' } } }, 'process.parent.name')).toBe('apt');
  });
  it('reads literal dotted keys and mixes of both', () => {
    expect(getField({ 'process.parent.name': 'apt' }, 'process.parent.name')).toBe('apt');
    expect(getField({ process: { 'parent.name': 'apt' } }, 'process.parent.name')).toBe('apt');
    expect(getField({ 'process.parent': { name: 'apt' } }, 'process.parent.name')).toBe('apt');
  });
  it('gives null for missing fields and explicit nulls', () => {
    expect(getField({}, 'a.b')).toBeNull();
    expect(getField({ a: { b: null } }, 'a.b')).toBeNull();
    expect(getField({ a: 'scalar' }, 'a.b')).toBeNull();
  });
  it('flattens arrays of values and arrays of objects', () => {
    expect(getFieldValues({ process: { args: ['sh', '-c', 'nc'] } }, 'process.args')).toEqual([
      'sh',
      '-c',
      'nc',
    ]);
    expect(getFieldValues({ a: [{ b: 1 }, { b: [2, 3] }, { c: 4 }] }, 'a.b')).toEqual([1, 2, 3]);
    expect(getField({ a: [{ b: 1 }] }, 'a.b')).toEqual([1]);
  });
  it('never reads through the prototype chain, even a polluted Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.pollutedKey = { deep: 'bad' };
    try {
      expect(compileFieldGetter('pollutedKey.deep')({})).toBeUndefined();
      expect(compileFieldGetter('a.pollutedKey')({ a: {} })).toBeUndefined();
      expect(compileFieldGetter('a.pollutedKey')({ a: { pollutedKey: 'own' } })).toBe('own');
      const inherited = Object.create({ name: 'from-prototype' }) as object;
      expect(compileFieldGetter('process.name')({ process: inherited })).toBeUndefined();
      expect(
        compileFieldGetter('process.name')({ process: Object.assign(Object.create(null), { name: 'x' }) }),
      ).toBe('x');
    } finally {
      delete proto.pollutedKey;
    }
    const doc = JSON.parse('{"__proto__": {"polluted": 1}, "a": {}}');
    expect(getField(doc, '__proto__.polluted')).toBeNull();
    expect(getField({ a: {} }, 'a.constructor')).toBeNull();
    expect(getField({ a: {} }, 'a.toString')).toBeNull();
    expect(getField({}, 'constructor.prototype')).toBeNull();
    expect(compileFieldGetter('hasOwnProperty')({})).toBeUndefined();
  });
  it('writes nested fields and refuses forbidden ones', () => {
    const doc: Record<string, unknown> = {};
    setField(doc, 'process.parent.pid', 4);
    expect(doc).toEqual({ process: { parent: { pid: 4 } } });
    expect(() => setField(doc, '__proto__.x', 1)).toThrow(/refusing/);
  });
});

/**
 * The getter as it was before its fast path (nested walk, else a full search of every
 * combination of literal dotted keys): the fast getter must return exactly the same.
 */
function referenceGetter(path: string): (doc: unknown) => unknown {
  const segs = path.split('.');
  if (segs.some((s) => ['__proto__', 'constructor', 'prototype'].includes(s))) return () => undefined;
  const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  const flatten = (arr: unknown[], out: unknown[], depth = 0): void => {
    for (const v of arr)
      if (Array.isArray(v)) {
        if (depth < 32) flatten(v, out, depth + 1);
      } else if (v !== null && v !== undefined) out.push(v);
  };
  const collectAll = (doc: unknown): unknown => {
    const out: unknown[] = [];
    let sawArray = false;
    const visit = (node: unknown, i: number): void => {
      if (i === segs.length) {
        if (Array.isArray(node)) {
          sawArray = true;
          flatten(node, out);
        } else if (node !== null && node !== undefined) out.push(node);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        sawArray = true;
        for (const el of node) visit(el, i);
        return;
      }
      let key = segs[i];
      for (let j = i; j < segs.length; j++) {
        if (j > i) key += '.' + segs[j];
        if (own(node, key)) visit((node as Record<string, unknown>)[key], j + 1);
      }
    };
    visit(doc, 0);
    if (out.length === 0) return sawArray ? [] : undefined;
    if (out.length === 1 && !sawArray) return out[0];
    return out;
  };
  return (doc) => {
    let node: unknown = doc;
    for (const key of segs) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return collectAll(doc);
      if (!own(node, key)) return collectAll(doc);
      node = (node as Record<string, unknown>)[key];
    }
    if (Array.isArray(node)) return collectAll(doc);
    return node === null ? undefined : node;
  };
}

describe('compileFieldGetter fast path', () => {
  const PATHS = ['a', 'a.b', 'a.b.c', 'x.y', 'a.__proto__', 'b.c', 'a.b.c.x', 'toString', 'a.toString'];
  const key = fc.constantFrom('a', 'b', 'c', 'x', 'y', 'a.b', 'b.c', 'a.b.c', 'x.y', 'c.x', 'b.c.x');
  const leaf = fc.oneof(
    fc.constantFrom(null, 1, 'v', true),
    fc.array(fc.constantFrom(null, 2, 'w'), { maxLength: 3 }),
    fc.array(fc.constantFrom(3, 'z'), { maxLength: 3 }),
  );
  const docArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      fc.array(tie('node'), { maxLength: 2 }),
    ),
  })).node;

  it('returns exactly what the full search returns (missing fields, dotted keys, arrays, nulls)', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        for (const p of PATHS) expect(compileFieldGetter(p)(doc)).toEqual(referenceGetter(p)(doc));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads hostile field names exactly (the fast path is generated code: keys must stay data)', () => {
    const hostile = [
      '"',
      "'",
      '\\',
      '`${process.exit(1)}`',
      '*/ throw 1; /*',
      '\n}); process.exit(1); (function(){',
      '\u2028',
      '\u2029',
      '\ud800',
      'a b',
      '0',
      'toString',
      'hasOwnProperty',
      '',
    ];
    const name = fc.constantFrom(...hostile);
    fc.assert(
      fc.property(fc.array(name, { minLength: 2, maxLength: 4 }), fc.anything(), (segs, leaf) => {
        const path = segs.join('.');
        const nested: Record<string, unknown> = {};
        let node = nested;
        segs.forEach((s, i) => {
          const next: Record<string, unknown> = {};
          node[s] = i === segs.length - 1 ? leaf : next;
          node = next;
        });
        const dotted = { [path]: leaf };
        for (const doc of [nested, dotted, { [segs[0]]: { [segs.slice(1).join('.')]: leaf } }, {}]) {
          expect(compileFieldGetter(path)(doc)).toEqual(referenceGetter(path)(doc));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('answers the usual shapes, returning plain leaf arrays as the document holds them', () => {
    const get = compileFieldGetter('event.category');
    const category = ['process'];
    expect(get({ event: { category } })).toBe(category);
    expect(get({ event: { category: 'process' } })).toBe('process');
    expect(get({ 'event.category': 'file' })).toBe('file');
    expect(get({ event: {}, 'event.category': 'file' })).toBe('file');
    expect(get({ event: { type: 'x' } })).toBeUndefined();
    expect(get({ event: 'scalar', 'event.category': 'file' })).toBe('file');
    expect(get({ event: [{ category: 'a' }, { category: 'b' }] })).toEqual(['a', 'b']);
    expect(get({ event: { category: ['a', null, ['b']] } })).toEqual(['a', 'b']);
    expect(compileFieldGetter('a.b.c')({ a: { 'b.c': 1 } })).toBe(1);
    expect(compileFieldGetter('a.b.c')({ a: { b: {} }, 'a.b': { c: 2 } })).toBe(2);
  });
});

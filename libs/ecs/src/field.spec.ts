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
  it('never reads through the prototype chain', () => {
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

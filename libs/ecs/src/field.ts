/**
 * The shared field accessor: ECS dotted paths over documents as Elasticsearch sees them.
 *
 * - `process.parent.name` reads nested objects (`{process: {parent: {name}}}`), literal
 *   dotted keys (`{"process.parent.name": ...}`) and any mix of the two, because Beats,
 *   Defend and hand-written NDJSON all occur in the wild and Elasticsearch flattens them alike.
 * - Arrays are transparent: a path through an array of objects visits every element, and
 *   leaf arrays are flattened, so a field "matches when any of its values matches".
 * - A missing field, or an explicit `null`, yields no value.
 * - `__proto__`, `constructor` and `prototype` are never read, and only own properties are,
 *   so no document or rule can reach into the prototype chain.
 */

export type Doc = Record<string, unknown>;

/** Returns `undefined` when the field has no value, the value when it has exactly one
 * scalar or object, and an array when it has several (or was an array in the source).
 * A leaf array of plain values is returned as the document holds it (no copy, the hot path
 * for `event.category` / `process.args`): treat returned arrays as read-only. */
export type FieldGetter = (doc: unknown) => unknown;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const hasOwn = Object.prototype.hasOwnProperty;

export function isForbiddenSegment(segment: string): boolean {
  return FORBIDDEN.has(segment);
}

/** Splits a dotted ECS path. Empty segments (`a..b`, leading or trailing dots) are kept as
 * they are, so such keys simply never match nested objects. */
export function splitFieldPath(path: string): string[] {
  return path.split('.');
}

const cache = new Map<string, FieldGetter>();
const CACHE_LIMIT = 10_000;

/** Compiles (and caches) a getter for `path`. */
export function compileFieldGetter(path: string): FieldGetter {
  let getter = cache.get(path);
  if (getter) return getter;
  getter = buildGetter(path);
  if (cache.size < CACHE_LIMIT) cache.set(path, getter);
  return getter;
}

function buildGetter(path: string): FieldGetter {
  const segs = splitFieldPath(path);
  if (segs.some(isForbiddenSegment)) return () => undefined;
  const n = segs.length;
  if (n === 1) {
    const key = segs[0];
    return (doc) => {
      if (doc === null || typeof doc !== 'object') return undefined;
      if (Array.isArray(doc)) return collectAll(doc, segs);
      if (hasOwn.call(doc, key)) return normalizeLeaf((doc as Doc)[key]);
      return undefined;
    };
  }
  // joined[j]: the literal dotted keys through which the path could continue from depth j
  // (`b.c` and `b.c.d` at depth 1 of a.b.c.d), precomputed so the checks below allocate nothing.
  const joined: string[][] = segs.map((_, j) => {
    const keys: string[] = [];
    let k = segs[j];
    for (let m = j + 1; m < n; m++) keys.push((k += '.' + segs[m]));
    return keys;
  });
  const hasDottedAlternative = (node: object, j: number): boolean => {
    const keys = joined[j];
    for (let i = 0; i < keys.length; i++) if (hasOwn.call(node, keys[i])) return true;
    return false;
  };
  /** True when a node of the nested walk, depth 0..last, has a literal dotted key that could
   * lead to the field: only then can the value be anywhere but the plain nested path. */
  const anyDottedAlternative = (doc: unknown, last: number): boolean => {
    let node = doc as Doc;
    for (let j = 0; ; j++) {
      if (hasDottedAlternative(node, j)) return true;
      if (j === last) return false;
      node = node[segs[j]] as Doc; // an own key: the fast walk passed through it
    }
  };
  const collect = (doc: unknown): unknown => collectAll(doc, segs);
  const unrolled = unrolledFastPath(segs, collect);
  if (unrolled) return unrolled;
  return (doc) => {
    // Fast path: plain nested objects. A missing key (the common case: rules mostly test
    // fields an event lacks) is answered at once unless a literal dotted key on the way could
    // still lead to the field; a leaf array of plain values is returned as it is. Everything
    // else (arrays of objects, dotted keys, nested arrays, nulls in arrays) takes the full walk.
    let node: unknown = doc;
    for (let i = 0; i < n; i++) {
      if (node === null || typeof node !== 'object') {
        if (i === 0) return undefined;
        return anyDottedAlternative(doc, i - 1) ? collectAll(doc, segs) : undefined;
      }
      if (Array.isArray(node)) return collectAll(doc, segs);
      const key = segs[i];
      if (!hasOwn.call(node, key)) return anyDottedAlternative(doc, i) ? collectAll(doc, segs) : undefined;
      node = (node as Doc)[key];
    }
    if (Array.isArray(node))
      return isPlainArray(node) && !anyDottedAlternative(doc, n - 2) ? node : collectAll(doc, segs);
    return node === null ? undefined : node;
  };
}

/** Longest path (segments, characters) whose fast path is generated as code. */
const MAX_UNROLLED_SEGMENTS = 12;
const MAX_UNROLLED_LENGTH = 256;

/**
 * The fast path above, generated as straight-line code for one path: each segment becomes a
 * property read with a constant key, which V8 serves from its property caches instead of a
 * generic keyed lookup per level (2-5x faster on real events). The behaviour is exactly the
 * loop's: the same checks in the same order, and the same fallbacks (the dotted-key check and
 * the full walk, passed in). Keys come from rules and users: each one enters the code only as
 * `JSON.stringify(key)`, which is always a complete JavaScript string literal, so no path can
 * change the code's structure. Very long paths keep the loop.
 */
function unrolledFastPath(segs: string[], collect: (doc: unknown) => unknown): FieldGetter | undefined {
  const n = segs.length;
  if (n < 2 || n > MAX_UNROLLED_SEGMENTS || segs.join('.').length > MAX_UNROLLED_LENGTH) return undefined;
  const lit = (text: string): string => JSON.stringify(text);
  // The dotted-key check of levels 0..last: node j (`n<j>`) has a literal key joining
  // segments j.. (`b.c`, `b.c.d` at depth 1 of a.b.c.d).
  // A dotted key may be present: a plain load (an own or inherited value) is enough here,
  // since a hit only sends the read to the exact walk, which reads own properties only.
  const alt = (last: number): string => {
    const tests: string[] = [];
    for (let j = 0; j <= last; j++) {
      let key = segs[j];
      for (let m = j + 1; m < n; m++) tests.push(`n${j}[${lit((key += '.' + segs[m]))}] !== undefined`);
    }
    return tests.length === 0 ? 'false' : tests.join(' || ');
  };
  const lines: string[] = ['const n0 = doc;'];
  for (let i = 0; i < n; i++) {
    const node = `n${i}`;
    const onScalar = i === 0 ? 'undefined' : `(${alt(i - 1)}) ? collect(doc) : undefined`;
    // Load first: a missing key (most reads) costs one load, no own-property lookup. A value
    // found is the node's own when the node is a plain object (Object.prototype its
    // prototype, as JSON.parse makes them) and Object.prototype has no such key (not even
    // polluted): a prototype load and a load on one object, where hasOwnProperty is a call.
    // Any other node (a null or another prototype) is asked hasOwnProperty.
    lines.push(
      `if (${node} === null || typeof ${node} !== 'object') return ${onScalar};`,
      `if (isArray(${node})) return collect(doc);`,
      `const n${i + 1} = ${node}[${lit(segs[i])}];`,
      `if (n${i + 1} === undefined || (getProto(${node}) !== ObjectProto || ObjectProto[${lit(segs[i])}] !== undefined) && !hasOwn.call(${node}, ${lit(segs[i])})) return (${alt(i)}) ? collect(doc) : undefined;`,
    );
  }
  lines.push(
    `if (isArray(n${n})) return isPlainArray(n${n}) && !(${alt(n - 2)}) ? n${n} : collect(doc);`,
    `return n${n} === null ? undefined : n${n};`,
  );
  const factory = new Function(
    'hasOwn',
    'isArray',
    'isPlainArray',
    'collect',
    'getProto',
    'ObjectProto',
    `return function readField(doc) {\n${lines.join('\n')}\n};`,
  ) as (...deps: unknown[]) => FieldGetter;
  return factory(hasOwn, Array.isArray, isPlainArray, collect, Object.getPrototypeOf, Object.prototype);
}

/** No null/undefined holes and no nested arrays: what the full walk would return, as is. */
function isPlainArray(arr: unknown[]): boolean {
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v === null || v === undefined || Array.isArray(v)) return false;
  }
  return true;
}

function collectAll(doc: unknown, segs: string[]): unknown {
  const out: unknown[] = [];
  let sawArray = false;
  const visit = (node: unknown, i: number): void => {
    if (i === segs.length) {
      if (Array.isArray(node)) {
        sawArray = true;
        flattenInto(node, out);
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
      if (hasOwn.call(node, key)) visit((node as Doc)[key], j + 1);
    }
  };
  visit(doc, 0);
  if (out.length === 0) return sawArray ? [] : undefined;
  if (out.length === 1 && !sawArray) return out[0];
  return out;
}

function flattenInto(arr: unknown[], out: unknown[], depth = 0): void {
  for (const v of arr) {
    if (Array.isArray(v)) {
      if (depth < 32) flattenInto(v, out, depth + 1);
    } else if (v !== null && v !== undefined) out.push(v);
  }
}

function normalizeLeaf(v: unknown): unknown {
  if (v === null) return undefined;
  if (Array.isArray(v)) {
    if (isPlainArray(v)) return v;
    const out: unknown[] = [];
    flattenInto(v, out);
    return out;
  }
  return v;
}

/** Every value of `path` in `doc` as a list (empty when missing). */
export function getFieldValues(doc: unknown, path: string): unknown[] {
  const v = compileFieldGetter(path)(doc);
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The value of `path`: `null` when missing, the value itself when single, else an array. */
export function getField(doc: unknown, path: string): unknown {
  const v = compileFieldGetter(path)(doc);
  if (v === undefined) return null;
  if (Array.isArray(v) && v.length === 0) return null;
  return v;
}

/** Sets a value at a dotted path, creating nested objects. Refuses forbidden segments. */
export function setField(doc: Doc, path: string, value: unknown): void {
  const segs = splitFieldPath(path);
  if (segs.some(isForbiddenSegment)) throw new Error(`refusing to write field path ${JSON.stringify(path)}`);
  let node: Doc = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    const key = segs[i];
    const next = hasOwn.call(node, key) ? node[key] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Doc = {};
      node[key] = created;
      node = created;
    } else node = next as Doc;
  }
  node[segs[segs.length - 1]] = value;
}

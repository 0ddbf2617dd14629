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
 * scalar or object, and an array when it has several (or was an array in the source). */
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
  if (segs.length === 1) {
    const key = segs[0];
    return (doc) => {
      if (doc === null || typeof doc !== 'object') return undefined;
      if (Array.isArray(doc)) return collectAll(doc, segs);
      if (hasOwn.call(doc, key)) return normalizeLeaf((doc as Doc)[key]);
      return undefined;
    };
  }
  return (doc) => {
    // Fast path: plain nested objects, no arrays, no dotted keys. Falls back to the full
    // walk as soon as anything else is met.
    let node: unknown = doc;
    for (let i = 0; i < segs.length; i++) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return collectAll(doc, segs);
      const key = segs[i];
      if (!hasOwn.call(node, key)) return collectAll(doc, segs);
      node = (node as Doc)[key];
    }
    if (Array.isArray(node)) return collectAll(doc, segs);
    return node === null ? undefined : node;
  };
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

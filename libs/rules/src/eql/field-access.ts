/**
 * A faster front for `compileFieldGetter` (@sequent/ecs) with exactly its results.
 *
 * The shared getter walks nested objects quickly but falls back to a full search (every
 * combination of literal dotted keys, with allocation) whenever a field is missing or its leaf
 * is an array: the common case for detection rules, which mostly test fields an event does not
 * have, and `event.category` / `event.type` / `process.args`, which are arrays. Here a missing
 * key is answered at once when the document has no literal dotted key anywhere (scanned once per
 * document, remembered in a WeakMap and for the last document, so evaluating hundreds of rules
 * on one event scans it once), and a leaf array of plain values is returned as is. Everything else goes to the shared getter.
 */
import { compileFieldGetter, isForbiddenSegment, splitFieldPath, type FieldGetter } from '@sequent/ecs';

const hasOwn = Object.prototype.hasOwnProperty;
const dotted = new WeakMap<object, boolean>();
/** The last document asked about: rules evaluated one after another on one event hit this. */
let lastDoc: object | undefined;
let lastDotted = false;

/** True when the document has a literal dotted key anywhere (scanned once per document). */
function docHasDottedKey(doc: object): boolean {
  if (doc === lastDoc) return lastDotted;
  let v = dotted.get(doc);
  if (v === undefined) {
    v = scanForDottedKey(doc);
    dotted.set(doc, v);
  }
  lastDoc = doc;
  lastDotted = v;
  return v;
}

function scanForDottedKey(root: object): boolean {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > 64) return true; // too deep to vouch for: let the shared getter decide
    if (Array.isArray(node)) {
      for (const el of node) if (el !== null && typeof el === 'object') stack.push([el, depth + 1]);
      continue;
    }
    for (const k in node) {
      if (!hasOwn.call(node, k)) continue;
      if (k.includes('.')) return true;
      const child = (node as Record<string, unknown>)[k];
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** No null/undefined holes and no nested arrays: what the shared getter would return as is. */
function isPlainArray(arr: unknown[]): boolean {
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v === null || v === undefined || Array.isArray(v)) return false;
  }
  return true;
}

const cache = new Map<string, FieldGetter>();

/** Bumped on entering and leaving a field-cache scope; memoized reads are valid for one value. */
let generation = 0;
let scoped = false;

/**
 * Runs `fn` with per-event memoization of field reads: inside, each field path is read once
 * per event object, so evaluating hundreds of rules on one event reads `host.os.type` once.
 * The event must not be mutated inside the scope. Outside any scope nothing is memoized.
 */
export function withFieldCache<T>(fn: () => T): T {
  const outer = scoped;
  scoped = true;
  generation++;
  try {
    return fn();
  } finally {
    scoped = outer;
    generation++;
  }
}

export function compileEqlFieldGetter(path: string): FieldGetter {
  let getter = cache.get(path);
  if (!getter) {
    getter = memoized(build(path));
    if (cache.size < 10_000) cache.set(path, getter);
  }
  return getter;
}

/** One-entry memo per path (shared by every rule reading that path), active only in a scope. */
function memoized(read: FieldGetter): FieldGetter {
  let lastDoc: unknown;
  let lastGeneration = -1;
  let lastValue: unknown;
  return (doc) => {
    if (!scoped) return read(doc);
    if (doc === lastDoc && lastGeneration === generation) return lastValue;
    const v = read(doc);
    lastDoc = doc;
    lastGeneration = generation;
    lastValue = v;
    return v;
  };
}

function build(path: string): FieldGetter {
  const slow = compileFieldGetter(path);
  const segs = splitFieldPath(path);
  if (segs.some(isForbiddenSegment)) return slow;
  const n = segs.length;
  return (doc) => {
    let node = doc;
    for (let i = 0; i < n; i++) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return slow(doc);
      const key = segs[i];
      if (!hasOwn.call(node, key)) return n > 1 && docHasDottedKey(doc as object) ? slow(doc) : undefined;
      node = (node as Record<string, unknown>)[key];
    }
    if (Array.isArray(node)) return isPlainArray(node) && !docHasDottedKey(doc as object) ? node : slow(doc);
    return node === null ? undefined : node;
  };
}

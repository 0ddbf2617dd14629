/**
 * Join keys: how an event's key values become join-key tuples, and the order Elasticsearch
 * returns groups in (a composite aggregation: ascending, nulls first).
 */

/**
 * The join-key tuples of an event for a stage. A multi-valued key field yields one tuple per
 * distinct non-null value (the cartesian product over several keys), as Elasticsearch joins
 * multi-valued keys. A required key without a value yields none (null keys never join);
 * an optional `?field` key without a value joins on null.
 */
export function eqlJoinKeyTuples(
  keys: readonly ((event: unknown) => unknown)[],
  optionalKeys: readonly boolean[] | undefined,
  event: unknown,
): unknown[][] {
  // The usual case, every key one scalar value: one tuple built at its final size.
  const single = new Array<unknown>(keys.length);
  if (fillSingleKeyTuple(keys, event, single)) return [single];
  return multiValuedKeyTuples(keys, optionalKeys, event);
}

/**
 * Writes the event's one tuple into `into` when every key holds one non-null scalar, and says
 * whether it did (else `into` holds a part of one, and the tuples are `multiValuedKeyTuples`).
 */
export function fillSingleKeyTuple(
  keys: readonly ((event: unknown) => unknown)[],
  event: unknown,
  into: unknown[],
): boolean {
  for (let i = 0; i < keys.length; i++) {
    const v = keys[i](event);
    if (v === null || v === undefined || typeof v === 'object') return false;
    into[i] = v;
  }
  return true;
}

/** The tuples when some key is missing, null or multi-valued (see eqlJoinKeyTuples). */
export function multiValuedKeyTuples(
  keys: readonly ((event: unknown) => unknown)[],
  optionalKeys: readonly boolean[] | undefined,
  event: unknown,
): unknown[][] {
  let tuples: unknown[][] = [[]];
  for (let i = 0; i < keys.length; i++) {
    const v = keys[i](event);
    let values: unknown[];
    if (Array.isArray(v)) {
      values = [];
      const seen = new Set<string>();
      for (const x of v) {
        if (x === null || x === undefined) continue;
        const id = typeof x === 'string' ? 's' + x : JSON.stringify(x);
        if (seen.has(id)) continue;
        seen.add(id);
        values.push(x);
      }
    } else values = v === null || v === undefined ? [] : [v];
    if (values.length === 0) {
      if (!optionalKeys?.[i]) return [];
      values = [null];
    }
    if (values.length === 1) {
      for (const t of tuples) t.push(values[0]);
    } else {
      const next: unknown[][] = [];
      for (const t of tuples) for (const x of values) next.push([...t, x]);
      tuples = next;
    }
  }
  return tuples;
}

/** Composite-aggregation order: per key, nulls first, then ascending (numbers before strings). */
export function compareEqlJoinKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareKeyValue(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  return 4;
}

function compareKeyValue(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 4) {
    const sa = JSON.stringify(a);
    const sb = JSON.stringify(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  if (ra === 3) return compareUtf8(a as string, b as string);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Elasticsearch orders keyword terms by their UTF-8 bytes, i.e. by code point. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const da = ca.value.codePointAt(0)!;
    const db = cb.value.codePointAt(0)!;
    if (da !== db) return da < db ? -1 : 1;
  }
}

/**
 * Field reads for EQL: the shared getter of @sequent/ecs (`compileFieldGetter`, which has the
 * fast path for missing fields and plain leaf arrays), plus optional per-event memoization
 * while many rules run on one event (`withFieldCache`).
 */
import { compileFieldGetter, type FieldGetter } from '@sequent/ecs';

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

/**
 * The same scope without a closure, for hot loops: `enterEventScope()` before evaluating one
 * event, `leaveEventScope()` after (always, even when evaluation threw).
 */
export function enterEventScope(): void {
  scoped = true;
  generation++;
}

export function leaveEventScope(): void {
  scoped = false;
  generation++;
}

/**
 * `fn` memoized for the event being evaluated inside a scope: a test shared by many rules
 * (`host.os.type == "linux"`, `event.action in (...)`) runs once per event. `fn` must depend
 * on the event only.
 */
export function memoizedPerEvent<T>(fn: (doc: unknown) => T): (doc: unknown) => T {
  let lastDoc: unknown;
  let lastGeneration = -1;
  let lastValue!: T;
  return (doc) => {
    if (!scoped) return fn(doc);
    if (doc === lastDoc && lastGeneration === generation) return lastValue;
    const v = fn(doc);
    lastDoc = doc;
    lastGeneration = generation;
    lastValue = v;
    return v;
  };
}

/** The shared getter for `path`, memoized per event inside `withFieldCache`. */
export function compileEqlFieldGetter(path: string): FieldGetter {
  let getter = cache.get(path);
  if (!getter) {
    getter = memoized(compileFieldGetter(path));
    if (cache.size < 10_000) cache.set(path, getter);
  }
  return getter;
}

/** One-entry memo per path (shared by every rule reading that path), active only in a scope. */
function memoized(read: FieldGetter): FieldGetter {
  return memoizedPerEvent(read);
}

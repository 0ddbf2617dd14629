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

/** One memoized value: the document it was computed for, in which scope, and the value. */
interface MemoCell {
  doc: unknown;
  generation: number;
  value: unknown;
}

/** The cells filled in the current scope: emptied when it ends, so no memo keeps an event
 * (or a value read from one) alive after its evaluation. */
const filled: MemoCell[] = [];
/** How many of `filled` belong to the current scope (the array itself is kept and reused:
 * emptying it would give its storage back and regrow it for every event). */
let filledCount = 0;

function endScope(): void {
  generation++;
  for (let i = 0; i < filledCount; i++) {
    filled[i].doc = undefined;
    filled[i].value = undefined;
  }
  filledCount = 0;
}

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
    endScope();
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
  endScope();
}

/**
 * `fn` memoized for the event being evaluated inside a scope: a test shared by many rules
 * (`host.os.type == "linux"`, `event.action in (...)`) runs once per event. `fn` must depend
 * on the event only.
 */
export function memoizedPerEvent<T>(fn: (doc: unknown) => T): (doc: unknown) => T {
  const cell: MemoCell = { doc: undefined, generation: -1, value: undefined };
  return (doc) => {
    if (!scoped) return fn(doc);
    if (doc === cell.doc && cell.generation === generation) return cell.value as T;
    const v = fn(doc);
    if (cell.generation !== generation) filled[filledCount++] = cell;
    cell.doc = doc;
    cell.generation = generation;
    cell.value = v;
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

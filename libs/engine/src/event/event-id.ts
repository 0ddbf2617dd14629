/**
 * An event's id (DESIGN.md "Semantics"): top-level `_id`, else `event.id`, else a hash of its
 * canonical JSON, so that the same event read twice (a replay) always gets the same id, and
 * alert ids derived from it are deterministic.
 */
import { createHash } from 'node:crypto';
import { compileFieldGetter } from '@sequent/ecs';

/** JSON with object keys sorted at every level: equal documents give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const readOwnId = compileFieldGetter('_id');
const readEventId = compileFieldGetter('event.id');

export function eventId(event: unknown): string {
  if (event !== null && typeof event === 'object') {
    const own = readOwnId(event);
    if (typeof own === 'string' && own !== '') return own;
    if (typeof own === 'number') return String(own);
    const id = readEventId(event);
    if (typeof id === 'string' && id !== '') return id;
    if (typeof id === 'number') return String(id);
  }
  return sha256Hex(canonicalJson(event));
}

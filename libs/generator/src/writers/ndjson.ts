import type { EcsEvent } from '../types';

/** One compact JSON document per line, with a trailing newline. */
export function toNdjson(events: readonly EcsEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}

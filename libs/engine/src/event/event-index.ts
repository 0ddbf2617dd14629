/**
 * An event's index (DESIGN.md "Semantics"): its top-level `_index` when present (ingest sets
 * it from the source's configuration), else `<data_stream.type>-<dataset>-<namespace>`, else
 * null, which every rule index pattern accepts (so a file of bare ECS events can be hunted).
 */
import { getField } from '@sequent/ecs';

export function eventIndex(event: unknown): string | null {
  if (event === null || typeof event !== 'object') return null;
  const own = (event as Record<string, unknown>)._index;
  if (typeof own === 'string' && own !== '') return own;
  const type = getField(event, 'data_stream.type');
  const dataset = getField(event, 'data_stream.dataset');
  const namespace = getField(event, 'data_stream.namespace');
  if (typeof type === 'string' && typeof dataset === 'string' && typeof namespace === 'string')
    return `${type}-${dataset}-${namespace}`;
  return null;
}

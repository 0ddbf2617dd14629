/**
 * An event's index (DESIGN.md "Semantics"): its top-level `_index` when present (ingest sets
 * it from the source's configuration), else `<data_stream.type>-<dataset>-<namespace>`, else
 * null, which every rule index pattern accepts (so a file of bare ECS events can be hunted).
 */
import { compileFieldGetter } from '@sequent/ecs';

const readType = compileFieldGetter('data_stream.type');
const readDataset = compileFieldGetter('data_stream.dataset');
const readNamespace = compileFieldGetter('data_stream.namespace');

export function eventIndex(event: unknown): string | null {
  if (event === null || typeof event !== 'object') return null;
  const own = (event as Record<string, unknown>)._index;
  if (typeof own === 'string' && own !== '') return own;
  const type = readType(event);
  const dataset = readDataset(event);
  const namespace = readNamespace(event);
  if (typeof type === 'string' && typeof dataset === 'string' && typeof namespace === 'string') {
    // Consecutive events mostly share their data stream: hand out the same string, which the
    // engine's per-rule index-pattern cache then compares by identity.
    if (type !== lastType || dataset !== lastDataset || namespace !== lastNamespace) {
      lastType = type;
      lastDataset = dataset;
      lastNamespace = namespace;
      lastIndex = `${type}-${dataset}-${namespace}`;
    }
    return lastIndex;
  }
  return null;
}

let lastType = '';
let lastDataset = '';
let lastNamespace = '';
let lastIndex = '--';

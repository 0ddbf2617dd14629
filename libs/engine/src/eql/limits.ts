/**
 * `head` / `tail` pipes and the request `size`, combined as Elasticsearch does: the size
 * becomes an implicit limit of the same kind as the first pipe, placed before it (so
 * `| tail 3` with size 10 keeps the last 3, and with size 2 the last 2); without pipes it is
 * an implicit `head size`.
 */
import type { EqlPipe } from './types';

export const DEFAULT_EQL_SIZE = 10;

export function applyEqlLimits<T>(
  items: T[],
  pipes: readonly EqlPipe[],
  size: number = DEFAULT_EQL_SIZE,
): T[] {
  const chain: EqlPipe[] =
    pipes.length === 0 ? [{ kind: 'head', count: size }] : [{ kind: pipes[0].kind, count: size }, ...pipes];
  let out = items;
  for (const pipe of chain) {
    const n = Math.max(0, Math.floor(pipe.count));
    if (pipe.kind === 'head') out = out.slice(0, n);
    else out = n === 0 ? [] : out.slice(-n);
  }
  return out;
}

/** The most results any pipe chain can keep from the front, for early stopping (Infinity when a tail needs everything). */
export function eqlHeadBound(pipes: readonly EqlPipe[], size: number = DEFAULT_EQL_SIZE): number {
  if (pipes.some((p) => p.kind === 'tail')) return Infinity;
  return Math.min(size, ...pipes.map((p) => p.count));
}

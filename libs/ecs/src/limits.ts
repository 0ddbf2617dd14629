/** Limits on untrusted input: bytes per event, nesting depth, number of fields. */

export interface Limits {
  /** Bytes of one input line / document (default 1 MiB). */
  maxEventBytes: number;
  /** Object/array nesting depth of a document (default 32). */
  maxDepth: number;
  /** Leaf fields of a document (default 5000). */
  maxFields: number;
}

export const DEFAULT_LIMITS: Limits = { maxEventBytes: 1024 * 1024, maxDepth: 32, maxFields: 5000 };

export class LimitError extends Error {
  constructor(
    message: string,
    readonly reason: 'too_large' | 'too_deep' | 'too_many_fields',
  ) {
    super(message);
  }
}

export function checkSize(text: string, limits: Limits): void {
  // UTF-16 length is a lower bound of the UTF-8 size; count exactly only when close.
  if (text.length * 3 <= limits.maxEventBytes) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxEventBytes)
    throw new LimitError(`event is ${bytes} bytes, over the limit of ${limits.maxEventBytes}`, 'too_large');
}

/** Throws when `doc` nests deeper than `maxDepth` or has more than `maxFields` leaves. Iterative. */
export function checkShape(doc: unknown, limits: Limits): void {
  const stack: Array<[unknown, number]> = [[doc, 1]];
  let fields = 0;
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') {
      if (++fields > limits.maxFields)
        throw new LimitError(`event has more than ${limits.maxFields} fields`, 'too_many_fields');
      continue;
    }
    if (depth > limits.maxDepth)
      throw new LimitError(`event nests deeper than ${limits.maxDepth} levels`, 'too_deep');
    const values = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    if (values.length === 0) fields++;
    for (const v of values) stack.push([v, depth + 1]);
  }
}

/** JSON.parse with the size limit first and the shape limits after. */
export function parseJsonLimited(text: string, limits: Limits): unknown {
  checkSize(text, limits);
  // Cheap pre-check so a pathological "[[[[...." cannot exhaust the parser's stack.
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
      if (max > limits.maxDepth)
        throw new LimitError(`event nests deeper than ${limits.maxDepth} levels`, 'too_deep');
    } else if (c === 125 || c === 93) depth--;
  }
  const doc = JSON.parse(text) as unknown;
  checkShape(doc, limits);
  return doc;
}

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

/** Throws when `doc` nests deeper than `maxDepth` or has more than `maxFields` leaves. The
 * recursion is bounded by `maxDepth`, so a hostile document cannot exhaust the stack. */
export function checkShape(doc: unknown, limits: Limits): void {
  let fields = 0;
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== 'object') {
      if (++fields > limits.maxFields)
        throw new LimitError(`event has more than ${limits.maxFields} fields`, 'too_many_fields');
      return;
    }
    if (depth > limits.maxDepth)
      throw new LimitError(`event nests deeper than ${limits.maxDepth} levels`, 'too_deep');
    if (Array.isArray(node)) {
      if (node.length === 0) fields++;
      for (let i = 0; i < node.length; i++) visit(node[i], depth + 1);
      return;
    }
    let empty = true;
    for (const k in node as Record<string, unknown>) {
      empty = false;
      visit((node as Record<string, unknown>)[k], depth + 1);
    }
    if (empty) fields++;
  };
  visit(doc, 1);
}

/** JSON.parse with the size limit first and the shape limits after (`checkShapeToo: false`
 * when the caller walks the document anyway and checks them itself). */
export function parseJsonLimited(text: string, limits: Limits, checkShapeToo = true): unknown {
  checkSize(text, limits);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // A parser that recurses could run out of stack on "[[[[...": that is nesting, not syntax.
    if (err instanceof RangeError)
      throw new LimitError(`event nests deeper than ${limits.maxDepth} levels`, 'too_deep');
    throw err;
  }
  if (checkShapeToo) checkShape(doc, limits);
  return doc;
}

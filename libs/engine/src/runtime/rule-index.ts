/**
 * Rules indexed by their pre-filter hints, so that the rules tried on an event are only
 * those that can match it: by literal values (or value prefixes) of a field, else by
 * `event.category`. Rules without hints are tried on every event. The cost per event grows
 * with the number of rules that share its values or category, not with the number of rules.
 */
import { compileFieldGetter } from '@sequent/ecs';
import { literalHintsOf, type LiteralKey, type RuleLiteralHint } from './literal-hints';
import type { RuleRuntime } from './rule-runtime';

class ValueTable {
  readonly exact = new Map<string, RuleRuntime[]>();
  readonly prefix = new Map<string, RuleRuntime[]>();
  /** Distinct prefix lengths, ascending. */
  lengths: number[] = [];

  add(map: Map<string, RuleRuntime[]>, key: string, rt: RuleRuntime): void {
    const list = map.get(key) ?? [];
    if (!list.includes(rt)) list.push(rt);
    map.set(key, list);
  }

  lookup(value: string, out: RuleRuntime[][]): void {
    const l = this.exact.get(value);
    if (l) out.push(l);
    for (const n of this.lengths) {
      if (n > value.length) break;
      const p = this.prefix.get(value.slice(0, n));
      if (p) out.push(p);
    }
  }
}

/** Everything filed under one field: case-sensitive and case-insensitive tables. */
interface FieldIndex {
  field: string;
  get: (doc: unknown, plain: boolean) => unknown;
  sensitive?: ValueTable;
  insensitive?: ValueTable;
}

const readCategory = compileFieldGetter('event.category');
const hasOwn = Object.prototype.hasOwnProperty;

/** Whether any key of the document (at any depth) is a dotted key (`"process.name": ...`). */
function hasDottedKeys(node: unknown, depth = 0): boolean {
  if (node === null || typeof node !== 'object' || depth > 16) return false;
  if (Array.isArray(node)) {
    for (const v of node) if (hasDottedKeys(v, depth + 1)) return true;
    return false;
  }
  for (const k in node as Record<string, unknown>) {
    if (!hasOwn.call(node, k)) continue;
    if (k.includes('.')) return true;
    if (hasDottedKeys((node as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

/**
 * Reads a field for index lookups. Events are nearly always plain nested objects: then a
 * direct walk answers (a missing field at once, a leaf array as it is). Anything else
 * (dotted keys, arrays of objects on the way) takes the shared accessor's full walk.
 */
function leafReader(path: string): (doc: unknown, plain: boolean) => unknown {
  const segs = path.split('.');
  const full = compileFieldGetter(path);
  return (doc, plain) => {
    if (!plain) return full(doc);
    let node: unknown = doc;
    for (let i = 0; i < segs.length; i++) {
      if (node === null || node === undefined) return undefined;
      if (typeof node !== 'object') return undefined;
      if (Array.isArray(node)) return full(doc);
      const key = segs[i];
      if (!hasOwn.call(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    if (Array.isArray(node)) {
      for (const v of node) if (v !== null && typeof v === 'object') return full(doc);
      return node;
    }
    return node === null ? undefined : node;
  };
}

export class RuleIndex {
  private readonly byCategory = new Map<string, RuleRuntime[]>();
  private readonly fields: FieldIndex[] = [];
  /** First path segments of the indexed fields. */
  private readonly roots = new Set<string>();
  private readonly always: RuleRuntime[] = [];
  private epoch = 0;
  /** The literal hints each rule is filed under (explain output, tests). */
  readonly literalHints = new Map<RuleRuntime, LiteralKey[]>();

  constructor(
    runtimes: readonly RuleRuntime[],
    hintsOf: (rt: RuleRuntime) => RuleLiteralHint | undefined = (rt) => literalHintsOf(rt.rule),
  ) {
    const byField = new Map<string, FieldIndex>();
    for (const rt of runtimes) {
      const hint = hintsOf(rt);
      const keys = hint?.keys;
      if (keys && keys.length > 0) {
        this.literalHints.set(rt, keys);
        // A sequence filed by its starting stages only: its other stages are tried while
        // it has pending state (see DetectionEngine.candidates).
        rt.gated = hint.gated && rt.kind === 'sequence';
        for (const k of keys) {
          let fi = byField.get(k.field);
          if (!fi) {
            fi = { field: k.field, get: leafReader(k.field) };
            this.roots.add(k.field.split('.')[0]);
            byField.set(k.field, fi);
            this.fields.push(fi);
          }
          const ci = k.caseInsensitive;
          const table = ci ? (fi.insensitive ??= new ValueTable()) : (fi.sensitive ??= new ValueTable());
          for (const v of k.values) table.add(table.exact, ci ? v.toLowerCase() : v, rt);
          for (const p of k.prefixes ?? []) table.add(table.prefix, ci ? p.toLowerCase() : p, rt);
        }
        continue;
      }
      const categories = rt.rule.prefilter.categories;
      if (categories && categories.length > 0) {
        for (const c of new Set(categories.map((x) => x.toLowerCase()))) {
          const list = this.byCategory.get(c) ?? [];
          list.push(rt);
          this.byCategory.set(c, list);
        }
      } else this.always.push(rt);
    }
    for (const fi of this.fields)
      for (const t of [fi.sensitive, fi.insensitive])
        if (t) t.lengths = [...new Set([...t.prefix.keys()].map((p) => p.length))].sort((a, b) => a - b);
  }

  /** The rules that may match the event, in rule order. */
  candidates(event: unknown): readonly RuleRuntime[] {
    const lists: RuleRuntime[][] = [];
    const cat = readCategory(event);
    if (typeof cat === 'string') {
      const l = this.byCategory.get(cat.toLowerCase());
      if (l) lists.push(l);
    } else if (Array.isArray(cat)) {
      for (const c of cat) {
        if (typeof c !== 'string') continue;
        const l = this.byCategory.get(c.toLowerCase());
        if (l) lists.push(l);
      }
    }
    const plain = this.fields.length > 0 && !this.dottedOnIndexedPaths(event);
    for (const fi of this.fields) {
      const v = fi.get(event, plain);
      if (v === undefined) continue;
      if (Array.isArray(v)) {
        for (const one of v) this.lookup(fi, one, lists);
      } else this.lookup(fi, v, lists);
    }
    if (this.always.length > 0) lists.push(this.always);
    if (lists.length === 0) return [];
    if (lists.length === 1) return lists[0];
    const epoch = ++this.epoch;
    const out: RuleRuntime[] = [];
    for (const l of lists)
      for (const rt of l)
        if (rt.mark !== epoch) {
          rt.mark = epoch;
          out.push(rt);
        }
    out.sort((a, b) => a.ordinal - b.ordinal);
    return out;
  }

  /** Whether a dotted key could stand for an indexed field: any dotted key at the top, or
   * anywhere under the top-level objects indexed fields start with (`process`, `file`, ...). */
  private dottedOnIndexedPaths(event: unknown): boolean {
    if (event === null || typeof event !== 'object') return false;
    if (Array.isArray(event)) return hasDottedKeys(event);
    for (const k in event as Record<string, unknown>) {
      if (!hasOwn.call(event, k)) continue;
      if (k.includes('.')) return true;
      if (this.roots.has(k) && hasDottedKeys((event as Record<string, unknown>)[k])) return true;
    }
    return false;
  }

  private lookup(fi: FieldIndex, value: unknown, lists: RuleRuntime[][]): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    fi.sensitive?.lookup(s, lists);
    fi.insensitive?.lookup(s.toLowerCase(), lists);
  }
}

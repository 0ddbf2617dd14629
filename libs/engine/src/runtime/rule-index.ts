/**
 * Rules indexed by their pre-filter hints, so that the rules tried on an event are only
 * those that can match it: by `event.category` value, or by a literal value of a field.
 * Rules without hints are tried on every event. The cost per event grows with the number of
 * rules that share its category or literal, not with the number of rules.
 */
import { compileFieldGetter, type FieldGetter } from '@sequent/ecs';
import type { RuleRuntime } from './rule-runtime';

interface LiteralIndex {
  get: FieldGetter;
  caseInsensitive: boolean;
  byValue: Map<string, RuleRuntime[]>;
}

const readCategory = compileFieldGetter('event.category');

export class RuleIndex {
  private readonly byCategory = new Map<string, RuleRuntime[]>();
  private readonly literals: LiteralIndex[] = [];
  private readonly always: RuleRuntime[] = [];
  private epoch = 0;

  constructor(runtimes: readonly RuleRuntime[]) {
    const literalByField = new Map<string, LiteralIndex>();
    for (const rt of runtimes) {
      const hints = rt.rule.prefilter;
      const lit = hints.literals;
      if (lit && lit.values.length > 0) {
        const ci = lit.caseInsensitive === true;
        const id = `${ci ? 'i' : 's'}:${lit.field}`;
        let index = literalByField.get(id);
        if (!index) {
          index = { get: compileFieldGetter(lit.field), caseInsensitive: ci, byValue: new Map() };
          literalByField.set(id, index);
          this.literals.push(index);
        }
        for (const raw of new Set(lit.values.map((v) => (ci ? v.toLowerCase() : v)))) {
          const list = index.byValue.get(raw) ?? [];
          list.push(rt);
          index.byValue.set(raw, list);
        }
      } else if (hints.categories && hints.categories.length > 0) {
        for (const c of new Set(hints.categories.map((x) => x.toLowerCase()))) {
          const list = this.byCategory.get(c) ?? [];
          list.push(rt);
          this.byCategory.set(c, list);
        }
      } else this.always.push(rt);
    }
  }

  /** The rules that may match the event, in rule order. */
  candidates(event: unknown): readonly RuleRuntime[] {
    const lists: RuleRuntime[][] = [];
    const cat = readCategory(event);
    if (typeof cat === 'string') {
      const l = this.byCategory.get(cat.toLowerCase()) ?? this.byCategory.get(cat);
      if (l) lists.push(l);
    } else if (Array.isArray(cat)) {
      for (const c of cat) {
        if (typeof c !== 'string') continue;
        const l = this.byCategory.get(c.toLowerCase());
        if (l) lists.push(l);
      }
    }
    for (const index of this.literals) {
      const v = index.get(event);
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) {
        if (typeof one !== 'string' && typeof one !== 'number') continue;
        const key = index.caseInsensitive ? String(one).toLowerCase() : String(one);
        const l = index.byValue.get(key);
        if (l) lists.push(l);
      }
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
}

/**
 * Guards: what a rule needs of the few fields that classify an event (`event.type`,
 * `event.action`, `host.os.type`, ...), so that the engine can drop a candidate before
 * evaluating it. The rule index selects rules by category and literal values; among those
 * candidates most rules are still rejected by these fields (an exec rule on a process *end*
 * event, a Linux rule on a Windows event). Events share a handful of combinations of these
 * fields, so which rules pass is computed once per combination and cached.
 *
 * Derived from the parsed EQL query, conservatively (a guard is a necessary condition, never
 * more): only positive conjuncts `field == "s"`, `field in ("a", "b")`, `field : "s"` and
 * `field like[~] "s"` without wildcards on a plain (not `?optional`) field; an `or` guards a
 * field only when every branch does (with the union of their values); a sequence only when
 * every stage (missing ones and `until` included) does. Values that a number, a date or a
 * boolean could equal otherwise are never used. Every rule whose pre-filter names its event
 * categories (EQL and KQL) is also guarded on `event.category` (see `withCategoryGuard`).
 */
import type { CompiledRule } from '@sequent/rules';
import { compileEqlFieldGetter, parseEql } from '@sequent/rules';
import type { FieldGetter } from '@sequent/ecs';

/** The fields guards may name: few distinct values per stream, so few combinations. */
export const GUARD_FIELDS: readonly string[] = [
  'event.category',
  'event.type',
  'event.action',
  'event.kind',
  'event.outcome',
  'event.module',
  'event.dataset',
  'data_stream.dataset',
  'host.os.type',
  'agent.type',
];
const GUARDED = new Set(GUARD_FIELDS);

/** One field's requirement: some value of the field is one of `values`. */
export interface GuardAtom {
  field: string;
  /** Compare lower-cased (`values` are lower-cased too). */
  caseInsensitive: boolean;
  values: string[];
}

type Guard = Map<string, GuardAtom>;

interface EqlNode {
  kind: string;
  [k: string]: unknown;
}

const ISO_DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;
const DOTTED_NUMBER = /^\d+(?:\.\d+){2,}$/;

/** A literal only an equal string can match (no number, boolean, date or version coercion). */
function exactText(v: unknown): v is string {
  if (typeof v !== 'string' || v === '' || v.trim() !== v) return false;
  if (!Number.isNaN(Number(v)) || v === 'true' || v === 'false') return false;
  return !ISO_DATE_LIKE.test(v) && !DOTTED_NUMBER.test(v);
}

function guardedField(n: unknown): string | undefined {
  const node = n as EqlNode;
  if (node?.kind !== 'field' || node.optional === true) return undefined;
  return GUARDED.has(node.path as string) ? (node.path as string) : undefined;
}

function atom(field: string, caseInsensitive: boolean, values: string[]): Guard {
  return new Map([
    [
      field,
      { field, caseInsensitive, values: caseInsensitive ? values.map((v) => v.toLowerCase()) : values },
    ],
  ]);
}

/** Both must hold: keep each field's requirement (the first one found, when both name it). */
function both(a: Guard, b: Guard): Guard {
  const out = new Map(a);
  for (const [f, g] of b) if (!out.has(f)) out.set(f, g);
  return out;
}

/** Either holds: only fields both name, with the union of their values. */
function either(a: Guard, b: Guard): Guard {
  const out: Guard = new Map();
  for (const [f, x] of a) {
    const y = b.get(f);
    if (!y) continue;
    const ci = x.caseInsensitive || y.caseInsensitive;
    const fold = (g: GuardAtom) =>
      ci && !g.caseInsensitive ? g.values.map((v) => v.toLowerCase()) : g.values;
    out.set(f, { field: f, caseInsensitive: ci, values: [...new Set([...fold(x), ...fold(y)])] });
  }
  return out;
}

function eqlGuard(node: EqlNode): Guard {
  switch (node.kind) {
    case 'and':
      return (node.operands as EqlNode[]).map(eqlGuard).reduce(both, new Map());
    case 'or': {
      const parts = (node.operands as EqlNode[]).map(eqlGuard);
      return parts.length === 0 ? new Map() : parts.reduce(either);
    }
    case 'compare': {
      if (node.op !== '==') return new Map();
      const l = node.left as EqlNode;
      const r = node.right as EqlNode;
      const [f, lit] = l.kind === 'field' ? [l, r] : [r, l];
      const field = guardedField(f);
      if (!field || lit.kind !== 'literal' || !exactText(lit.value)) return new Map();
      return atom(field, false, [lit.value]);
    }
    case 'in': {
      if (node.negated) return new Map();
      const field = guardedField(node.value);
      const list = node.list as EqlNode[];
      if (!field || list.length === 0 || !list.every((x) => x.kind === 'literal' && exactText(x.value)))
        return new Map();
      return atom(
        field,
        node.caseInsensitive === true,
        list.map((x) => x.value as string),
      );
    }
    case 'pattern': {
      if (node.op === 'regex') return new Map();
      const field = guardedField(node.value);
      const values = (node.patterns as EqlNode[]).map((p) => p.value);
      if (!field || values.length === 0) return new Map();
      if (!values.every((v) => exactText(v) && !v.includes('*') && !v.includes('?'))) return new Map();
      return atom(field, node.caseInsensitive === true || node.op === 'seq', values as string[]);
    }
    default:
      return new Map();
  }
}

function conditionOf(stage: EqlNode): EqlNode {
  return (stage.filter as EqlNode).condition as EqlNode;
}

/** The rule's guard atoms (all must hold for the rule to use an event); empty when none. */
export function guardOf(rule: CompiledRule): GuardAtom[] {
  return [...withCategoryGuard(rule, eqlGuardOf(rule)).values()];
}

function eqlGuardOf(rule: CompiledRule): Guard {
  const query = rule.meta.query;
  if (rule.matcher.kind !== 'eql' || !query) return new Map();
  try {
    const q = parseEql(query) as unknown as EqlNode;
    if (q.kind === 'event') return eqlGuard(conditionOf(q));
    if (q.kind !== 'sequence') return new Map();
    const stages = [...(q.stages as EqlNode[]), ...(q.until ? [q.until as EqlNode] : [])];
    return stages.map((s) => eqlGuard(conditionOf(s))).reduce(either);
  } catch {
    return new Map();
  }
}

/**
 * The rule's event categories as a guard on `event.category`: its pre-filter categories, set
 * only when every stage names a category read from `event.category` (none with Kibana's
 * `event_category_override`), lower-cased, so compared case-insensitively (weaker than the
 * exact test the rule makes, never stronger). With it, a process event's view of the index
 * holds no file or network rule.
 */
function withCategoryGuard(rule: CompiledRule, guard: Guard): Guard {
  const categories = rule.prefilter.categories;
  if (!categories || categories.length === 0 || guard.has('event.category')) return guard;
  return both(guard, atom('event.category', true, categories));
}

/**
 * One level of the mask cache: the next level (or, past the last field, the mask) per value
 * of one guard field, by the value's shape, so the usual shapes (a string, a one-string list,
 * no value) are looked up without building a key.
 */
interface CacheLevel {
  byString: Map<string, CacheLevel>;
  bySingle: Map<string, CacheLevel>;
  byJson: Map<string, CacheLevel>;
  missing: CacheLevel | null;
  mask: Uint8Array | null;
  /** Whether this level's field can change the mask: some rule whose atoms on the fields
   * before it all hold has an atom on it (undefined: not known yet). When it cannot, the
   * field is not read and the walk goes on through `missing`. */
  needed: boolean | undefined;
}

function newLevel(): CacheLevel {
  return {
    byString: new Map(),
    bySingle: new Map(),
    byJson: new Map(),
    missing: null,
    mask: null,
    needed: undefined,
  };
}

/**
 * Which rules pass their guards, per combination of the guard fields' values: a mask over
 * rule ordinals (1: may use the event), cached for the few combinations a stream has.
 */
export class GuardTable {
  private readonly fields: string[];
  private readonly getters: FieldGetter[];
  private readonly guards: Array<GuardAtom[] | undefined>;
  private cache = newLevel();
  private cached = 0;
  private static readonly MAX_COMBINATIONS = 4096;
  private static readonly MAX_VALUE_LENGTH = 256;

  constructor(guards: ReadonlyArray<GuardAtom[] | undefined>) {
    this.guards = guards.map((g) => (g && g.length > 0 ? g : undefined));
    const used = new Set<string>();
    for (const g of this.guards) for (const a of g ?? []) used.add(a.field);
    this.fields = GUARD_FIELDS.filter((f) => used.has(f));
    this.getters = this.fields.map(compileEqlFieldGetter);
  }

  /** Whether any rule has a guard (else `maskFor` is never needed). */
  get active(): boolean {
    return this.fields.length > 0;
  }

  /** The mask for this event's combination of guard-field values. */
  maskFor(event: unknown): Uint8Array {
    let level = this.cache;
    for (let i = 0; i < this.getters.length; i++) {
      level.needed ??= this.fieldNeeded(event, i);
      if (!level.needed) {
        level = level.missing ??= newLevel();
        continue;
      }
      const v = this.getters[i](event);
      let next: CacheLevel | null | undefined;
      let map: Map<string, CacheLevel>;
      let key: string;
      if (v === undefined) next = level.missing ??= newLevel();
      else {
        // (plain assignments: a destructured pair would allocate on every event)
        if (typeof v === 'string') {
          map = level.byString;
          key = v;
        } else if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') {
          map = level.bySingle;
          key = v[0] as string;
        } else {
          map = level.byJson;
          key = JSON.stringify(v) ?? '';
        }
        // Real classifying values are short; an event with huge ones (hostile or broken)
        // gets its mask computed, not cached, so the cache stays small whatever arrives.
        if (key.length > GuardTable.MAX_VALUE_LENGTH) return this.compute(event);
        next = map.get(key);
        if (next === undefined) map.set(key, (next = newLevel()));
      }
      level = next;
    }
    if (level.mask === null) {
      if (++this.cached > GuardTable.MAX_COMBINATIONS) {
        this.cache = newLevel();
        this.cached = 0;
      }
      level.mask = this.compute(event);
    }
    return level.mask;
  }

  /** Whether some rule whose atoms on fields 0..i-1 hold for the event has an atom on field
   * i (the levels before it hold the event's values of those fields). */
  private fieldNeeded(event: unknown, i: number): boolean {
    const field = this.fields[i];
    const earlier = new Map<string, unknown[]>();
    for (let f = 0; f < i; f++) {
      const v = this.getters[f](event);
      earlier.set(this.fields[f], v === undefined ? [] : Array.isArray(v) ? v : [v]);
    }
    return this.guards.some(
      (g) =>
        g !== undefined &&
        g.some((a) => a.field === field) &&
        g.every((a) => !earlier.has(a.field) || holds(a, earlier.get(a.field)!)),
    );
  }

  private compute(event: unknown): Uint8Array {
    const byField = new Map<string, unknown[]>();
    this.fields.forEach((f, i) => {
      const v = this.getters[i](event);
      byField.set(f, v === undefined ? [] : Array.isArray(v) ? v : [v]);
    });
    const mask = new Uint8Array(this.guards.length);
    this.guards.forEach((g, ordinal) => {
      mask[ordinal] = !g || g.every((a) => holds(a, byField.get(a.field) ?? [])) ? 1 : 0;
    });
    return mask;
  }
}

function holds(a: GuardAtom, values: unknown[]): boolean {
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (a.values.includes(a.caseInsensitive ? v.toLowerCase() : v)) return true;
  }
  return false;
}

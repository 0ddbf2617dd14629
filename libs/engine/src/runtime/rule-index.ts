/**
 * Rules indexed by their pre-filter hints, so that the rules tried on an event are only
 * those that can match it: by literal values (or value prefixes, suffixes, contained text) of
 * a field, else by `event.category`. Rules without hints are tried on every event. The cost
 * per event grows with the number of rules that share its values or category, not with the
 * number of rules.
 */
import type { FieldGetter } from '@sequent/ecs';
import { compileEqlFieldGetter, PrefixTrie } from '@sequent/rules';
import { literalHintsOf, type LiteralKey, type RuleLiteralHint } from './literal-hints';
import type { RuleRuntime } from './rule-runtime';

/** Files `rt` under `key` of `map`, once. */
function fileUnder(map: Map<string, RuleRuntime[]>, key: string, rt: RuleRuntime): void {
  const list = map.get(key) ?? [];
  if (!list.includes(rt)) list.push(rt);
  map.set(key, list);
}

class ValueTable {
  readonly exact = new Map<string, RuleRuntime[]>();
  /** Value prefixes and suffixes: one trie walk over a value finds every one filed. */
  private readonly prefixes = new PrefixTrie<RuleRuntime>();
  private readonly suffixes = new PrefixTrie<RuleRuntime>(true);
  /** Contained texts: each one tested on a value (per distinct value: see FieldIndex.seen). */
  private readonly contained = new Map<string, RuleRuntime[]>();

  addExact(key: string, rt: RuleRuntime): void {
    fileUnder(this.exact, key, rt);
  }

  addPrefix(prefix: string, rt: RuleRuntime): void {
    this.prefixes.insert(prefix, rt);
  }

  addSuffix(suffix: string, rt: RuleRuntime): void {
    this.suffixes.insert(suffix, rt);
  }

  addContained(text: string, rt: RuleRuntime): void {
    fileUnder(this.contained, text, rt);
  }

  lookup(value: string, out: (list: RuleRuntime[]) => void): void {
    const l = this.exact.get(value);
    if (l) out(l);
    if (!this.prefixes.empty) this.prefixes.forEachMatch(value, out);
    if (!this.suffixes.empty) this.suffixes.forEachMatch(value, out);
    for (const [text, list] of this.contained) if (value.includes(text)) out(list);
  }
}

const NO_RULES: readonly RuleRuntime[] = Object.freeze([]);

interface MergeNode {
  /** The union of the lists on the path here, in rule order (never changed once built). */
  rules: readonly RuleRuntime[];
  next: Map<readonly RuleRuntime[], MergeNode> | null;
  /** The union as each view sees it (narrowed once per view). */
  byView: Map<IndexView, readonly RuleRuntime[]> | null;
}

const MAX_MERGE_NODES = 20_000;

/**
 * Gathers the candidate lists of one event into their union, in rule order. Events meet the
 * same few combinations of lists (the lists are fixed when the index is built), so the unions
 * are kept in a trie keyed by the lists in the order they arrive: an event walks it one map
 * lookup per list and gets an array computed once, instead of merging per event. A list that
 * adds nothing leads back to its own node. The trie is dropped when it grows past
 * `MAX_MERGE_NODES` (combinations a stream keeps producing), and rebuilt as events come.
 */
class Collector {
  private root: MergeNode = { rules: NO_RULES, next: null, byView: null };
  private node: MergeNode = this.root;
  private nodes = 0;

  reset(): void {
    this.node = this.root;
  }

  add(list: readonly RuleRuntime[]): void {
    if (list.length === 0) return;
    const node = this.node;
    let next = node.next?.get(list);
    if (next === undefined) {
      const rules = unionInRuleOrder(node.rules, list);
      next = rules.length === node.rules.length ? node : { rules, next: null, byView: null };
      if (this.counted()) (node.next ??= new Map()).set(list, next);
    }
    this.node = next;
  }

  /** Counts one more cache entry; past the bound the trie starts over (false: do not keep
   * this one; the event still gets its answer). */
  private counted(): boolean {
    if (++this.nodes <= MAX_MERGE_NODES) return true;
    this.root = { rules: NO_RULES, next: null, byView: null };
    this.nodes = 0;
    return false;
  }

  /** The union of the lists added since `reset`, as `view` (if any) sees it. */
  result(view?: IndexView): readonly RuleRuntime[] {
    const node = this.node;
    if (view === undefined || node.rules.length === 0) return node.rules;
    let narrowed = node.byView?.get(view);
    if (narrowed === undefined) {
      narrowed = view.narrow(node.rules);
      // Counted as a node: the cache's size stays bounded whatever the masks and values.
      if (this.counted()) (node.byView ??= new Map()).set(view, narrowed);
    }
    return narrowed;
  }
}

/** The union of two lists in rule order (each in rule order, without repeats). */
function unionInRuleOrder(a: readonly RuleRuntime[], b: readonly RuleRuntime[]): readonly RuleRuntime[] {
  if (a.length === 0) return b;
  const out: RuleRuntime[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j === b.length || (i < a.length && a[i].ordinal < b[j].ordinal)) out.push(a[i++]);
    else if (i === a.length || b[j].ordinal < a[i].ordinal) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}

/** Everything filed under one field: case-sensitive and case-insensitive tables. */
interface FieldIndex {
  field: string;
  /** The shared accessor (nested objects, literal dotted keys, arrays). */
  get: FieldGetter;
  sensitive?: ValueTable;
  insensitive?: ValueTable;
  /** The lists each recent value finds (values repeat: the same binaries, paths, arguments),
   * so a repeated value costs one lookup instead of two tables, two tries and a lower-casing. */
  seen: Map<string, RuleRuntime[][]>;
  /** Every rule filed under the field (which views need to read it). */
  rules: Set<RuleRuntime>;
  /** The categories of the stages filed under the field (lower-cased; null: some stage of
   * any category): an event of none of them can use no rule through the field, which is then
   * not read. */
  categories: Set<string> | null;
}

/**
 * The index as one guard mask sees it: only the fields some rule the mask lets through is
 * filed by, and the candidates narrowed to those rules (each union of lists once per view, in
 * the collector's cache).
 */
export class IndexView {
  /** `fields` an event of one category reads (see RuleIndex.fieldsFor). */
  readonly byCategory = new Map<string, readonly FieldIndex[]>();

  constructor(
    readonly fields: readonly FieldIndex[],
    private readonly allowed: Uint8Array,
  ) {}

  /** The rules of `list` the view lets through (the list itself when it lets all through). */
  narrow(list: readonly RuleRuntime[]): readonly RuleRuntime[] {
    const kept = list.filter((rt) => this.allowed[rt.ordinal] === 1);
    return kept.length === list.length ? list : kept;
  }
}

/** Distinct masks with a view; past this (hostile guard values) the index runs whole and the
 * mask filters afterwards. */
export const MAX_INDEX_VIEWS = 256;

/** Categories whose field lists a view keeps. */
const MAX_CATEGORIES_PER_VIEW = 64;

/** Values cached per field, and the longest value cached. */
const SEEN_LIMIT = 4096;
const SEEN_MAX_LENGTH = 256;
const FOUND_NOTHING: RuleRuntime[][] = [];

// The rules' own getters: inside the engine's per-event scope, a field the index reads is
// read once for the index and every rule.
const readCategory = compileEqlFieldGetter('event.category');

/** Whether an event whose `event.category` is `raw`, not one string (`candidates` looks a
 * single category up once per view), has one of `categories`. */
function usedBy(categories: Set<string>, raw: unknown): boolean {
  if (!Array.isArray(raw)) return false;
  for (const c of raw) if (typeof c === 'string' && categories.has(c.toLowerCase())) return true;
  return false;
}

export class RuleIndex {
  private readonly byCategory = new Map<string, RuleRuntime[]>();
  private readonly fields: FieldIndex[] = [];
  private readonly always: RuleRuntime[] = [];
  private readonly collector = new Collector();
  /** Views per mask content (the engine keeps them per guard mask and index name). */
  private readonly viewsByContent = new Map<string, IndexView>();
  /** The literal hints each rule is filed under (explain output, tests). */
  readonly literalHints = new Map<RuleRuntime, LiteralKey[]>();
  /** The whole index as a view (every field, every rule), for events read without one. */
  private readonly whole: IndexView;

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
            const get = compileEqlFieldGetter(k.field);
            fi = { field: k.field, get, seen: new Map(), rules: new Set(), categories: new Set() };
            byField.set(k.field, fi);
            this.fields.push(fi);
          }
          fi.rules.add(rt);
          if (k.category === undefined) fi.categories = null;
          else fi.categories?.add(k.category);
          const ci = k.caseInsensitive;
          const table = ci ? (fi.insensitive ??= new ValueTable()) : (fi.sensitive ??= new ValueTable());
          for (const v of k.values) table.addExact(ci ? v.toLowerCase() : v, rt);
          for (const p of k.prefixes ?? []) table.addPrefix(ci ? p.toLowerCase() : p, rt);
          for (const x of k.suffixes ?? []) table.addSuffix(ci ? x.toLowerCase() : x, rt);
          for (const x of k.contains ?? []) table.addContained(ci ? x.toLowerCase() : x, rt);
        }
        continue;
      }
      const categories = rt.rule.prefilter.categories;
      if (categories && categories.length > 0) {
        for (const c of categories) fileUnder(this.byCategory, c.toLowerCase(), rt);
      } else this.always.push(rt);
    }
    const ordinals = runtimes.reduce((n, rt) => Math.max(n, rt.ordinal + 1), 0);
    this.whole = new IndexView(this.fields, new Uint8Array(ordinals).fill(1));
  }

  /**
   * The view of the rules `allowed` lets through (1 per rule ordinal), or undefined past
   * `MAX_INDEX_VIEWS` distinct masks. Equal masks share one view.
   */
  viewFor(allowed: Uint8Array): IndexView | undefined {
    const content = Buffer.from(allowed.buffer, allowed.byteOffset, allowed.byteLength).toString('latin1');
    let view = this.viewsByContent.get(content);
    if (view === undefined) {
      if (this.viewsByContent.size >= MAX_INDEX_VIEWS) return undefined;
      const fields = this.fields.filter((fi) => [...fi.rules].some((rt) => allowed[rt.ordinal] === 1));
      view = new IndexView(fields, allowed.slice());
      this.viewsByContent.set(content, view);
    }
    return view;
  }

  /**
   * The rules that may match the event, in rule order (a list the caller must not change);
   * with a view, only the rules the view lets through.
   */
  candidates(event: unknown, view?: IndexView): readonly RuleRuntime[] {
    const out = this.collector;
    out.reset();
    const cat = readCategory(event);
    // The event's one category, lower-cased (null: none, or several: see `usedBy`).
    let category: string | null = null;
    if (typeof cat === 'string') {
      category = cat.toLowerCase();
      const l = this.byCategory.get(category);
      if (l) out.add(l);
    } else if (Array.isArray(cat)) {
      for (const c of cat) {
        if (typeof c !== 'string') continue;
        const lower = c.toLowerCase();
        if (cat.length === 1) category = lower;
        const l = this.byCategory.get(lower);
        if (l) out.add(l);
      }
    }
    const fields = this.fieldsFor(view ?? this.whole, category);
    for (let i = 0; i < fields.length; i++) {
      const fi = fields[i];
      if (category === null && fi.categories !== null && !usedBy(fi.categories, cat)) continue;
      const v = fi.get(event);
      if (v === undefined) continue;
      if (Array.isArray(v)) {
        for (const one of v) this.lookup(fi, one, out);
      } else this.lookup(fi, v, out);
    }
    if (this.always.length > 0) out.add(this.always);
    return out.result(view);
  }

  /** The fields of `view` an event of `category` (lower-cased) reads: those filed for a stage
   * of its category or of any, computed once per view and category. Null: the event has no
   * category or several; all are returned and each is checked (see `usedBy`). */
  private fieldsFor(view: IndexView, category: string | null): readonly FieldIndex[] {
    if (category === null) return view.fields;
    let fields = view.byCategory.get(category);
    if (fields === undefined) {
      fields = view.fields.filter((fi) => fi.categories === null || fi.categories.has(category));
      // Few categories exist; past a bound (hostile values) they are filtered per event.
      if (view.byCategory.size < MAX_CATEGORIES_PER_VIEW) view.byCategory.set(category, fields);
    }
    return fields;
  }

  private lookup(fi: FieldIndex, value: unknown, lists: Collector): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    let found = fi.seen.get(s);
    if (found === undefined) {
      found = this.find(fi, s);
      if (s.length <= SEEN_MAX_LENGTH) {
        if (fi.seen.size >= SEEN_LIMIT) fi.seen.clear();
        fi.seen.set(s, found);
      }
    }
    for (let i = 0; i < found.length; i++) lists.add(found[i]);
  }

  /** Every list the field's tables file the value under. */
  private find(fi: FieldIndex, s: string): RuleRuntime[][] {
    let found: RuleRuntime[][] | undefined;
    const keep = (list: RuleRuntime[]): void => {
      (found ??= []).push(list);
    };
    fi.sensitive?.lookup(s, keep);
    fi.insensitive?.lookup(s.toLowerCase(), keep);
    return found ?? FOUND_NOTHING;
  }
}

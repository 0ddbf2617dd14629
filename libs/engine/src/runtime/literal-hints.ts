/**
 * Literal pre-filter hints derived from a rule's query: sets of (field, values) such that
 * every event the rule can use has one of those values in that field. The rule index files
 * the rule under those values, so a process rule about `apt` children is only tried on events
 * whose `process.parent.name` is `apt`, not on every process event.
 *
 * Derived from the parsed query (@sequent/rules' EQL and KQL parsers), conservatively: a hint
 * comes only from a positive conjunct `field == "s"`, `field in ("a", "b")`, `field : "s"`
 * or `field like "s"` without wildcards (KQL: `field: s` on a known keyword field); an `or`
 * yields a hint only when every branch does; a sequence only when every stage (and `until`)
 * does. Fields every event of a category shares (`event.type`, `host.os.type`, ...) are
 * never used: they would select nearly everything. Any doubt → no hint (the rule then falls
 * back to its category hint). A hint from @sequent/rules' own analysis wins when present.
 */
import type { CompiledRule } from '@sequent/rules';
import { parseEql, parseKql, regexLiterals } from '@sequent/rules';

export interface LiteralKey {
  field: string;
  caseInsensitive: boolean;
  /** Exact values. */
  values: string[];
  /** Value prefixes (from wildcard patterns `abc*`). */
  prefixes?: string[];
  /** Value suffixes (from wildcard patterns `*.cgi` with no literal prefix to use). */
  suffixes?: string[];
  /** Text the value contains (from wildcard patterns `*containerd.sock*` with neither). */
  contains?: string[];
  /** The category (lower-cased) of the query or stage the key comes from, when it names one
   * read from `event.category`: an event of no such category cannot match there, so the
   * index need not read the field for it. Absent: any category. */
  category?: string;
}

/** Shortest prefix worth indexing (shorter ones select too much). */
const MIN_PREFIX = 2;

/** Long enough to select something, or `.`. */
function usablePrefix(p: string): boolean {
  return p.length >= MIN_PREFIX || p === '.';
}

/** Shortest suffix worth indexing (`.sh`, `.py`: extensions select well). */
const MIN_SUFFIX = 3;

/** Shortest contained text worth indexing: a value is tested for each one (once per
 * distinct value, thanks to the index's per-value cache). */
const MIN_CONTAINS = 4;

/** What every value a wildcard pattern matches holds: its literal prefix (into `prefixes`),
 * suffix (`suffixes`) or contained text (`contains`). */
interface PatternLiteral {
  kind: 'prefixes' | 'suffixes' | 'contains';
  text: string;
}

/**
 * From a wildcard pattern's literal runs (the texts around its wildcards, in order: at least
 * two): the first run, the value's prefix (`abc*`, `/proc/<*>/fd/<*>`; `.*`, a hidden binary
 * or file in many Linux rules, is the one single-character prefix kept); else the last, its
 * suffix (`*.cgi`, `php*.fcgi`); else the longest, text it contains (`*containerd.sock*`,
 * `?memfd:*`); undefined when each is too short to select anything or not `literal` (EQL
 * patterns keep their escapes: a run holding one is not used).
 */
function patternLiteral(
  runs: readonly string[],
  literal: (run: string) => boolean,
): PatternLiteral | undefined {
  const first = runs[0];
  if (usablePrefix(first) && literal(first)) return { kind: 'prefixes', text: first };
  const last = runs[runs.length - 1];
  if (last.length >= MIN_SUFFIX && literal(last)) return { kind: 'suffixes', text: last };
  let longest = '';
  for (const run of runs) if (run.length > longest.length) longest = run;
  return longest.length >= MIN_CONTAINS && literal(longest) ? { kind: 'contains', text: longest } : undefined;
}

/** Fields with too few distinct values to select anything. */
const UNSELECTIVE = new Set([
  'event.type',
  'event.category',
  'event.kind',
  'event.module',
  'event.dataset',
  'event.outcome',
  'event.provider',
  'host.os.type',
  'host.os.family',
  'host.os.name',
  'host.os.platform',
  'data_stream.type',
  'data_stream.dataset',
  'data_stream.namespace',
  'agent.type',
  'ecs.version',
  'user.name',
  'user.id',
]);

/** Values shared by most events of their category: a hint naming one selects nearly all. */
const COMMON_VALUES: Record<string, ReadonlySet<string>> = {
  'event.action': new Set(
    [
      'exec',
      'exec_event',
      'executed',
      'start',
      'fork',
      'fork_event',
      'end',
      'ProcessRollup2',
      'process_started',
      'connection_attempted',
      'connection_accepted',
      'disconnect_received',
      'creation',
      'deletion',
      'rename',
      'modification',
      'overwrite',
      'open',
      'opened-file',
      'changed-file',
      'deleted',
      'created',
      'connected-to',
      'lookup_requested',
      'lookup_result',
      'log_on',
      'logged-in',
    ].map((v) => v.toLowerCase()),
  ),
};

function common(field: string, values: readonly string[]): boolean {
  const set = COMMON_VALUES[field];
  return set !== undefined && values.some((v) => set.has(v.toLowerCase()));
}

/** Fields whose values are common (`-c`, `-i`): usable, but less selective per value. */
const WEIGHT: Record<string, number> = { 'process.args': 6, 'process.parent.args': 6 };

/** KQL matches `field: value` exactly only on keyword fields: hints only for these. */
const KQL_KEYWORD_FIELDS = new Set([
  'process.name',
  'process.parent.name',
  'process.executable',
  'process.parent.executable',
  'process.args',
  'process.parent.args',
  'file.name',
  'file.extension',
  'file.path',
  'dns.question.name',
  'service.name',
]);

type Hint = LiteralKey[];

/** A literal safe to index: a string that no numeric or boolean coercion can equal otherwise. */
function usable(v: unknown): v is string {
  if (typeof v !== 'string' || v === '') return false;
  // Numeric text may equal a number of another spelling (`22` vs `22.0`): not indexed.
  if (!Number.isNaN(Number(v)) || v === 'true' || v === 'false') return false;
  return true;
}

function cost(h: Hint): number {
  // A prefix selects more than a value: weigh it as a few values.
  return h.reduce(
    (n, k) =>
      n +
      (k.values.length +
        3 * (k.prefixes?.length ?? 0) +
        3 * (k.suffixes?.length ?? 0) +
        5 * (k.contains?.length ?? 0)) *
        (WEIGHT[k.field] ?? 1),
    0,
  );
}

/** A hint naming a value most events have is no hint. */
function selective(h: Hint | undefined): Hint | undefined {
  return h &&
    h.some(
      (k) =>
        common(k.field, k.values) ||
        (k.prefixes !== undefined && common(k.field, k.prefixes)) ||
        (k.suffixes !== undefined && common(k.field, k.suffixes)) ||
        (k.contains !== undefined && common(k.field, k.contains)),
    )
    ? undefined
    : h;
}

function best(hints: Array<Hint | undefined>): Hint | undefined {
  let out: Hint | undefined;
  for (const raw of hints) {
    const h = selective(raw);
    if (h && (!out || cost(h) < cost(out))) out = h;
  }
  return out;
}

function all(hints: Array<Hint | undefined>): Hint | undefined {
  const out: Hint = [];
  for (const raw of hints) {
    const h = selective(raw);
    if (!h) return undefined;
    out.push(...h);
  }
  return out.length > 0 ? out : undefined;
}

// ---- EQL ----

interface EqlNode {
  kind: string;
  [k: string]: unknown;
}

function eqlField(n: unknown): string | undefined {
  const node = n as EqlNode;
  if (node?.kind !== 'field' || node.optional === true) return undefined;
  const path = node.path as string;
  return UNSELECTIVE.has(path) ? undefined : path;
}

function eqlHint(node: EqlNode): Hint | undefined {
  switch (node.kind) {
    case 'and':
      return best((node.operands as EqlNode[]).map(eqlHint));
    case 'or':
      return all((node.operands as EqlNode[]).map(eqlHint));
    case 'compare': {
      if (node.op !== '==') return undefined;
      const l = node.left as EqlNode;
      const r = node.right as EqlNode;
      const [f, lit] = l.kind === 'field' ? [l, r] : [r, l];
      const field = eqlField(f);
      if (!field || lit.kind !== 'literal' || !usable(lit.value)) return undefined;
      return [{ field, caseInsensitive: false, values: [lit.value] }];
    }
    case 'in': {
      if (node.negated) return undefined;
      const field = eqlField(node.value);
      const list = node.list as EqlNode[];
      if (!field || list.length === 0 || !list.every((x) => x.kind === 'literal' && usable(x.value)))
        return undefined;
      return [
        { field, caseInsensitive: node.caseInsensitive === true, values: list.map((x) => x.value as string) },
      ];
    }
    case 'pattern': {
      if (node.op === 'regex') return regexHint(node);
      const field = eqlField(node.value);
      const patterns = (node.patterns as EqlNode[]).map((p) => p.value);
      if (!field || patterns.length === 0 || !patterns.every((v) => typeof v === 'string')) return undefined;
      const values: string[] = [];
      const lists: Record<PatternLiteral['kind'], string[]> = { prefixes: [], suffixes: [], contains: [] };
      for (const v of patterns as string[]) {
        if (!v.includes('*') && !v.includes('?')) {
          if (!usable(v)) return undefined;
          values.push(v);
          continue;
        }
        const found = patternLiteral(v.split(/[*?]/), (run) => !run.includes('\\'));
        if (found === undefined) return undefined;
        lists[found.kind].push(found.text);
      }
      const key: LiteralKey = {
        field,
        caseInsensitive: node.caseInsensitive === true || node.op === 'seq',
        values,
      };
      if (lists.prefixes.length > 0) key.prefixes = lists.prefixes;
      if (lists.suffixes.length > 0) key.suffixes = lists.suffixes;
      if (lists.contains.length > 0) key.contains = lists.contains;
      return [key];
    }
    default:
      return undefined;
  }
}

/** A rule's literal hint. `gated`: the hint covers only the stages that can start a
 * sequence (leading missing stages and the first positive one); the other stages matter only
 * while the rule has pending state, which the engine checks per partition. */
export interface RuleLiteralHint {
  keys: LiteralKey[];
  gated: boolean;
}

function conditionOf(stage: EqlNode): EqlNode {
  return (stage.filter as EqlNode).condition as EqlNode;
}

function categoryOf(stage: EqlNode): string | null {
  const category = (stage.filter as EqlNode).category;
  return typeof category === 'string' ? category.toLowerCase() : null;
}

/** The stage's hint, its keys marked with the stage's category (`byCategory`: the rule's
 * categories are read from `event.category`). */
function stageHint(stage: EqlNode, byCategory: boolean): Hint | undefined {
  const h = eqlHint(conditionOf(stage));
  const category = byCategory ? categoryOf(stage) : null;
  return h && category !== null ? h.map((k) => ({ ...k, category })) : h;
}

/** `byCategory`: stage categories are tested on `event.category`; else keys carry none. */
function eqlRuleHint(query: string, byCategory: boolean): RuleLiteralHint | undefined {
  const q = parseEql(query) as unknown as EqlNode;
  if (q.kind === 'event') {
    const keys = selective(stageHint(q, byCategory));
    return keys ? { keys, gated: false } : undefined;
  }
  if (q.kind !== 'sequence') return undefined;
  const stages = q.stages as EqlNode[];
  const until = q.until ? [q.until as EqlNode] : [];
  const full = all([...stages, ...until].map((st) => stageHint(st, byCategory)));
  if (full) return { keys: full, gated: false };
  const firstPositive = stages.findIndex((st) => st.missing !== true);
  if (firstPositive < 0) return undefined;
  const starting = all(stages.slice(0, firstPositive + 1).map((st) => stageHint(st, byCategory)));
  return starting ? { keys: starting, gated: true } : undefined;
}

/**
 * `field regex "..."`: the literal text every match starts with (`regexLiterals`, which gives
 * none for what it does not fully understand), for each pattern of the list. Under `regex~`
 * RE2 folds case the Unicode way (`ſ` matches `s`, the Kelvin sign `k`), which the index's
 * lower-casing does not: a case-insensitive prefix is kept only in ASCII without `k` or `s`.
 */
function regexHint(node: EqlNode): Hint | undefined {
  const field = eqlField(node.value);
  const patterns = (node.patterns as EqlNode[]).map((p) => p.value);
  if (!field || patterns.length === 0) return undefined;
  const ci = node.caseInsensitive === true;
  const prefixes: string[] = [];
  for (const v of patterns) {
    if (typeof v !== 'string') return undefined;
    const prefix = regexLiterals(v).prefix;
    if (!usablePrefix(prefix)) return undefined;
    if (ci && !/^[\x20-\x7e]*$/.test(prefix)) return undefined;
    if (ci && /[ks]/i.test(prefix)) return undefined;
    prefixes.push(prefix);
  }
  return [{ field, caseInsensitive: ci, values: [], prefixes }];
}

// ---- KQL ----

interface KqlLit {
  text: string;
  quoted: boolean;
  keyword?: string;
  wildcard?: unknown[];
}
type KqlNode =
  | { type: 'and' | 'or'; args: KqlNode[] }
  | { type: 'is'; field: KqlLit | null; value: KqlLit }
  | { type: string };

function kqlHint(node: KqlNode): Hint | undefined {
  if (node.type === 'and') return best((node as { args: KqlNode[] }).args.map(kqlHint));
  if (node.type === 'or') return all((node as { args: KqlNode[] }).args.map(kqlHint));
  if (node.type !== 'is') return undefined;
  const { field, value } = node as { field: KqlLit | null; value: KqlLit };
  if (!field || field.wildcard || !KQL_KEYWORD_FIELDS.has(field.text)) return undefined;
  if (value.keyword) return undefined;
  if (value.wildcard) {
    const key = kqlPatternKey(field.text, value.wildcard);
    return key ? [key] : undefined;
  }
  if (!usable(value.text)) return undefined;
  return [{ field: field.text, caseInsensitive: false, values: [value.text] }];
}

/** A KQL wildcard value's key (see patternLiteral): its parts are unescaped literal text and
 * `*` markers, so every run is literal as it is (an escaped star included). */
function kqlPatternKey(field: string, parts: readonly unknown[]): LiteralKey | undefined {
  const runs = [''];
  for (const part of parts) {
    if (typeof part === 'string') runs[runs.length - 1] += part;
    else runs.push('');
  }
  const found = patternLiteral(runs, () => true);
  return found && { field, caseInsensitive: false, values: [], [found.kind]: [found.text] };
}

/** Literal hints for a rule; undefined when none can be proven. */
export function literalHintsOf(rule: CompiledRule): RuleLiteralHint | undefined {
  const own = rule.prefilter.literals;
  if (own && own.values.length > 0)
    return {
      keys: [{ field: own.field, caseInsensitive: own.caseInsensitive === true, values: [...own.values] }],
      gated: false,
    };
  const query = rule.meta.query;
  if (!query || query.trim() === '') return undefined;
  try {
    // Stage categories are tested on event.category unless Kibana's event_category_override
    // names another field.
    const override = rule.meta.event_category_override;
    if (rule.matcher.kind === 'eql')
      return eqlRuleHint(query, override === undefined || override === 'event.category');
    if (rule.meta.language === 'kuery' || rule.meta.language === undefined) {
      const keys = selective(kqlHint(parseKql(query) as KqlNode));
      return keys ? { keys, gated: false } : undefined;
    }
  } catch {
    // A query the parsers reject never compiled either; no hint.
  }
  return undefined;
}

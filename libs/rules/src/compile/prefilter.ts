/**
 * Pre-filter hints: cheap facts an event must satisfy for a rule to possibly match, so the
 * engine can index rules by event category. Hints must never reject an event the rule would
 * match: when the analysis is unsure it returns no hint.
 */
import type { PrefilterHints } from '../compiled-rule';

/**
 * Categories from EQL stages: every stage (including `until` and missing-event stages, whose
 * events change the outcome) must name a category; any stage reading `any` (null) means no
 * constraint.
 */
export function categoriesFromStages(categories: ReadonlyArray<string | null | undefined>): PrefilterHints {
  if (categories.length === 0) return {};
  const out = new Set<string>();
  for (const c of categories) {
    if (c === null || c === undefined || c === '' || c === 'any') return {};
    out.add(c.toLowerCase());
  }
  return { categories: [...out].sort() };
}

interface Segment {
  text: string;
}

/**
 * Splits a KQL query at top-level boolean keywords. Returns undefined when the query has a
 * top-level `or` (then no single conjunct is required) or unbalanced quotes / brackets.
 */
function topLevelConjuncts(query: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  let i = 0;
  const isBoundary = (ch: string | undefined): boolean =>
    ch === undefined || ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '(' || ch === ')';
  while (i < query.length) {
    const ch = query[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
      i++;
      continue;
    }
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '"') inQuote = true;
    else if (ch === '(' || ch === '{') depth++;
    else if (ch === ')' || ch === '}') {
      depth--;
      if (depth < 0) return undefined;
    } else if (depth === 0 && isBoundary(query[i - 1])) {
      const word = query.slice(i, i + 4).toLowerCase();
      if (word.startsWith('or') && isBoundary(query[i + 2])) return undefined;
      if (word.startsWith('and') && isBoundary(query[i + 3])) {
        segments.push({ text: query.slice(start, i) });
        i += 3;
        start = i;
        continue;
      }
    }
    i++;
  }
  if (inQuote || depth !== 0) return undefined;
  segments.push({ text: query.slice(start) });
  return segments;
}

/** A plain KQL value: a bare word without wildcards or escapes, or a quoted string. */
function literalValue(text: string): string | undefined {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    const inner = t.slice(1, -1);
    return inner.includes('"') || inner.includes('\\') ? undefined : inner;
  }
  if (t === '' || /[\s*?\\"(){}:<>]/.test(t)) return undefined;
  const lower = t.toLowerCase();
  if (lower === 'and' || lower === 'or' || lower === 'not') return undefined;
  return t;
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** `v` or `(v1 or v2 or ...)` → the literal values; undefined for anything else. */
function literalValues(text: string): string[] | undefined {
  const t = text.trim();
  if (!(t.startsWith('(') && t.endsWith(')'))) {
    const v = literalValue(t);
    return v === undefined ? undefined : [v];
  }
  const inner = t.slice(1, -1);
  // Split on " or " outside quotes; any other operator inside means "not sure".
  const parts: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === '"') inQuote = !inQuote;
    if (inQuote) continue;
    if (isSpace(ch) && inner.slice(i + 1, i + 3).toLowerCase() === 'or' && isSpace(inner[i + 3])) {
      parts.push(inner.slice(start, i));
      i += 3;
      start = i;
    }
  }
  parts.push(inner.slice(start));
  const values: string[] = [];
  for (const p of parts) {
    const v = literalValue(p);
    if (v === undefined) return undefined;
    values.push(v);
  }
  return values.length > 0 ? values : undefined;
}

/**
 * Categories a KQL query requires: from top-level conjuncts `event.category:<literal>` or
 * `event.category:(<a> or <b>)`. Any doubt (top-level `or`, wildcards, negation) → no hint.
 */
export function categoriesFromKql(query: string): PrefilterHints {
  const conjuncts = topLevelConjuncts(query);
  if (!conjuncts) return {};
  let required: Set<string> | undefined;
  for (const { text } of conjuncts) {
    const t = text.trim();
    if (!t.startsWith('event.category')) continue;
    const rest = t.slice('event.category'.length).trimStart();
    if (!rest.startsWith(':')) continue;
    const values = literalValues(rest.slice(1));
    if (!values) continue;
    const set = new Set(values.map((v) => v.toLowerCase()));
    required = required ? new Set([...required].filter((v) => set.has(v))) : set;
  }
  if (!required || required.size === 0) return {};
  return { categories: [...required].sort() };
}

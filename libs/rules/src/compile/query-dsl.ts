/**
 * The Kibana query-DSL filters rules carry in `filters` (the filter pills of the rule's
 * query bar), evaluated on single documents.
 *
 * A filter is `{meta: {negate, disabled, type, ...}, query: {<clause>}}` (or, in older exports,
 * the clause at the top level beside `meta`: `{meta, exists: {...}}`). Kibana ANDs enabled
 * filters with the rule query, wrapping negated ones in `must_not`; combined filters
 * (`meta.type: combined`) join their `meta.params` filters with `meta.relation` AND / OR.
 *
 * Supported clauses: bool (must / filter / should / must_not / minimum_should_match),
 * match_phrase, match, term, terms, exists, range, wildcard, prefix, match_all, match_none.
 * Anything else is rejected with the path of the clause, never silently ignored. Without index
 * mappings, text-like clauses compare exactly (keyword semantics; see ../exceptions/values).
 */
import { getFieldValues } from '@sequent/ecs';
import type { Condition } from '../compiled-rule';
import { compareScalars, scalarEquals, scalarText, scalarValues, type Scalar } from '../exceptions/values';
import { compileWildcard } from '../exceptions/wildcard';

export type IssuePath = Array<string | number>;

/** A filter the evaluator cannot honour, with where it is and what was expected there. */
export interface DslIssue {
  path: IssuePath;
  expected: string;
  got: unknown;
}

class DslError extends Error {
  constructor(readonly issue: DslIssue) {
    super(`expected ${issue.expected}`);
  }
}

const SUPPORTED =
  'one of bool, match_phrase, match, term, terms, exists, range, wildcard, prefix, match_all, match_none';
const always: Condition = () => true;
const never: Condition = () => false;

function fail(path: IssuePath, expected: string, got: unknown): never {
  throw new DslError({ path, expected, got });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Compiles a rule's `filters` array. `basePath` prefixes issue paths (e.g. `['filters']`). */
export function compileKibanaFilters(
  filters: readonly unknown[],
  basePath: IssuePath = ['filters'],
): { condition: Condition; issues: DslIssue[] } {
  const issues: DslIssue[] = [];
  const conditions: Condition[] = [];
  filters.forEach((f, i) => {
    try {
      const c = compileFilter(f, [...basePath, i]);
      if (c) conditions.push(c);
    } catch (err) {
      if (err instanceof DslError) issues.push(err.issue);
      else throw err;
    }
  });
  return { condition: and(conditions), issues };
}

/** One filter pill; undefined when it is disabled (Kibana skips those). */
function compileFilter(filter: unknown, path: IssuePath): Condition | undefined {
  if (!isRecord(filter)) fail(path, 'a filter object', filter);
  const meta = filter.meta === undefined ? {} : filter.meta;
  if (!isRecord(meta)) fail([...path, 'meta'], 'an object', meta);
  if (meta.disabled !== undefined && typeof meta.disabled !== 'boolean')
    fail([...path, 'meta', 'disabled'], 'true or false', meta.disabled);
  if (meta.negate !== undefined && typeof meta.negate !== 'boolean')
    fail([...path, 'meta', 'negate'], 'true or false', meta.negate);
  if (meta.disabled === true) return undefined;

  let condition: Condition;
  if (filter.query !== undefined) {
    condition = compileQuery(filter.query, [...path, 'query']);
  } else if (meta.type === 'combined') {
    condition = compileCombined(meta, [...path, 'meta']);
  } else {
    const clauseKeys = Object.keys(filter).filter((k) => k !== 'meta' && k !== '$state');
    if (clauseKeys.length !== 1) fail(path, 'a "query" (or one query clause beside "meta")', clauseKeys);
    const key = clauseKeys[0];
    condition = compileQuery({ [key]: filter[key] }, path);
  }
  return meta.negate === true ? not(condition) : condition;
}

function compileCombined(meta: Record<string, unknown>, path: IssuePath): Condition {
  const relation = meta.relation ?? 'AND';
  if (relation !== 'AND' && relation !== 'OR') fail([...path, 'relation'], '"AND" or "OR"', relation);
  if (!Array.isArray(meta.params)) fail([...path, 'params'], 'an array of filters', meta.params);
  const parts = meta.params
    .map((p, i) => compileFilter(p, [...path, 'params', i]))
    .filter((c): c is Condition => c !== undefined);
  return relation === 'AND' ? and(parts) : or(parts);
}

function and(parts: Condition[]): Condition {
  if (parts.length === 0) return always;
  if (parts.length === 1) return parts[0];
  return (doc) => parts.every((c) => c(doc));
}

function or(parts: Condition[]): Condition {
  if (parts.length === 0) return never;
  if (parts.length === 1) return parts[0];
  return (doc) => parts.some((c) => c(doc));
}

function not(c: Condition): Condition {
  return (doc) => !c(doc);
}

/** Compiles one query clause `{<type>: body}`. */
export function compileQuery(query: unknown, path: IssuePath): Condition {
  if (!isRecord(query)) fail(path, 'a query object', query);
  const keys = Object.keys(query);
  if (keys.length !== 1) fail(path, `exactly one query clause (${SUPPORTED})`, keys);
  const type = keys[0];
  const body = query[type];
  const at = [...path, type];
  switch (type) {
    case 'match_all':
      return always;
    case 'match_none':
      return never;
    case 'bool':
      return compileBool(body, at);
    case 'match_phrase':
    case 'match':
    case 'term':
      return compileEquality(type, body, at);
    case 'terms':
      return compileTerms(body, at);
    case 'exists': {
      if (!isRecord(body) || typeof body.field !== 'string' || body.field === '')
        fail([...at, 'field'], 'a field name', isRecord(body) ? body.field : body);
      const field = body.field;
      return (doc) => getFieldValues(doc, field).length > 0;
    }
    case 'range':
      return compileRange(body, at);
    case 'wildcard':
    case 'prefix':
      return compilePattern(type, body, at);
    default:
      return fail(path, `a supported query clause (${SUPPORTED})`, type);
  }
}

function clauseList(v: unknown, path: IssuePath): Condition[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.map((q, i) => compileQuery(q, [...path, i]));
  return [compileQuery(v, path)];
}

function compileBool(body: unknown, path: IssuePath): Condition {
  if (!isRecord(body)) fail(path, 'an object', body);
  for (const k of Object.keys(body)) {
    if (!['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', '_name'].includes(k))
      fail([...path, k], 'one of must, filter, should, must_not, minimum_should_match', k);
  }
  const required = [
    ...clauseList(body.must, [...path, 'must']),
    ...clauseList(body.filter, [...path, 'filter']),
  ];
  const excluded = clauseList(body.must_not, [...path, 'must_not']);
  const should = clauseList(body.should, [...path, 'should']);
  // Elasticsearch: with no must/filter clause, at least one should clause must match;
  // otherwise should clauses are optional unless minimum_should_match says otherwise.
  let minShould = required.length === 0 && should.length > 0 ? 1 : 0;
  const msm = body.minimum_should_match;
  if (msm !== undefined) {
    const n =
      typeof msm === 'number' ? msm : typeof msm === 'string' && /^\d{1,4}$/.test(msm) ? Number(msm) : NaN;
    if (!Number.isInteger(n) || n < 0) fail([...path, 'minimum_should_match'], 'a non-negative integer', msm);
    minShould = n;
  }
  return (doc) => {
    for (const c of required) if (!c(doc)) return false;
    for (const c of excluded) if (c(doc)) return false;
    if (minShould === 0) return true;
    let hits = 0;
    for (const c of should) if (c(doc) && ++hits >= minShould) return true;
    return false;
  };
}

/** `{field: value}` or `{field: {<valueKey>: value, ...options}}`. */
function singleField(
  body: unknown,
  path: IssuePath,
  valueKeys: string[],
): { field: string; value: unknown; options: Record<string, unknown> } {
  if (!isRecord(body)) fail(path, 'an object naming one field', body);
  const fields = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) fail(path, 'exactly one field', fields);
  const field = fields[0];
  const raw = body[field];
  if (!isRecord(raw)) return { field, value: raw, options: {} };
  const key = valueKeys.find((k) => raw[k] !== undefined);
  if (!key) fail([...path, field], `an object with ${valueKeys.map((k) => `"${k}"`).join(' or ')}`, raw);
  return { field, value: raw[key], options: raw };
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function compileEquality(type: string, body: unknown, path: IssuePath): Condition {
  const { field, value, options } = singleField(body, path, type === 'term' ? ['value'] : ['query']);
  if (!isScalar(value)) fail([...path, field], 'a string, number or boolean value', value);
  if (
    type === 'match' &&
    options.operator !== undefined &&
    options.operator !== 'or' &&
    options.operator !== 'and'
  )
    fail([...path, field, 'operator'], '"and" or "or"', options.operator);
  const caseInsensitive = type === 'term' && options.case_insensitive === true;
  if (caseInsensitive && typeof value === 'string') {
    const lower = value.toLowerCase();
    return (doc) => scalarValues(doc, field).some((v) => scalarText(v).toLowerCase() === lower);
  }
  return (doc) => scalarValues(doc, field).some((v) => scalarEquals(v, value));
}

function compileTerms(body: unknown, path: IssuePath): Condition {
  if (!isRecord(body)) fail(path, 'an object naming one field', body);
  const fields = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) fail(path, 'exactly one field', fields);
  const field = fields[0];
  const values = body[field];
  if (!Array.isArray(values) || !values.every(isScalar))
    fail([...path, field], 'an array of values (terms lookups are not supported)', values);
  return (doc) => scalarValues(doc, field).some((v) => values.some((lit) => scalarEquals(v, lit)));
}

function compileRange(body: unknown, path: IssuePath): Condition {
  if (!isRecord(body)) fail(path, 'an object naming one field', body);
  const fields = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) fail(path, 'exactly one field', fields);
  const field = fields[0];
  const spec = body[field];
  if (!isRecord(spec)) fail([...path, field], 'an object with gt / gte / lt / lte', spec);
  const bounds: Array<{ op: 'gt' | 'gte' | 'lt' | 'lte'; value: Scalar }> = [];
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'format' || k === 'time_zone' || k === 'boost' || k === 'relation') continue;
    if (k !== 'gt' && k !== 'gte' && k !== 'lt' && k !== 'lte')
      fail([...path, field, k], 'gt, gte, lt or lte', k);
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' && v.startsWith('now'))
      fail([...path, field, k], 'a number or an absolute date (date math is not supported)', v);
    if (typeof v !== 'number' && typeof v !== 'string')
      fail([...path, field, k], 'a number or a date string', v);
    bounds.push({ op: k, value: v });
  }
  const inRange = (v: Scalar): boolean =>
    bounds.every(({ op, value }) => {
      const c = compareScalars(v, value);
      if (c === undefined) return false;
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    });
  return (doc) => scalarValues(doc, field).some(inRange);
}

function compilePattern(type: 'wildcard' | 'prefix', body: unknown, path: IssuePath): Condition {
  const { field, value, options } = singleField(
    body,
    path,
    type === 'wildcard' ? ['value', 'wildcard'] : ['value'],
  );
  if (typeof value !== 'string') fail([...path, field], 'a string pattern', value);
  const caseInsensitive = options.case_insensitive === true;
  if (type === 'prefix') {
    const prefix = caseInsensitive ? value.toLowerCase() : value;
    return (doc) =>
      scalarValues(doc, field).some((v) =>
        (caseInsensitive ? scalarText(v).toLowerCase() : scalarText(v)).startsWith(prefix),
      );
  }
  const matcher = compileWildcard(value, caseInsensitive);
  return (doc) => scalarValues(doc, field).some((v) => matcher(scalarText(v)));
}

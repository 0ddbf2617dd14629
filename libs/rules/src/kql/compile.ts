/**
 * Compiles KQL to a document predicate with Elasticsearch's semantics (see ./values for
 * how one value matches). Fields are read through `@sequent/ecs`: dotted paths over nested
 * objects and literal dotted keys, arrays match when any element matches, a missing field
 * matches nothing (and `not` of it matches).
 *
 * - `field:{ query }` (nested) matches when one element of `field` matches the whole inner
 *   query; inner field names are relative to `field`.
 * - Field names with `*` and free text (no field) search every field of the document (and
 *   the mapping's `constant_keyword` fields), leniently: fields whose type cannot hold the
 *   value are skipped, as Kibana's free-text queries do.
 */
import { getFieldValues, isForbiddenSegment } from '@sequent/ecs';
import type { Condition } from '../compiled-rule';
import { isLoneWildcard } from './ast';
import type { KqlLiteral, KqlNode } from './ast';
import { parseKql } from './parser';
import { LOOSE, normalizeMapping, withEcsDefaults } from './mapping';
import type { FieldType, KqlMapping } from './mapping';
import { KqlQueryError, isTest, parseNumber, rangeTest } from './values';
import { isDateMath } from './dates';
import type { Clock, ValueTest } from './values';
import { compileKqlWildcard } from './wildcard';
import { adaptiveJunction } from '../eql/adaptive-junction';
import { compileEqlFieldGetter, memoizedPerEvent } from '../eql/field-access';

export interface KqlCompileOptions {
  /** Field types by full dotted path (`{"ip": "ip", "msg": "text"}`); unmapped fields are
   * compared exactly (keyword-like, numbers by value, CIDR blocks against IP strings). */
  mapping?: KqlMapping;
  /** Add ECS's field types under `mapping` (full-text `message`, `*.text` multi-fields,
   * IP and date fields), as the indices Kibana runs rules against map them. A value such a
   * default type cannot hold falls back to exact matching instead of rejecting the query. */
  ecs?: boolean;
  /** The clock for `now` in date math, ms since the epoch (default: the wall clock when a
   * document is evaluated). */
  now?: number | (() => number);
}

interface Scope {
  types: Map<string, FieldType>;
  /** Path of the enclosing nested scopes (`courses.sessions.`), for mapping lookups. */
  prefix: string;
  now: Clock;
  /** ECS defaults: `x.text` reads `x` as text when the mapping does not name it. */
  ecs: boolean;
  /** Set when leaves may be shared with other queries compiled alike (see `sharedLeaf`). */
  shareKey?: string;
}

/**
 * Leaves (`field: value`, ranges, exists, value sets) are shared by every query compiled with
 * the same mapping and clock that has the same leaf, and memoized per event inside an event
 * scope (see ../eql/field-access): the rules an event reaches mostly repeat `host.os.type`,
 * `event.category` and `event.action` tests, which then run once per event. Only queries
 * compiled without a custom mapping or clock share; very long leaves are not shared.
 */
const sharedLeaves = new Map<string, Condition>();
const MAX_SHARED_KEY = 4096;
const MAX_SHARED_LEAVES = 50_000;

function sharedLeaf(scope: Scope, leaf: unknown, build: () => Condition): Condition {
  if (scope.shareKey === undefined) return build();
  const key = scope.shareKey + scope.prefix + '\u0000' + JSON.stringify(leaf);
  if (key.length > MAX_SHARED_KEY) return build();
  let test = sharedLeaves.get(key);
  if (!test) {
    test = memoizedPerEvent(build());
    if (sharedLeaves.size < MAX_SHARED_LEAVES) sharedLeaves.set(key, test);
  }
  return test;
}

const KEYWORD_SUBFIELD: FieldType = { kind: 'keyword', name: 'keyword' };

const ECS_TEXT_SUBFIELD: FieldType = { kind: 'text', name: 'match_only_text', soft: true };

function typeOf(scope: Scope, path: string): FieldType {
  const t = scope.types.get(scope.prefix + path);
  if (t) return t;
  if (keywordSubfieldBase(scope, path) !== undefined) return KEYWORD_SUBFIELD;
  return textSubfieldBase(scope, path) !== undefined ? ECS_TEXT_SUBFIELD : LOOSE;
}

/** ECS `process.command_line.text` and the like: the text multi-field of a keyword. */
function textSubfieldBase(scope: Scope, path: string): string | undefined {
  if (!scope.ecs || !path.endsWith('.text') || scope.types.has(scope.prefix + path)) return undefined;
  return path.slice(0, -'.text'.length);
}

/**
 * `msg.keyword` where the mapping has the text field `msg` but no `msg.keyword`: the
 * keyword multi-field Elasticsearch's dynamic mapping adds to strings. Its values are the
 * document's `msg`, compared as keywords.
 */
function keywordSubfieldBase(scope: Scope, path: string): string | undefined {
  if (!path.endsWith('.keyword') || scope.types.has(scope.prefix + path)) return undefined;
  const base = path.slice(0, -'.keyword'.length);
  return scope.types.get(scope.prefix + base)?.kind === 'text' ? base : undefined;
}

/** Values of a field: the document's, or the mapping's constant_keyword value. */
function valueReader(scope: Scope, path: string): (doc: unknown) => unknown[] {
  const type = typeOf(scope, path);
  if (type.constant !== undefined) {
    const constant = [type.constant];
    return () => constant;
  }
  const readPath = keywordSubfieldBase(scope, path) ?? textSubfieldBase(scope, path) ?? path;
  const getter = compileEqlFieldGetter(readPath);
  const indexed = INDEX_SEGMENT.test(path) ? indexedGetter(path) : undefined;
  // One value comes back in a scratch list (no allocation per read): callers iterate it at
  // once and never keep it.
  const one: unknown[] = [undefined];
  return (doc) => {
    const v = getter(doc);
    if (v === undefined || (Array.isArray(v) && v.length === 0)) return indexed ? indexed(doc) : NO_VALUES;
    if (Array.isArray(v)) return v;
    one[0] = v;
    return one;
  };
}

const NO_VALUES: unknown[] = [];

const hasOwn = Object.prototype.hasOwnProperty;

const INDEX_SEGMENT = /\[\d+\]|(?:^|\.)\d+(?:\.|$)/;

/**
 * Array positions in a path (`users[0].name`, `users.0.name`): Kibana's in-memory KQL
 * evaluator (Workflows) reads them; Elasticsearch has no such paths. Used only when the
 * path finds nothing the Elasticsearch way, so ordinary documents are unaffected.
 */
function indexedGetter(path: string): (doc: unknown) => unknown[] {
  const segs = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  if (segs.some(isForbiddenSegment)) return () => [];
  return (doc) => {
    let node: unknown = doc;
    for (const seg of segs) {
      if (Array.isArray(node) && /^\d+$/.test(seg)) node = node[Number(seg)];
      else if (node !== null && typeof node === 'object' && !Array.isArray(node) && hasOwn.call(node, seg))
        node = (node as Record<string, unknown>)[seg];
      else return [];
    }
    if (node === undefined || node === null) return [];
    return Array.isArray(node) ? node.filter((x) => x !== null && x !== undefined) : [node];
  };
}

/** Calls `visit` for every scalar leaf of the document with its dotted path. */
function forEachLeaf(
  node: unknown,
  path: string,
  visit: (path: string, value: unknown) => void,
  depth = 0,
): void {
  if (node === null || node === undefined || depth > 64) return;
  if (Array.isArray(node)) {
    for (const el of node) forEachLeaf(el, path, visit, depth + 1);
    return;
  }
  if (typeof node === 'object') {
    for (const key of Object.keys(node)) {
      if (isForbiddenSegment(key)) continue;
      forEachLeaf(
        (node as Record<string, unknown>)[key],
        path === '' ? key : `${path}.${key}`,
        visit,
        depth + 1,
      );
    }
    return;
  }
  if (path !== '') visit(path, node);
}

/** An exact value a set lookup can decide (no wildcard, CIDR block or date math). */
function isSetValue(lit: KqlLiteral, type: FieldType): boolean {
  if (lit.wildcard) return false;
  if (type.kind === 'keyword') return true;
  return type.kind === 'loose' && !lit.text.includes('/') && !isDateMath(lit.text);
}

/**
 * The operands of `or`. Exact values on one field (`process.name:(a or b or c ...)`, the
 * long value lists rules carry) become one set lookup over the field's values instead of
 * one field read per value; everything else compiles as it is.
 */
function compileOrArgs(args: KqlNode[], scope: Scope): Condition[] {
  const byField = new Map<string, KqlLiteral[]>();
  const rest: KqlNode[] = [];
  for (const a of args) {
    if (a.type === 'is' && a.field && !a.field.wildcard && isSetValue(a.value, typeOf(scope, a.field.text))) {
      const list = byField.get(a.field.text) ?? [];
      list.push(a.value);
      byField.set(a.field.text, list);
    } else rest.push(a);
  }
  const parts: Condition[] = [];
  for (const [field, values] of byField) {
    if (values.length < 2) {
      rest.push({ type: 'is', field: { text: field, quoted: false }, value: values[0] });
      continue;
    }
    const loose = typeOf(scope, field).kind === 'loose';
    const texts = new Set(values.map((v) => v.text));
    const numbers = new Set<number>();
    if (loose)
      for (const v of values) {
        const n = parseNumber(v.text);
        if (n !== undefined) numbers.add(n);
      }
    const read = valueReader(scope, field);
    parts.push(
      sharedLeaf(scope, { set: field, values: [...texts] }, () => (doc) => {
        for (const v of read(doc)) {
          if (typeof v === 'string') {
            if (texts.has(v)) return true;
          } else if (typeof v === 'number') {
            if (loose ? numbers.has(v) : texts.has(String(v))) return true;
          } else if (typeof v === 'boolean' || typeof v === 'bigint') {
            if (texts.has(String(v))) return true;
          }
        }
        return false;
      }),
    );
  }
  for (const a of rest) parts.push(compileNode(a, scope));
  return parts;
}

/** Constant-keyword fields of the mapping visible from the scope, by relative path. */
function constantFields(scope: Scope): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [full, t] of scope.types) {
    if (t.constant === undefined || !full.startsWith(scope.prefix)) continue;
    out.push([full.slice(scope.prefix.length), t.constant]);
  }
  return out;
}

/**
 * A test over many fields (wildcard field names, free text): `pathMatches` picks the
 * fields, `testFor` builds the value test for a field type (null: skip the field).
 */
function multiFieldTest(
  scope: Scope,
  pathMatches: (path: string) => boolean,
  testFor: (type: FieldType, path: string) => ValueTest | null,
): Condition {
  const byType = new Map<FieldType, ValueTest | null>();
  const cached = (type: FieldType, path: string): ValueTest | null => {
    if (!byType.has(type)) byType.set(type, testFor(type, path));
    return byType.get(type) ?? null;
  };
  const constants = constantFields(scope).filter(([p]) => pathMatches(p));
  return (doc) => {
    for (const [path, value] of constants) {
      const t = cached(typeOf(scope, path), path);
      if (t && t(value)) return true;
    }
    let found = false;
    forEachLeaf(doc, '', (path, value) => {
      if (found || !pathMatches(path)) return;
      const t = cached(typeOf(scope, path), path);
      if (t && t(value)) found = true;
    });
    return found;
  };
}

function fieldPatternMatcher(field: KqlLiteral): ((path: string) => boolean) | undefined {
  return field.wildcard ? compileKqlWildcard(field.wildcard) : undefined;
}

/**
 * A field-name pattern (`common.*: hello`) expands to every mapped field it names, each
 * queried with its own type, so a value one of them cannot hold is rejected as
 * Elasticsearch rejects it. `*` alone searches all fields leniently, like free text.
 */
function checkMappedFields(
  scope: Scope,
  field: KqlLiteral,
  pattern: (path: string) => boolean,
  strictTest: (type: FieldType, path: string) => unknown,
): void {
  if (isLoneWildcard(field)) return;
  for (const [full, type] of scope.types) {
    if (!full.startsWith(scope.prefix)) continue;
    const rel = full.slice(scope.prefix.length);
    if (type.kind === 'nested' || type.kind === 'object' || !pattern(rel)) continue;
    strictTest(type, full);
  }
}

function anyValue(read: (doc: unknown) => unknown[], test: ValueTest): Condition {
  return (doc) => {
    for (const v of read(doc)) if (test(v)) return true;
    return false;
  };
}

function compileNode(node: KqlNode, scope: Scope): Condition {
  switch (node.type) {
    case 'match_all':
      return () => true;
    // Two-valued, pure parts: they learn which to test first (../eql/adaptive-junction).
    case 'and':
      return adaptiveJunction(
        node.args.map((a) => compileNode(a, scope)),
        false,
      );
    case 'or':
      return adaptiveJunction(compileOrArgs(node.args, scope), true);
    case 'not': {
      const inner = compileNode(node.arg, scope);
      return (doc) => !inner(doc);
    }
    case 'exists':
    case 'is':
    case 'range':
      return sharedLeaf(scope, node, () => compileLeaf(node, scope));
    case 'nested': {
      const path = node.path.text;
      const type = typeOf(scope, path);
      if (type.kind !== 'nested' && type.kind !== 'object' && type.kind !== 'loose')
        throw new KqlQueryError(`Expected a nested field: ${scope.prefix + path} is ${type.name}`);
      const inner = compileNode(node.query, { ...scope, prefix: `${scope.prefix}${path}.` });
      return (doc) => {
        for (const el of getFieldValues(doc, path)) {
          if (el !== null && typeof el === 'object' && !Array.isArray(el) && inner(el)) return true;
        }
        return false;
      };
    }
  }
}

/** A leaf: a test of one field (or of the fields a field-name pattern names). */
function compileLeaf(node: KqlNode & { type: 'exists' | 'is' | 'range' }, scope: Scope): Condition {
  switch (node.type) {
    case 'exists': {
      const pattern = fieldPatternMatcher(node.field);
      if (pattern) return multiFieldTest(scope, pattern, () => () => true);
      const read = valueReader(scope, node.field.text);
      return (doc) => read(doc).length > 0;
    }
    case 'is': {
      if (node.field === null) {
        // Free text: every field, leniently. A lone `*` matches any document with a field.
        if (isLoneWildcard(node.value))
          return multiFieldTest(
            scope,
            () => true,
            () => () => true,
          );
        return multiFieldTest(
          scope,
          () => true,
          (type, path) => isTest(type, node.value, path, scope.now, false),
        );
      }
      const pattern = fieldPatternMatcher(node.field);
      if (pattern) {
        checkMappedFields(scope, node.field, pattern, (type, path) =>
          isTest(type, node.value, path, scope.now, true),
        );
        return multiFieldTest(scope, pattern, (type, path) =>
          isTest(type, node.value, path, scope.now, false),
        );
      }
      const path = node.field.text;
      const test = isTest(typeOf(scope, path), node.value, scope.prefix + path, scope.now, true);
      return test ? anyValue(valueReader(scope, path), test) : () => false;
    }
    case 'range': {
      const pattern = fieldPatternMatcher(node.field);
      if (pattern) {
        checkMappedFields(scope, node.field, pattern, (type, path) =>
          rangeTest(type, node.op, node.value, path, scope.now, true),
        );
        return multiFieldTest(scope, pattern, (type, path) =>
          rangeTest(type, node.op, node.value, path, scope.now, false),
        );
      }
      const path = node.field.text;
      const test = rangeTest(typeOf(scope, path), node.op, node.value, scope.prefix + path, scope.now, true);
      return test ? anyValue(valueReader(scope, path), test) : () => false;
    }
  }
}

/**
 * Compiles a KQL query (text or a parsed tree) to a predicate. Throws `KqlSyntaxError` for
 * a query Kibana's grammar rejects and `KqlQueryError` for values the mapping's field types
 * cannot hold (what Elasticsearch rejects).
 */
export function compileKql(query: string | KqlNode, options: KqlCompileOptions = {}): Condition {
  const ast = typeof query === 'string' ? parseKql(query) : query;
  const now = options.now;
  const clock: Clock =
    typeof now === 'function' ? now : typeof now === 'number' ? () => now : () => Date.now();
  const given = normalizeMapping(options.mapping);
  const types = options.ecs ? withEcsDefaults(given) : given;
  const shareKey =
    options.mapping === undefined && now === undefined ? (options.ecs ? 'ecs:' : 'plain:') : undefined;
  return compileNode(ast, { types, prefix: '', now: clock, ecs: options.ecs === true, shareKey });
}

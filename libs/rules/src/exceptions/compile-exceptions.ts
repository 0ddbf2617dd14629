/**
 * Kibana exception items as a document predicate, with the semantics of Kibana's
 * `build_exception_filter`: an item's entries are ANDed, a rule's items are ORed, and a
 * document that matches any item is excluded from alerting.
 *
 * - `match` / `match_any` are `match_phrase` queries: exact values (see ./values).
 * - `excluded` wraps the entry in `must_not`, so it holds when no value matches, including
 *   when the field is missing.
 * - `wildcard` is an Elasticsearch `wildcard` query (linear-time matcher, ./wildcard).
 * - `list` is a `terms` lookup in a value list (`ip` / `ip_range` / `text` compare accordingly).
 * - `nested` holds when one element of the parent array satisfies every child entry.
 * - `os_types` adds "host.os.type (or host.os.name.caseless) is one of them" to the item.
 * - Items whose `expire_time` has passed are ignored, as Kibana does; comments are ignored.
 */
import { getFieldValues } from '@sequent/ecs';
import type { Condition } from '../compiled-rule';
import type { ExceptionEntry, ExceptionItem, NestedChildEntry } from '../schema/exception-schema';
import { compileValueListMatcher, type ValueLists } from './value-lists';
import { exceptionFieldValues, isCaselessField, scalarEquals, scalarText } from './values';
import { compileWildcard } from './wildcard';

export interface ExceptionContext {
  /** Value lists that `list` entries refer to, by list id. */
  valueLists?: ValueLists;
  /** Epoch ms used to drop expired items (default: load time). */
  now?: number;
}

const never: Condition = () => false;

/** The `isExcepted` predicate for a rule's exception items. Throws on an entry it cannot
 * honour (e.g. a value list that was not loaded), so the rule fails to load loudly. */
export function compileExceptionItems(
  items: readonly ExceptionItem[],
  ctx: ExceptionContext = {},
): Condition {
  const now = ctx.now ?? Date.now();
  const live = items.filter((item) => !isExpired(item, now));
  if (live.length === 0) return never;
  const compiled = live.map((item) => compileExceptionItem(item, ctx));
  return (doc) => {
    for (const c of compiled) if (c(doc)) return true;
    return false;
  };
}

function isExpired(item: ExceptionItem, now: number): boolean {
  if (!item.expire_time) return false;
  const at = Date.parse(item.expire_time);
  return !Number.isNaN(at) && at <= now;
}

export function compileExceptionItem(item: ExceptionItem, ctx: ExceptionContext = {}): Condition {
  const where = `exception item "${item.item_id}" (list "${item.list_id}")`;
  const entries = item.entries.map((e, i) => {
    try {
      return compileEntry(e, ctx);
    } catch (err) {
      throw new Error(`${where}: entries[${i}]: ${(err as Error).message}`);
    }
  });
  const all = allOf(entries);
  if (item.os_types.length === 0) return all;
  const osMatch = osTypeCondition(item.os_types);
  return (doc) => osMatch(doc) && all(doc);
}

function allOf(conditions: Condition[]): Condition {
  if (conditions.length === 1) return conditions[0];
  return (doc) => {
    for (const c of conditions) if (!c(doc)) return false;
    return true;
  };
}

/** Kibana's transformOsType: the OS must match on host.os.type or host.os.name.caseless. */
function osTypeCondition(osTypes: readonly string[]): Condition {
  const wanted = new Set(osTypes);
  return (doc) =>
    exceptionFieldValues(doc, 'host.os.type').some((v) => wanted.has(scalarText(v))) ||
    exceptionFieldValues(doc, 'host.os.name.caseless').some((v) => wanted.has(scalarText(v)));
}

function withOperator(operator: 'included' | 'excluded', matches: Condition): Condition {
  return operator === 'excluded' ? (doc) => !matches(doc) : matches;
}

function compileEntry(entry: ExceptionEntry, ctx: ExceptionContext): Condition {
  switch (entry.type) {
    case 'match':
    case 'match_any':
    case 'exists':
      return compileSimpleEntry(entry);
    case 'wildcard': {
      const caseless = isCaselessField(entry.field);
      const matcher = compileWildcard(entry.value, caseless);
      const field = entry.field;
      return withOperator(entry.operator, (doc) =>
        exceptionFieldValues(doc, field).some((v) => matcher(scalarText(v))),
      );
    }
    case 'list': {
      const list = ctx.valueLists?.get(entry.list.id);
      if (!list) throw new Error(`value list "${entry.list.id}" is not loaded (field ${entry.field})`);
      const inList = compileValueListMatcher(list, entry.list.type);
      const field = entry.field;
      return withOperator(entry.operator, (doc) => exceptionFieldValues(doc, field).some(inList));
    }
    case 'nested': {
      const children = entry.entries.map(compileSimpleEntry);
      const all = allOf(children);
      const parent = entry.field;
      return (doc) =>
        getFieldValues(doc, parent).some((el) => el !== null && typeof el === 'object' && all(el));
    }
  }
}

function compileSimpleEntry(entry: NestedChildEntry): Condition {
  const field = entry.field;
  if (entry.type === 'exists') {
    return withOperator(entry.operator, (doc) => getFieldValues(doc, field).length > 0);
  }
  const fold = isCaselessField(field) ? (s: string) => s.toLowerCase() : (s: string) => s;
  const literals = (entry.type === 'match' ? [entry.value] : entry.value).map(fold);
  return withOperator(entry.operator, (doc) =>
    exceptionFieldValues(doc, field).some((v) => literals.some((lit) => scalarEquals(v, lit))),
  );
}

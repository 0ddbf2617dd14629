/**
 * Value tests: does one field value match a KQL literal, given the field's type? These
 * follow what Elasticsearch does with the query Kibana builds for that type:
 *
 * - `keyword` (and unmapped fields in strict keyword mode): exact, case-sensitive; `*` is a
 *   wildcard (`?` is not special in KQL); numbers and booleans compare as their text.
 * - `text`: the standard analyzer; unquoted values match when any token matches (a `match`
 *   query), quoted ones are phrases, wildcards match single lower-cased tokens.
 * - numbers, dates (with date math and Elasticsearch's rounding), `ip` (CIDR), `boolean`.
 * - unmapped fields (`loose`): what detection-rules' evaluator and Kibana's in-memory
 *   evaluator do without a mapping: exact strings, `number:"1"` matches 1, IPv4/IPv6 CIDR
 *   values match IP strings, and ranges compare as dates, numbers or strings as the values allow.
 *
 * A value that cannot be read as the field's type throws `KqlQueryError` for fielded
 * queries (Elasticsearch rejects the query) and is skipped for free text (Kibana's
 * free-text queries are lenient).
 */
import type { KqlLiteral, RangeOp } from './ast';
import { analyzeStandard, containsPhrase } from './analyzer';
import { docDateMs, isDateMath, resolveDate } from './dates';
import type { FieldType } from './mapping';
import { compileKqlWildcard, splitPartsOnWhitespace } from './wildcard';
import { ipInRange, parseIp, parseIpRange } from '../exceptions/ip';

/** A query Elasticsearch would reject for the field types in the mapping. */
export class KqlQueryError extends Error {
  override name = 'KqlQueryError';
}

export type ValueTest = (v: unknown) => boolean;
export type Clock = () => number;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return parseNumber(v);
  return undefined;
}

/** The text a scalar is indexed as in a keyword field; undefined for objects. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function reject(field: string, type: FieldType, why: string): never {
  throw new KqlQueryError(`Value doesn't match ${field}'s type: ${type.name} (${why})`);
}

function compare(a: number | bigint | string, b: number | bigint | string, op: RangeOp): boolean {
  switch (op) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
  }
}

function tokensOf(v: unknown): string[] | undefined {
  const s = scalarText(v);
  return s === undefined ? undefined : analyzeStandard(s);
}

/** A date bound that depends on the clock only when the text uses `now`. */
function dateBound(text: string, roundUp: boolean, now: Clock): (() => number | undefined) | undefined {
  if (text.trim().startsWith('now')) {
    if (resolveDate(text, roundUp, 0) === undefined) return undefined;
    return () => resolveDate(text, roundUp, now());
  }
  const fixed = resolveDate(text, roundUp, 0);
  return fixed === undefined ? undefined : () => fixed;
}

function ipTermRange(text: string) {
  if (text.includes('-')) return undefined;
  return parseIpRange(text);
}

/**
 * The test for `field: value`. `strict`: throw KqlQueryError when the value cannot be
 * read as the field's type; otherwise return null (the field is skipped).
 */
export function isTest(
  type: FieldType,
  lit: KqlLiteral,
  field: string,
  now: Clock,
  strict: boolean,
): ValueTest | null {
  const text = lit.text;
  const fail = (why: string): ValueTest | null => {
    if (type.soft) return looseIsTest(lit, now);
    if (strict) reject(field, type, why);
    return null;
  };
  switch (type.kind) {
    case 'text': {
      if (lit.wildcard) {
        const pieces = splitPartsOnWhitespace(lit.wildcard).map((ps) => compileKqlWildcard(ps, true));
        if (pieces.length === 0) return () => false;
        return (v) => {
          const tokens = tokensOf(v);
          return tokens !== undefined && pieces.every((m) => tokens.some((t) => m(t)));
        };
      }
      const query = analyzeStandard(text);
      if (query.length === 0) return () => false;
      // A token of the value is a substring of the lower-cased value, so a value that
      // lacks the query's tokens as substrings is rejected without analysing it (only for
      // ASCII query tokens, where lower-casing cannot depend on context).
      const ascii = query.every((t) => /^[\x00-\x7f]*$/.test(t));
      const need = lit.quoted ? 'all' : 'any';
      const mayMatch = (s: string): boolean => {
        if (!ascii) return true;
        const lower = s.toLowerCase();
        return need === 'all' ? query.every((t) => lower.includes(t)) : query.some((t) => lower.includes(t));
      };
      if (lit.quoted) {
        return (v) => {
          const s = scalarText(v);
          return s !== undefined && mayMatch(s) && containsPhrase(analyzeStandard(s), query);
        };
      }
      const wanted = new Set(query);
      return (v) => {
        const s = scalarText(v);
        return s !== undefined && mayMatch(s) && analyzeStandard(s).some((t) => wanted.has(t));
      };
    }
    case 'keyword': {
      if (lit.wildcard) {
        const m = compileKqlWildcard(lit.wildcard);
        return (v) => {
          const s = scalarText(v);
          return s !== undefined && m(s);
        };
      }
      return (v) => scalarText(v) === text;
    }
    case 'number': {
      if (lit.wildcard) return fail('wildcards apply only to keyword and text fields');
      const n = parseNumber(text);
      if (n === undefined) return fail(`"${text}" is not a number`);
      return (v) => toNumber(v) === n;
    }
    case 'date': {
      if (lit.wildcard) return fail('wildcards apply only to keyword and text fields');
      const lo = dateBound(text, false, now);
      const hi = dateBound(text, true, now);
      if (!lo || !hi) return fail(`"${text}" is not a date`);
      return (v) => {
        const d = docDateMs(v);
        if (d === undefined) return false;
        const a = lo();
        const b = hi();
        return a !== undefined && b !== undefined && d >= a && d <= b;
      };
    }
    case 'ip': {
      if (lit.wildcard) return fail('wildcards apply only to keyword and text fields');
      const range = ipTermRange(text);
      if (!range) return fail(`"${text}" is not an IP address or CIDR block`);
      return (v) => {
        const s = scalarText(v);
        const ip = s === undefined ? undefined : parseIp(s);
        return ip !== undefined && ipInRange(ip, range);
      };
    }
    case 'boolean': {
      if (lit.wildcard) return fail('wildcards apply only to keyword and text fields');
      if (text !== 'true' && text !== 'false') return fail(`"${text}" is not a boolean`);
      const want = text === 'true';
      return (v) => v === want || v === text;
    }
    case 'nested':
    case 'object':
      return fail('an object field has no value of its own; use field:{ ... }');
    case 'loose':
      return looseIsTest(lit, now);
  }
}

/** Unmapped fields: exact text, numbers by value, booleans by name, CIDR blocks for IPs. */
function looseIsTest(lit: KqlLiteral, now: Clock): ValueTest {
  if (lit.wildcard) {
    const m = compileKqlWildcard(lit.wildcard);
    return (v) => {
      const s = scalarText(v);
      return s !== undefined && m(s);
    };
  }
  const text = lit.text;
  const num = parseNumber(text);
  const cidr = text.includes('/') ? parseIpRange(text) : undefined;
  // Date math equality (`timestamp: now-1d`), as Kibana's in-memory evaluator reads it.
  const instant = isDateMath(text) ? dateBound(text, false, now) : undefined;
  return (v) => {
    if (typeof v === 'string') {
      if (v === text) return true;
      if (instant) {
        const d = docDateMs(v);
        return d !== undefined && d === instant();
      }
      if (cidr) {
        const ip = parseIp(v);
        return ip !== undefined && ipInRange(ip, cidr);
      }
      return false;
    }
    if (typeof v === 'number') return num !== undefined && v === num;
    if (typeof v === 'boolean') return String(v) === text;
    return false;
  };
}

/** The test for `field < value` (and <=, >, >=). */
export function rangeTest(
  type: FieldType,
  op: RangeOp,
  lit: KqlLiteral,
  field: string,
  now: Clock,
  strict: boolean,
): ValueTest | null {
  const text = lit.text;
  const fail = (why: string): ValueTest | null => {
    if (type.soft) return looseRangeTest(op, text, now);
    if (strict) reject(field, type, why);
    return null;
  };
  const roundUp = op === 'gt' || op === 'lte';
  switch (type.kind) {
    case 'number': {
      const n = parseNumber(text);
      if (n === undefined) return fail(`"${text}" is not a number`);
      return (v) => {
        const x = toNumber(v);
        return x !== undefined && compare(x, n, op);
      };
    }
    case 'date': {
      const bound = dateBound(text, roundUp, now);
      if (!bound) return fail(`"${text}" is not a date`);
      return (v) => {
        const d = docDateMs(v);
        const b = bound();
        return d !== undefined && b !== undefined && compare(d, b, op);
      };
    }
    case 'ip': {
      const ip = parseIp(text);
      if (ip === undefined) return fail(`"${text}" is not an IP address`);
      return (v) => {
        const s = scalarText(v);
        const x = s === undefined ? undefined : parseIp(s);
        return x !== undefined && compare(x, ip, op);
      };
    }
    case 'text':
      return (v) => {
        const tokens = tokensOf(v);
        return tokens !== undefined && tokens.some((t) => compare(t, text, op));
      };
    case 'keyword':
    case 'boolean':
      return (v) => {
        const s = scalarText(v);
        return s !== undefined && compare(s, text, op);
      };
    case 'nested':
    case 'object':
      return fail('an object field has no value of its own');
    case 'loose':
      return looseRangeTest(op, text, now);
  }
}

/** Unmapped fields: dates when both sides are dates, numbers when both are numbers, IPs, else text. */
function looseRangeTest(op: RangeOp, text: string, now: Clock): ValueTest {
  const roundUp = op === 'gt' || op === 'lte';
  const num = parseNumber(text);
  const bound = dateBound(text, roundUp, now);
  const ip = parseIp(text);
  return (v) => {
    if (typeof v === 'number') return num !== undefined && compare(v, num, op);
    if (typeof v !== 'string') return false;
    if (num !== undefined) {
      const x = parseNumber(v);
      if (x !== undefined) return compare(x, num, op);
    }
    if (bound) {
      const d = docDateMs(v);
      const b = bound();
      if (d !== undefined && b !== undefined && !/^-?\d+$/.test(v)) return compare(d, b, op);
    }
    if (ip !== undefined) {
      const x = parseIp(v);
      if (x !== undefined) return compare(x, ip, op);
    }
    return compare(v, text, op);
  };
}

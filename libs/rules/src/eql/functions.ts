/**
 * The EQL function library as Elasticsearch defines it: signatures (for the verifier) and
 * scalar implementations (for the compiler). Implementations receive plain scalars (never
 * arrays: the compiler lifts multi-valued fields) and return `null` for null input, as the
 * Elasticsearch function reference specifies. Case-insensitive (`~`) variants get their
 * string arguments already lower-cased by the compiler, except `between~`, which needs the
 * original source to return its text unchanged.
 */
import { ipInRange, parseIp, parseIpRange, type IpRange } from '../exceptions/ip';

/** What a parameter accepts (checked against literal arguments and typed sub-expressions). */
export type ParamKind = 'string' | 'numeric' | 'integer' | 'boolean' | 'any';
/** What a function returns, for the verifier's static types. */
export type ReturnKind = 'keyword' | 'boolean' | 'integer' | 'numeric';

export interface FunctionSpec {
  /** Canonical name (as documented). */
  name: string;
  minArgs: number;
  maxArgs: number;
  /** Parameter kinds by position; the last one repeats for variadic functions. */
  params: ParamKind[];
  returns: ReturnKind;
  /** Has a `~` (case-insensitive) variant. */
  caseInsensitive: boolean;
}

const spec = (
  name: string,
  minArgs: number,
  maxArgs: number,
  params: ParamKind[],
  returns: ReturnKind,
  caseInsensitive = false,
): FunctionSpec => ({ name, minArgs, maxArgs, params, returns, caseInsensitive });

const SPECS: FunctionSpec[] = [
  spec('add', 2, 2, ['numeric', 'numeric'], 'numeric'),
  spec('between', 3, 4, ['string', 'string', 'string', 'boolean'], 'keyword', true),
  spec('cidrMatch', 2, Infinity, ['string', 'string'], 'boolean'),
  spec('concat', 1, Infinity, ['any'], 'keyword'),
  spec('divide', 2, 2, ['numeric', 'numeric'], 'numeric'),
  spec('endsWith', 2, 2, ['string', 'string'], 'boolean', true),
  spec('indexOf', 2, 3, ['string', 'string', 'integer'], 'integer', true),
  spec('length', 1, 1, ['string'], 'integer'),
  spec('modulo', 2, 2, ['numeric', 'numeric'], 'numeric'),
  spec('multiply', 2, 2, ['numeric', 'numeric'], 'numeric'),
  spec('number', 1, 2, ['string', 'integer'], 'numeric'),
  spec('startsWith', 2, 2, ['string', 'string'], 'boolean', true),
  spec('string', 1, 1, ['any'], 'keyword'),
  spec('stringContains', 2, 2, ['string', 'string'], 'boolean', true),
  spec('substring', 2, 3, ['string', 'integer', 'integer'], 'keyword'),
  spec('subtract', 2, 2, ['numeric', 'numeric'], 'numeric'),
];

/** Function names resolve case-insensitively, as in Elasticsearch's function registry. */
const BY_NAME = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

export function lookupFunction(name: string): FunctionSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function functionNames(): string[] {
  return SPECS.map((s) => s.name);
}

// ---- scalar implementations -------------------------------------------------------------

type Scalar = unknown;

export function toText(v: Scalar): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

export function toNumber(v: Scalar): number | null {
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'string') return numericString(v);
  return null;
}

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A string that spells a decimal number, as its number; else null. */
export function numericString(s: string): number | null {
  if (s.length > 64 || !NUMERIC.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Arithmetic with Elasticsearch's integer semantics: integer division truncates. */
export function arithmetic(op: string, a: Scalar, b: Scalar, integral: boolean): number | null {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (integral && Number.isInteger(x) && Number.isInteger(y)) return y === 0 ? null : Math.trunc(x / y);
      return y === 0 ? null : x / y;
    case '%':
      if (y === 0) return null;
      return x % y;
    default:
      return null;
  }
}

export function between(
  source: Scalar,
  left: Scalar,
  right: Scalar,
  greedy: Scalar,
  ci: boolean,
): string | null {
  const s = toText(source);
  let l = toText(left);
  let r = toText(right);
  if (s === null || l === null || r === null) return null;
  const g = greedy === true;
  const hay = ci ? s.toLowerCase() : s;
  if (ci) {
    l = l.toLowerCase();
    r = r.toLowerCase();
  }
  const at = hay.indexOf(l);
  if (at < 0) return '';
  const start = at + l.length;
  const end = g ? hay.lastIndexOf(r) : hay.indexOf(r, start);
  if (end < start) return '';
  return s.substring(start, end);
}

export function cidrMatch(ip: Scalar, ranges: Array<IpRange | null>): boolean | null {
  const text = toText(ip);
  if (text === null) return null;
  const addr = parseIp(text);
  if (addr === undefined) return false;
  for (const r of ranges) {
    if (r === null) return null;
    if (ipInRange(addr, r)) return true;
  }
  return false;
}

export function parseCidr(text: string): IpRange | undefined {
  if (text.includes('-')) return undefined;
  return parseIpRange(text);
}

export function concat(values: Scalar[]): string | null {
  let out = '';
  for (const v of values) {
    const t = toText(v);
    if (t === null) return null;
    out += t;
  }
  return out;
}

export function endsWith(s: Scalar, sub: Scalar): boolean | null {
  const a = toText(s);
  const b = toText(sub);
  if (a === null || b === null) return null;
  return a.endsWith(b);
}

export function startsWith(s: Scalar, sub: Scalar): boolean | null {
  const a = toText(s);
  const b = toText(sub);
  if (a === null || b === null) return null;
  return a.startsWith(b);
}

export function stringContains(s: Scalar, sub: Scalar): boolean | null {
  const a = toText(s);
  const b = toText(sub);
  if (a === null || b === null) return null;
  return a.includes(b);
}

export function indexOf(s: Scalar, sub: Scalar, start: Scalar, hasStart: boolean): number | null {
  const a = toText(s);
  const b = toText(sub);
  if (a === null || b === null) return null;
  let from = 0;
  if (hasStart) {
    const n = toNumber(start);
    if (n === null) return null;
    from = Math.max(0, Math.trunc(n));
    if (from > a.length) return null;
  }
  const at = a.indexOf(b, from);
  return at < 0 ? null : at;
}

export function length(s: Scalar): number | null {
  const a = toText(s);
  return a === null ? null : a.length;
}

export function number(s: Scalar, base: Scalar, hasBase: boolean): number | null {
  const text = toText(s);
  if (text === null) return null;
  let t = text.trim();
  let radix = 10;
  if (hasBase && base !== null && base !== undefined) {
    const b = toNumber(base);
    if (b === null || !Number.isInteger(b) || b < 2 || b > 36) return null;
    radix = b;
  }
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  if (/^0x/i.test(t) && (radix === 10 || radix === 16) && (!hasBase || base === null || radix === 16)) {
    radix = 16;
    t = t.slice(2);
  }
  if (t.length === 0) return null;
  if (radix === 10) {
    const n = numericString(t);
    return n === null ? null : sign * n;
  }
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix);
  let n = 0;
  for (const ch of t.toLowerCase()) {
    const d = digits.indexOf(ch);
    if (d < 0) return null;
    n = n * radix + d;
  }
  return sign * n;
}

export function substring(s: Scalar, start: Scalar, end: Scalar, hasEnd: boolean): string | null {
  const a = toText(s);
  if (a === null) return null;
  const len = a.length;
  let from = toNumber(start);
  if (from === null) return null;
  from = Math.trunc(from);
  if (from < 0) from = Math.max(0, len + from);
  let to = len;
  if (hasEnd && end !== null && end !== undefined) {
    const e = toNumber(end);
    if (e === null) return null;
    to = Math.trunc(e);
    if (to < 0) to = len + to;
  }
  to = Math.min(to, len);
  if (from >= to) return '';
  return a.substring(from, to);
}

export function stringOf(v: Scalar): string | null {
  return toText(v);
}

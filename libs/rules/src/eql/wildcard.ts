/**
 * EQL wildcard patterns (`:` and `like`): `*` matches any run of characters, `?` exactly one,
 * and nothing else is special (a backslash is a literal backslash, as the Elasticsearch spec
 * tests show with Windows paths). Matching reuses the linear, non-backtracking matcher of
 * `../exceptions/wildcard`, after escaping the backslashes that matcher would treat as escapes.
 *
 * KQL can reuse `compileEqlWildcard` (same `*`/`?` meaning) when it wants no escape character.
 */
import { compileWildcard, type WildcardMatcher } from '../exceptions/wildcard';

export type { WildcardMatcher };

/** True when the pattern has a `*` or `?` (EQL has no wildcard escapes). */
export function hasEqlWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Compiles an EQL wildcard pattern; with `caseInsensitive`, both sides are lower-cased (the
 * pattern once, here). */
export function compileEqlWildcard(pattern: string, caseInsensitive: boolean): WildcardMatcher {
  return compileWildcard(pattern.replace(/\\/g, '\\\\'), caseInsensitive);
}

/**
 * EQL wildcard patterns (`:` and `like`): `*` matches any run of characters, `?` exactly one,
 * and nothing else is special (a backslash is a literal backslash, as the Elasticsearch spec
 * tests show with Windows paths: `"*\\red_ttp\\wininit.*"`).
 *
 * Linear, non-backtracking matching: the pattern is split at `*` into fixed-length segments
 * (`?` = any one character); the first is anchored at the start, the last at the end, and each
 * middle segment is placed at its leftmost position after the previous one, which is always
 * safe for `*`-separated segments. Segments are prepared once; the common shapes (`abc`,
 * `abc*`, `*abc`, `*abc*`) become a single `===` / `startsWith` / `endsWith` / `includes`.
 *
 * KQL can reuse `compileEqlWildcard` for the same `*`/`?` meaning without an escape character.
 */
import { PrefixTrie } from './prefix-trie';

export type WildcardMatcher = (text: string) => boolean;

/** True when the pattern has a `*` or `?` (EQL has no wildcard escapes). */
export function hasEqlWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** A fixed-length piece between stars; `?` positions match any character. */
interface Segment {
  text: string;
  holes: boolean;
}

function segmentAt(seg: Segment, text: string, at: number): boolean {
  const n = seg.text.length;
  if (at < 0 || at + n > text.length) return false;
  if (!seg.holes) return text.startsWith(seg.text, at);
  for (let k = 0; k < n; k++) {
    const c = seg.text.charCodeAt(k);
    if (c !== 63 /* ? */ && text.charCodeAt(at + k) !== c) return false;
  }
  return true;
}

function findSegment(seg: Segment, text: string, from: number): number {
  if (!seg.holes) return text.indexOf(seg.text, from);
  for (let at = from; at + seg.text.length <= text.length; at++) if (segmentAt(seg, text, at)) return at;
  return -1;
}

/** Compiles an EQL wildcard pattern. With `caseInsensitive`, the pattern is lower-cased here
 * (once) and the text at each call; callers that already lower-case pass `false`. */
export function compileEqlWildcard(pattern: string, caseInsensitive: boolean): WildcardMatcher {
  const m = compileFolded(caseInsensitive ? pattern.toLowerCase() : pattern);
  return caseInsensitive ? (text) => m(text.toLowerCase()) : m;
}

function compileFolded(pattern: string): WildcardMatcher {
  const parts = pattern.split('*').map((text): Segment => ({ text, holes: text.includes('?') }));
  if (parts.length === 1) {
    const only = parts[0];
    return only.holes
      ? (t) => t.length === only.text.length && segmentAt(only, t, 0)
      : (t) => t === only.text;
  }
  const head = parts[0];
  const tail = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter((s) => s.text.length > 0);
  const simple = !head.holes && !tail.holes;
  if (simple && middle.length === 0) {
    const h = head.text;
    const t = tail.text;
    if (t === '') return h === '' ? () => true : (s) => s.startsWith(h);
    if (h === '') return (s) => s.endsWith(t);
    return (s) => s.length >= h.length + t.length && s.startsWith(h) && s.endsWith(t);
  }
  if (simple && middle.length === 1 && !middle[0].holes && head.text === '' && tail.text === '') {
    const mid = middle[0].text;
    return (s) => s.includes(mid);
  }
  const headLen = head.text.length;
  const tailLen = tail.text.length;
  return (text) => {
    const tailAt = text.length - tailLen;
    if (tailAt < headLen) return false;
    if (!segmentAt(head, text, 0) || !segmentAt(tail, text, tailAt)) return false;
    let pos = headLen;
    for (let i = 0; i < middle.length; i++) {
      const seg = middle[i];
      const at = findSegment(seg, text, pos);
      if (at < 0) return false;
      pos = at + seg.text.length;
      if (pos > tailAt) return false;
    }
    return true;
  };
}

/**
 * One matcher for a list of patterns (already case-folded by the caller), as rules write them:
 * `process.executable like ("/tmp/*", "/var/tmp/*", "/dev/shm/*", ...)`. Exact texts are one
 * set lookup, `abc*` prefixes one walk of a trie over the string's start, `*abc` suffixes one
 * walk over its end, `*abc*` one `includes` each; only the other shapes run one by one. Same
 * answers as trying `compileEqlWildcard` on each pattern.
 */
export function compileEqlWildcardSet(patterns: readonly string[]): WildcardMatcher {
  const exact = new Set<string>();
  const prefixes = new PrefixTrie<true>();
  const suffixes = new PrefixTrie<true>(true);
  const contains: string[] = [];
  const other: WildcardMatcher[] = [];
  for (const p of patterns) {
    if (!hasEqlWildcard(p)) exact.add(p);
    else if (p.includes('?')) other.push(compileFolded(p));
    else {
      const parts = p.split('*');
      const inner = parts.slice(1, -1).filter((x) => x !== '');
      const head = parts[0];
      const tail = parts[parts.length - 1];
      if (inner.length === 0 && tail === '') {
        prefixes.insert(head, true);
      } else if (inner.length === 0 && head === '') {
        suffixes.insert(tail, true);
      } else if (inner.length === 1 && head === '' && tail === '') contains.push(inner[0]);
      else other.push(compileFolded(p));
    }
  }
  const hasPrefixes = !prefixes.empty;
  const hasSuffixes = !suffixes.empty;
  return (text) => {
    if (exact.has(text)) return true;
    if (hasPrefixes && prefixes.matches(text)) return true;
    if (hasSuffixes && suffixes.matches(text)) return true;
    for (let i = 0; i < contains.length; i++) if (text.includes(contains[i])) return true;
    for (let i = 0; i < other.length; i++) if (other[i](text)) return true;
    return false;
  };
}

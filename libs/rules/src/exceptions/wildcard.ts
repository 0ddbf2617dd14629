/**
 * Elasticsearch `wildcard` patterns (`*` any run of characters, `?` exactly one, `\` escapes the
 * next character) matched without a backtracking RegExp.
 *
 * The pattern is split into literal segments (with `?` holes) separated by `*`. The first segment
 * is anchored at the start, the last at the end, and every middle segment is placed at its
 * leftmost position after the previous one: for `*`-separated segments the leftmost placement is
 * always safe, so no backtracking is ever needed. Each placement scans the text once per candidate
 * start, so the cost is bounded by text length × segment length (no exponential blow-up), and the
 * common case (segments without `?`) uses `indexOf`.
 */

export type WildcardMatcher = (text: string) => boolean;

/** One literal run between stars; `null` entries are `?` holes. */
type Segment = Array<string | null>;

/** Splits on unescaped `*`: the result always has at least one segment; more than one means
 * the pattern had stars (the first and last segments are anchored, and may be empty). */
function splitOnStars(pattern: string): Segment[] {
  const segments: Segment[] = [];
  let current: Segment = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) current.push(pattern[++i]);
    else if (ch === '*') {
      segments.push(current);
      current = [];
    } else current.push(ch === '?' ? null : ch);
  }
  segments.push(current);
  return segments;
}

function segmentMatchesAt(seg: Segment, text: string, at: number): boolean {
  if (at < 0 || at + seg.length > text.length) return false;
  for (let k = 0; k < seg.length; k++) {
    const c = seg[k];
    if (c !== null && text[at + k] !== c) return false;
  }
  return true;
}

function findSegment(seg: Segment, text: string, from: number): number {
  if (!seg.includes(null)) return text.indexOf(seg.join(''), from);
  for (let at = from; at + seg.length <= text.length; at++) if (segmentMatchesAt(seg, text, at)) return at;
  return -1;
}

/** Compiles an Elasticsearch wildcard pattern. `caseInsensitive` lower-cases both sides. */
export function compileWildcard(pattern: string, caseInsensitive = false): WildcardMatcher {
  const segments = splitOnStars(caseInsensitive ? pattern.toLowerCase() : pattern);
  const fold = (raw: string): string => (caseInsensitive ? raw.toLowerCase() : raw);

  if (segments.length === 1) {
    const only = segments[0];
    return (raw) => {
      const text = fold(raw);
      return text.length === only.length && segmentMatchesAt(only, text, 0);
    };
  }

  const head = segments[0];
  const tail = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((s) => s.length > 0);
  return (raw) => {
    const text = fold(raw);
    const tailAt = text.length - tail.length;
    if (tailAt < head.length) return false;
    if (!segmentMatchesAt(head, text, 0) || !segmentMatchesAt(tail, text, tailAt)) return false;
    let pos = head.length;
    for (const seg of middle) {
      const at = findSegment(seg, text, pos);
      if (at < 0) return false;
      pos = at + seg.length;
      if (pos > tailAt) return false;
    }
    return true;
  };
}

/** True when the string contains an unescaped `*` or `?`. */
export function hasWildcard(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?') return true;
  }
  return false;
}

/**
 * KQL wildcard values: only `*` is special (any run of characters, possibly empty); `?`
 * and everything else are literal. Matching is linear: the text between stars is placed
 * at its leftmost position after the previous piece, which is always safe when the only
 * wildcard is `*`, so no backtracking is ever needed (and no RegExp is built).
 */
import { WILDCARD } from './ast';
import type { ValuePart } from './ast';

export type KqlWildcardMatcher = (text: string) => boolean;

/** Compiles the parts of a wildcard literal; `lowerCase` folds pattern and text. */
export function compileKqlWildcard(parts: ValuePart[], lowerCase = false): KqlWildcardMatcher {
  const pieces: string[] = [''];
  for (const p of parts) {
    if (p === WILDCARD) pieces.push('');
    else pieces[pieces.length - 1] += lowerCase ? p.toLowerCase() : p;
  }
  if (pieces.length === 1) {
    const only = pieces[0];
    return lowerCase ? (t) => t.toLowerCase() === only : (t) => t === only;
  }
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter((s) => s !== '');
  const minLength = head.length + tail.length;
  return (raw) => {
    const text = lowerCase ? raw.toLowerCase() : raw;
    if (text.length < minLength || !text.startsWith(head) || !text.endsWith(tail)) return false;
    let pos = head.length;
    const end = text.length - tail.length;
    for (const m of middle) {
      const at = text.indexOf(m, pos);
      if (at < 0 || at + m.length > end) return false;
      pos = at + m.length;
    }
    return true;
  };
}

/** Splits a wildcard's parts at whitespace into separate patterns (per-token matching). */
export function splitPartsOnWhitespace(parts: ValuePart[]): ValuePart[][] {
  const out: ValuePart[][] = [[]];
  for (const p of parts) {
    if (p === WILDCARD) {
      out[out.length - 1].push(p);
      continue;
    }
    const chunks = p.split(/\s+/);
    chunks.forEach((c, i) => {
      if (i > 0) out.push([]);
      if (c !== '') out[out.length - 1].push(c);
    });
  }
  return out.filter((ps) => ps.length > 0);
}

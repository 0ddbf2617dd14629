/**
 * EQL `regex` / `regex~`: Elasticsearch matches the WHOLE string (Lucene regular expressions are
 * anchored) and `.` matches any character. Patterns come from rules and users, so they run on
 * RE2 (linear time, no backtracking), never on JavaScript's RegExp.
 */
import RE2 from 're2';
import { regexPrefilter } from './regex-literals';

export type RegexMatcher = (text: string) => boolean;

/** Compiles an anchored matcher; throws when RE2 rejects the pattern. */
export function compileEqlRegex(pattern: string, caseInsensitive: boolean): RegexMatcher {
  const flags = caseInsensitive ? 'is' : 's';
  const re = new RE2(`^(?:${pattern})$`, flags);
  // Most strings lack the pattern's literal text: a startsWith / includes answers them
  // without the (much dearer) call into RE2.
  const quick = regexPrefilter(pattern, caseInsensitive);
  return quick ? (text) => quick(text) && re.test(text) : (text) => re.test(text);
}

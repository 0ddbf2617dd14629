export { compileEql, compileEqlCondition, parseEql } from './compile';
export type { EqlCompileOptions } from './compile';
export { EqlError, EqlSyntaxError, EqlVerificationError } from './errors';
export { MAX_NESTING, MAX_QUERY_LENGTH, MAX_RUNS } from './parser';
export { compileEqlWildcard, hasEqlWildcard } from './wildcard';
export { compileEqlRegex } from './regex';
export { regexLiterals } from './regex-literals';
export { PrefixTrie } from './prefix-trie';
export type * from './ast';
export type * from './compiled';
export {
  compileEqlFieldGetter,
  enterEventScope,
  leaveEventScope,
  memoizedPerEvent,
  withFieldCache,
} from './field-access';

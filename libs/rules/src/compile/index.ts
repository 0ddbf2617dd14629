export { compileRule, ruleMeta, isUnsupportedRule, RuleCompileError } from './compile-rule';
export type { CompileContext } from './compile-rule';
export type { QueryLanguages, EqlRuleOptions, CompiledEqlQuery } from './query-languages';
export { eqlPrefilter, withEventFilter } from './query-languages';
export { categoriesFromKql, categoriesFromStages } from './prefilter';
export { compileKibanaFilters, compileQuery } from './query-dsl';
export type { DslIssue } from './query-dsl';
export {
  parseLookbackMs,
  parseTimeSpanMs,
  thresholdWindowMs,
  DEFAULT_FROM,
  DEFAULT_INTERVAL,
} from './duration';
export { uuidFromRuleId } from './rule-uuid';

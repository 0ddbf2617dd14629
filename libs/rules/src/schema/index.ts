export * from './definition';
export * from './exception-schema';
export { ruleSchema, ruleSemanticIssues, RULE_TYPES, SEVERITIES, LANGUAGES_BY_TYPE } from './rule-schema';
export type { RawRule, RuleIssue } from './rule-schema';
export { formatIssue, formatPath, describeValue, fromZodIssues, ruleLabel } from './issues';
export { validateRuleObject, identityOf } from './validate-rule';
export type { RuleValidationContext, RuleValidationResult, RuleIdentity } from './validate-rule';

export { MatchRunner, runMatchCase } from './match-case';
export type { MatchResult, MatchOptions, EqlConditionCompiler } from './match-case';
export { buildKqlConformance, KQL_CONFORMANCE_KINDS } from './kql-conformance';
export type { ConformanceProbe, ConformanceCheck, KqlConformance } from './kql-conformance';

export * from './field';
export {
  createNormalizer,
  normalizeLines,
  NORMALIZE_FORMATS,
  NORMALIZE_SHAPES,
  type NormalizeError,
  type NormalizeFailureReason,
  type NormalizeFormat,
  type NormalizeOptions,
  type NormalizeOutput,
  type NormalizeShape,
  type Normalizer,
} from './normalize';
export { DEFAULT_LIMITS, LimitError, parseJsonLimited, checkShape, type Limits } from './limits';
export { ProcessTable, entityId, type ProcessInfo } from './process-table';
export { compareEcs, isComparedField } from './conformance/compare';
export { parseAuditLine, splitKeyValues, type AuditLine } from './auditd/line';
export { parseSysmonLine } from './sysmon/parse';
export { ECS_FIELD_TYPES, ecsFieldType, type EcsFieldType } from './model';

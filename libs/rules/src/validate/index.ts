export {
  validateRules,
  validationRows,
  validationExitCode,
  formatValidationText,
  formatValidationNdjson,
  validationJson,
} from './validate';
export type { RuleValidationRow } from './validate';

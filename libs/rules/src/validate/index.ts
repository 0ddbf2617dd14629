export {
  validateRules,
  validationRows,
  validationExitCode,
  formatValidationText,
  formatValidationNdjson,
} from './validate';
export type { RuleValidationRow } from './validate';

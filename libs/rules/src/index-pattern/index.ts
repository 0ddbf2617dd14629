export {
  compileIndexPatterns,
  eventIndex,
  expandIndexPatterns,
  DEFAULT_SECURITY_INDEX,
} from './index-pattern';
export type { IndexMatcher } from './index-pattern';

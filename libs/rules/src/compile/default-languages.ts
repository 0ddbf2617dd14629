/**
 * The real query-language compilers, wired into rule compilation.
 */
import { compileEql } from '../eql';
import { compileKql } from '../kql';
import type { QueryLanguages } from './query-languages';

export const DEFAULT_LANGUAGES: QueryLanguages = {
  kql: (query) => compileKql(query),
  eql: (query, options) => compileEql(query, options),
};

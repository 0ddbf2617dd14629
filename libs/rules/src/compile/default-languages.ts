/**
 * The real query-language compilers, wired into rule compilation.
 */
import { compileEql } from '../eql';
import { compileKql } from '../kql';
import type { QueryLanguages } from './query-languages';

export const DEFAULT_LANGUAGES: QueryLanguages = {
  // Rules run against ECS-mapped indices in Kibana: full-text `message`, IP and date fields.
  kql: (query) => compileKql(query, { ecs: true }),
  eql: (query, options) => compileEql(query, options),
};

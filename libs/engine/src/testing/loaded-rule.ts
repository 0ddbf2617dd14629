/**
 * A rule loaded from its query through @sequent/rules, as the engine gets it from `loadRules`:
 * for tests of what the engine derives from real queries (guards, literal hints, the index).
 */
import { loadRulesFromText, type CompiledRule } from '@sequent/rules';

export interface LoadedRuleOptions {
  /** `eql` (default) or `query` (KQL). */
  type?: 'eql' | 'query';
  rule_id?: string;
  name?: string;
  /** More rule fields (index, exceptions, ...). */
  extra?: Record<string, unknown>;
}

export function loadedRule(query: string, options: LoadedRuleOptions = {}): CompiledRule {
  const type = options.type ?? 'eql';
  const def = {
    rule_id: options.rule_id ?? 'test-rule',
    name: options.name ?? 'test rule',
    description: 'd',
    type,
    language: type === 'eql' ? 'eql' : 'kuery',
    risk_score: 21,
    severity: 'low',
    version: 1,
    index: ['logs-*'],
    query,
    ...options.extra,
  };
  const loaded = loadRulesFromText(JSON.stringify(def), 'rule.json', 'json');
  const errors = loaded.reports[0]?.errors ?? [];
  if (errors.length > 0 || loaded.rules.length !== 1)
    throw new Error(`rule did not load: ${JSON.stringify(errors)} (${query})`);
  return loaded.rules[0];
}

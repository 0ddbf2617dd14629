/**
 * Hand-built CompiledRules for engine tests: conditions are plain functions over fields, so
 * the engine is tested without the KQL / EQL compilers.
 */
import { getFieldValues } from '@sequent/ecs';
import type { CompiledRule, Condition, RuleMeta } from '@sequent/rules';
import type { CompiledSequenceQuery, CompiledStage } from '../runtime/eql-types';

export function meta(overrides: Partial<RuleMeta> = {}): RuleMeta {
  return {
    rule_id: 'rule-1',
    uuid: 'uuid-1',
    name: 'Test Rule',
    description: 'A rule for tests',
    type: 'query',
    language: 'kuery',
    version: 1,
    risk_score: 47,
    severity: 'medium',
    risk_score_mapping: [],
    severity_mapping: [],
    tags: ['Test'],
    threat: [
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0003', name: 'Persistence', reference: 'https://attack.mitre.org/tactics/TA0003/' },
      },
    ],
    note: '## Triage\nLook at it.',
    references: [],
    author: ['Test'],
    index: ['logs-endpoint.events.*'],
    max_signals: 100,
    from: 'now-9m',
    interval: '5m',
    ...overrides,
  };
}

/** `field == value` on any value. */
export function eq(field: string, value: unknown): Condition {
  return (doc) => getFieldValues(doc, field).some((v) => v === value);
}

export function and(...cs: Condition[]): Condition {
  return (doc) => cs.every((c) => c(doc));
}

export function not(c: Condition): Condition {
  return (doc) => !c(doc);
}

function indexMatcher(patterns: string[]): (index: string | null) => boolean {
  const res = patterns.map(
    (p) =>
      new RegExp(
        '^' +
          p
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
            .join('.*') +
          '$',
      ),
  );
  return (index) => index === null || res.some((r) => r.test(index));
}

export function queryRule(
  condition: Condition,
  m: Partial<RuleMeta> = {},
  extra: Partial<CompiledRule> = {},
): CompiledRule {
  const rm = meta(m);
  return {
    meta: rm,
    matchesIndex: indexMatcher(rm.index),
    matcher: { kind: 'filter', condition },
    isExcepted: () => false,
    prefilter: {},
    ...extra,
  };
}

export function stage(category: string, condition: Condition, keys: string[], runs = 1): CompiledStage {
  return {
    category,
    condition: and(eq('event.category', category), condition),
    keys: keys.map((k) => (doc: unknown) => {
      const v = getFieldValues(doc, k);
      return v.length === 0 ? null : v.length === 1 ? v[0] : v;
    }),
    runs,
    missing: false,
    source: `[${category} where ...]`,
  };
}

export function sequenceRule(
  stages: CompiledStage[],
  maxspanMs: number | undefined,
  m: Partial<RuleMeta> = {},
  until?: CompiledStage,
): CompiledRule {
  const rm = meta({ type: 'eql', language: 'eql', ...m });
  const eql: CompiledSequenceQuery = {
    kind: 'sequence',
    source: 'sequence ...',
    pipes: [],
    timestampField: '@timestamp',
    stages,
    ...(maxspanMs !== undefined ? { maxspanMs } : {}),
    ...(until ? { until } : {}),
  };
  return {
    meta: rm,
    matchesIndex: indexMatcher(rm.index),
    matcher: { kind: 'eql', eql },
    isExcepted: () => false,
    prefilter: { categories: [...new Set(stages.map((s) => s.category!))] },
  };
}

let n = 0;
/** A small Elastic Defend-like event. */
export function ev(fields: Record<string, unknown>): Record<string, unknown> {
  n++;
  const out: Record<string, unknown> = {
    '@timestamp': '2026-04-01T08:00:00.000Z',
    event: { id: `e${n}`, category: 'process', type: 'start', action: 'exec' },
    host: { id: 'h1', name: 'host-1', os: { type: 'linux' } },
    data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' },
  };
  for (const [k, v] of Object.entries(fields)) {
    const parts = k.split('.');
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      if (next === null || typeof next !== 'object') node[parts[i]] = {};
      node = node[parts[i]] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = v;
  }
  return out;
}

export function at(base: string, offsetMs: number): string {
  return new Date(Date.parse(base) + offsetMs).toISOString();
}

/**
 * Test doubles for the KQL / EQL compilers, so rule loading and compilation can be tested
 * without them. Deliberately tiny:
 * - KQL: `field:value` clauses joined by ` and ` (exact match on any value); `BROKEN` throws.
 * - EQL: `<category> where <field> == "<value>"`, one event stage; `BROKEN` throws.
 */
import { getFieldValues } from '@sequent/ecs';
import type { Condition } from '../compiled-rule';
import type { CompiledEqlQuery, QueryLanguages } from './query-languages';

function clause(text: string): Condition {
  const colon = text.indexOf(':');
  if (colon < 0) throw new Error(`fake KQL: expected field:value, got ${JSON.stringify(text)}`);
  const field = text.slice(0, colon).trim();
  const value = text
    .slice(colon + 1)
    .trim()
    .replace(/^"|"$/g, '');
  return (doc) => getFieldValues(doc, field).some((v) => String(v) === value);
}

export const fakeLanguages: QueryLanguages = {
  kql(query) {
    if (query.includes('BROKEN')) throw new Error('syntax error at BROKEN');
    const parts = query.split(' and ').map(clause);
    return (doc) => parts.every((p) => p(doc));
  },
  eql(query) {
    if (query.includes('BROKEN')) throw new Error('syntax error at BROKEN');
    const where = query.indexOf(' where ');
    const category = query.slice(0, where).trim();
    const [field, raw] = query
      .slice(where + 7)
      .split('==')
      .map((s) => s.trim());
    const value = raw.replace(/^"|"$/g, '');
    const condition: Condition = (doc) => getFieldValues(doc, field).some((v) => String(v) === value);
    return {
      kind: 'event',
      stages: [{ category: category === 'any' ? null : category, condition, keys: [] }],
    } as unknown as CompiledEqlQuery;
  },
};

/**
 * Compilers that accept every query and match nothing: for tests of loading and schema
 * validation over real rule files when the real KQL / EQL compilers are not in the tree.
 */
export const acceptAllLanguages: QueryLanguages = {
  kql() {
    return () => false;
  },
  eql(query) {
    return {
      kind: 'event',
      source: query,
      pipes: [],
      timestampField: '@timestamp',
      stages: [{ category: null, condition: () => false, keys: [], runs: 1, missing: false, source: query }],
    } as unknown as CompiledEqlQuery;
  },
};

import type { CompiledRule, UnsupportedRule } from '../compiled-rule';
import { exceptionItemSchema } from '../schema/exception-schema';
import { validateRuleObject } from '../schema/validate-rule';
import type { RuleDefinition } from '../schema/definition';
import { compileRule, isUnsupportedRule, RuleCompileError } from './compile-rule';
import { fakeLanguages } from './fake-languages.testing';
import { uuidFromRuleId } from './rule-uuid';

function def(extra: Record<string, unknown>): RuleDefinition {
  const r = validateRuleObject(
    {
      rule_id: 'c-1',
      name: 'Compile me',
      description: 'd',
      type: 'query',
      query: 'process.name:bash',
      index: ['logs-*'],
      risk_score: 50,
      severity: 'medium',
      ...extra,
    },
    { source: 'test' },
  );
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.definition;
}

function compiled(extra: Record<string, unknown>, items: unknown[] = []): CompiledRule {
  const out = compileRule(def(extra), {
    languages: fakeLanguages,
    exceptionItems: items.map((i) => exceptionItemSchema.parse(i)),
  });
  if (isUnsupportedRule(out)) throw new Error(out.reason);
  return out;
}

const bash = { process: { name: 'bash' }, host: { name: 'web-01' }, event: { category: 'process' } };
const zsh = { process: { name: 'zsh' }, host: { name: 'web-01' }, event: { category: 'process' } };

describe('compileRule', () => {
  it('carries every alerter field into meta', () => {
    const rule = compiled({
      risk_score_mapping: [{ field: 'event.risk_score', operator: 'equals', value: '' }],
      severity_mapping: [{ field: 'host.name', operator: 'equals', value: 'web-01', severity: 'critical' }],
      rule_name_override: 'message',
      timestamp_override: 'event.ingested',
      building_block_type: 'default',
      investigation_fields: { field_names: ['host.name'] },
      required_fields: [{ name: 'process.name', type: 'keyword', ecs: true }],
      note: 'guide',
      setup: 'setup',
      tags: ['a'],
      author: ['me'],
      references: ['https://example.com'],
      license: 'Apache-2.0',
      max_signals: 7,
      version: 3,
      interval: '1m',
      alert_suppression: {
        group_by: ['host.name'],
        duration: { value: 10, unit: 'm' },
        missing_fields_strategy: 'doNotSuppress',
      },
    });
    expect(rule.meta).toEqual({
      rule_id: 'c-1',
      uuid: uuidFromRuleId('c-1'),
      name: 'Compile me',
      description: 'd',
      type: 'query',
      language: 'kuery',
      version: 3,
      risk_score: 50,
      severity: 'medium',
      risk_score_mapping: [{ field: 'event.risk_score', operator: 'equals', value: '' }],
      severity_mapping: [{ field: 'host.name', operator: 'equals', value: 'web-01', severity: 'critical' }],
      rule_name_override: 'message',
      timestamp_override: 'event.ingested',
      building_block_type: 'default',
      tags: ['a'],
      threat: [],
      note: 'guide',
      setup: 'setup',
      references: ['https://example.com'],
      author: ['me'],
      license: 'Apache-2.0',
      index: ['logs-*'],
      from: 'now-6m',
      interval: '1m',
      max_signals: 7,
      alert_suppression: {
        group_by: ['host.name'],
        duration: { value: 10, unit: 'm' },
        missing_fields_strategy: 'doNotSuppress',
      },
      investigation_fields: ['host.name'],
      required_fields: [{ name: 'process.name', type: 'keyword' }],
      query: 'process.name:bash',
    });
    expect(uuidFromRuleId('c-1')).toBe(uuidFromRuleId('c-1'));
    expect(uuidFromRuleId('c-1')).not.toBe(uuidFromRuleId('c-2'));
  });

  it('ANDs the rule filters with the KQL query', () => {
    const rule = compiled({
      filters: [{ meta: { negate: true }, query: { match_phrase: { 'host.name': 'db-01' } } }],
    });
    const cond = rule.matcher.kind === 'filter' ? rule.matcher.condition : () => false;
    expect(cond(bash)).toBe(true);
    expect(cond(zsh)).toBe(false);
    expect(cond({ ...bash, host: { name: 'db-01' } })).toBe(false);
  });

  it('restricts every EQL stage with the rule filters', () => {
    const plain = compiled({ type: 'eql', language: 'eql', query: 'process where process.name == "bash"' });
    const filtered = compiled({
      type: 'eql',
      language: 'eql',
      query: 'process where process.name == "bash"',
      filters: [{ meta: {}, query: { match_phrase: { 'host.name': 'db-01' } } }],
    });
    const stage = (r: CompiledRule) =>
      (r.matcher as { eql: { stages: Array<{ condition: (d: unknown) => boolean }> } }).eql.stages[0];
    expect(stage(plain).condition(bash)).toBe(true);
    expect(stage(filtered).condition(bash)).toBe(false);
    expect(stage(filtered).condition({ ...bash, host: { name: 'db-01' } })).toBe(true);
    expect(filtered.prefilter).toEqual({ categories: ['process'] });
  });

  it('gives no category hint when the rule overrides the category field', () => {
    const rule = compiled({
      type: 'eql',
      language: 'eql',
      query: 'process where process.name == "bash"',
      event_category_override: 'event.type',
    });
    expect(rule.prefilter).toEqual({});
  });

  it('matches everything for an empty query, and reads KQL category hints', () => {
    const rule = compiled({ type: 'threshold', query: '', threshold: { field: [], value: 3 } });
    expect(rule.matcher.kind === 'filter' && rule.matcher.condition({})).toBe(true);
    expect(rule.threshold).toEqual({ fields: [], value: 3, windowMs: 6 * 60_000 });
    expect(compiled({ query: 'event.category:process and process.name:bash' }).prefilter).toEqual({
      categories: ['process'],
    });
  });

  it("reads Kibana's default Security indices for a data view or no index", () => {
    const rule = compiled({ index: undefined, data_view_id: 'security-solution-default' });
    expect(rule.meta.data_view_id).toBe('security-solution-default');
    expect(rule.matchesIndex('logs-endpoint.events.process-default')).toBe(true);
    expect(rule.matchesIndex('auditbeat-8.11.0')).toBe(true);
    expect(rule.matchesIndex('metrics-system.cpu-default')).toBe(false);
    expect(rule.matchesIndex('logs-elastic-cloud-logs-x')).toBe(false);
  });

  it('applies exception items', () => {
    const rule = compiled({}, [
      {
        item_id: 'x',
        list_id: 'l',
        entries: [{ type: 'match', field: 'host.name', operator: 'included', value: 'web-01' }],
      },
    ]);
    expect(rule.isExcepted(bash)).toBe(true);
    expect(rule.isExcepted({ host: { name: 'web-02' } })).toBe(false);
    // Excepted events are invisible to the rule, as in Kibana's searches.
    const cond = rule.matcher.kind === 'filter' ? rule.matcher.condition : () => true;
    expect(cond(bash)).toBe(false);
    expect(cond({ ...bash, host: { name: 'web-02' } })).toBe(true);
  });

  it('hides excepted events from every EQL stage', () => {
    const rule = compiled({ type: 'eql', language: 'eql', query: 'process where process.name == "bash"' }, [
      {
        item_id: 'x',
        list_id: 'l',
        entries: [{ type: 'match', field: 'host.name', operator: 'included', value: 'web-01' }],
      },
    ]);
    const stage = (rule.matcher as { eql: { stages: Array<{ condition: (d: unknown) => boolean }> } }).eql
      .stages[0];
    expect(stage.condition(bash)).toBe(false);
    expect(stage.condition({ ...bash, host: { name: 'web-02' } })).toBe(true);
  });

  it('throws a RuleCompileError naming the field', () => {
    const attempt = (extra: Record<string, unknown>, items: unknown[] = []) => {
      try {
        compiled(extra, items);
      } catch (err) {
        return err instanceof RuleCompileError ? `${err.field}: ${err.reason}` : String(err);
      }
      return 'compiled';
    };
    expect(attempt({ query: 'BROKEN' })).toBe('query: KQL: syntax error at BROKEN');
    expect(attempt({ type: 'eql', language: 'eql', query: 'BROKEN' })).toBe(
      'query: EQL: syntax error at BROKEN',
    );
    expect(
      attempt({}, [
        {
          item_id: 'x',
          list_id: 'l',
          entries: [{ type: 'list', field: 'a', operator: 'included', list: { id: 'v', type: 'keyword' } }],
        },
      ]),
    ).toBe(
      'exceptions_list: exception item "x" (list "l"): entries[0]: value list "v" is not loaded (field a)',
    );
  });

  it('returns unsupported rules with their meta', () => {
    const out: CompiledRule | UnsupportedRule = compileRule(
      def({ type: 'esql', language: 'esql', query: 'from x' }),
      {
        languages: fakeLanguages,
      },
    );
    expect(isUnsupportedRule(out)).toBe(true);
    expect(out.meta.type).toBe('esql');
  });
});

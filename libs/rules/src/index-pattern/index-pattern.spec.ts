import { compileIndexPatterns, eventIndex, expandIndexPatterns } from './index-pattern';

describe('compileIndexPatterns', () => {
  it('matches wildcards and exact names', () => {
    const m = compileIndexPatterns(['logs-endpoint.events.*', 'auditbeat-8.11.0']);
    expect(m('logs-endpoint.events.process-default')).toBe(true);
    expect(m('auditbeat-8.11.0')).toBe(true);
    expect(m('auditbeat-8.11.1')).toBe(false);
    expect(m('logs-system.auth-default')).toBe(false);
  });

  it('applies exclusions and comma lists', () => {
    const m = compileIndexPatterns(['logs-*,auditbeat-*', '-logs-excluded*']);
    expect(m('logs-x-default')).toBe(true);
    expect(m('auditbeat-1')).toBe(true);
    expect(m('logs-excluded-default')).toBe(false);
  });

  it('drops cross-cluster prefixes', () => {
    const m = compileIndexPatterns(['remote:logs-endpoint.*', '*:auditbeat-*', '-*:logs-endpoint.alerts-*']);
    expect(m('logs-endpoint.events.file-default')).toBe(true);
    expect(m('auditbeat-8')).toBe(true);
    expect(m('logs-endpoint.alerts-default')).toBe(false);
    expect(expandIndexPatterns(['a:b, c ,', '-x:y'])).toEqual(['b', 'c', '-y']);
  });

  it('matches a data stream backing index as its data stream', () => {
    const m = compileIndexPatterns(['logs-endpoint.events.process-*']);
    expect(m('.ds-logs-endpoint.events.process-default-2026.01.15-000001')).toBe(true);
    expect(m('.ds-logs-endpoint.events.file-default-2026.01.15-000001')).toBe(false);
  });

  it('lets an event without an index through every pattern', () => {
    expect(compileIndexPatterns(['logs-endpoint.events.*'])(null)).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(compileIndexPatterns(['logs-*'])('LOGS-x')).toBe(false);
  });
});

describe('eventIndex', () => {
  it('prefers _index', () => {
    expect(
      eventIndex({ _index: 'my-index', data_stream: { type: 'logs', dataset: 'a', namespace: 'b' } }),
    ).toBe('my-index');
  });

  it('builds the data stream name, from nested or dotted keys', () => {
    expect(
      eventIndex({ data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' } }),
    ).toBe('logs-endpoint.events.process-default');
    expect(
      eventIndex({
        'data_stream.type': 'logs',
        'data_stream.dataset': 'auditd_manager.auditd',
        'data_stream.namespace': 'prod',
      }),
    ).toBe('logs-auditd_manager.auditd-prod');
  });

  it('is null without _index or a complete data stream', () => {
    expect(eventIndex({ data_stream: { type: 'logs', dataset: 'x' } })).toBeNull();
    expect(eventIndex({})).toBeNull();
    expect(eventIndex(null)).toBeNull();
    expect(eventIndex({ _index: 5 })).toBeNull();
  });
});

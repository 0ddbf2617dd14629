import { meta } from '../testing/test-rules';
import { alertUuid, buildAlert } from './alert-document';

const rule = meta({
  rule_id: 'r1',
  uuid: 'u1',
  name: 'Rule One',
  severity: 'high',
  risk_score: 73,
  building_block_type: 'default',
  alert_suppression: { group_by: ['host.id'], missing_fields_strategy: 'suppress' },
});
const event = {
  _id: 'doc-1',
  _index: 'logs-endpoint.events.process-default',
  '@timestamp': '2026-04-01T08:00:00.000Z',
  event: { category: ['process'], action: 'exec', kind: 'event' },
  'event.module': 'endpoint',
  host: { name: 'web-01', id: 'h1' },
  user: { name: 'root' },
  process: { name: 'bash', parent: { name: 'apt' } },
  kibana: { alert: { uuid: 'spoofed' } },
};

describe('buildAlert', () => {
  const build = (now: number) =>
    buildAlert({
      rule,
      kind: 'query',
      events: [{ id: 'doc-1', index: event._index, time: Date.parse(event['@timestamp']) }],
      source: event,
      originalTime: Date.parse(event['@timestamp']),
      now,
    });

  it('carries the ECS fields of the source with kibana.alert.* flattened next to them', () => {
    const a = build(Date.parse('2026-04-02T00:00:00Z'));
    expect(a['@timestamp']).toBe('2026-04-02T00:00:00.000Z');
    expect(a['kibana.alert.original_time']).toBe('2026-04-01T08:00:00.000Z');
    expect(a.host).toEqual({ name: 'web-01', id: 'h1' });
    expect(a.process).toEqual({ name: 'bash', parent: { name: 'apt' } });
    expect(a.event).toEqual({ category: ['process'], action: 'exec', kind: 'signal', module: 'endpoint' });
    expect(a['kibana.alert.original_event.action']).toBe('exec');
    expect(a['kibana.alert.original_event.kind']).toBe('event');
    expect(a['kibana.alert.original_event.module']).toBe('endpoint');
    expect(a).not.toHaveProperty('_id');
    expect(a).not.toHaveProperty('kibana');
    expect(a['kibana.alert.uuid']).toBe(alertUuid('u1', ['doc-1']));
    expect(a['kibana.alert.ancestors']).toEqual([
      { id: 'doc-1', index: 'logs-endpoint.events.process-default', type: 'event', depth: 0 },
    ]);
    expect(a['kibana.alert.severity']).toBe('high');
    expect(a['kibana.alert.risk_score']).toBe(73);
    expect(a['kibana.alert.building_block_type']).toBe('default');
    expect(a['kibana.alert.rule.parameters']).toMatchObject({
      alert_suppression: { group_by: ['host.id'], missing_fields_strategy: 'suppress' },
      max_signals: 100,
      building_block_type: 'default',
      index: ['logs-endpoint.events.*'],
      note: '## Triage\nLook at it.',
    });
    expect(a['kibana.alert.rule.note']).toBe('## Triage\nLook at it.');
    expect(a['kibana.alert.reason']).toBe(
      'process event with process bash, parent process apt, by root on web-01 created high alert Rule One.',
    );
    expect(a['kibana.alert.workflow_status']).toBe('open');
  });

  it('is deterministic: same rule and events, same id, whatever the clock', () => {
    expect(build(1)['kibana.alert.uuid']).toBe(build(2)['kibana.alert.uuid']);
    expect(alertUuid('u1', ['a', 'b'])).not.toBe(alertUuid('u1', ['b', 'a']));
    expect(alertUuid('u1', ['a'])).not.toBe(alertUuid('u2', ['a']));
  });

  it('does not share objects with the source event', () => {
    const a = build(1);
    (a.host as { name: string }).name = 'changed';
    expect(event.host.name).toBe('web-01');
  });
});

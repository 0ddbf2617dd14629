import { canonicalJson, eventId } from './event-id';
import { eventIndex } from './event-index';
import { parseEventTime } from './event-time';

describe('eventIndex', () => {
  it('prefers _index, then the data_stream triple, else null', () => {
    expect(eventIndex({ _index: 'logs-x', data_stream: { type: 'a', dataset: 'b', namespace: 'c' } })).toBe(
      'logs-x',
    );
    expect(
      eventIndex({ data_stream: { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' } }),
    ).toBe('logs-endpoint.events.process-default');
    expect(
      eventIndex({ 'data_stream.type': 'logs', 'data_stream.dataset': 'd', 'data_stream.namespace': 'n' }),
    ).toBe('logs-d-n');
    expect(eventIndex({ data_stream: { type: 'logs', dataset: 'd' } })).toBeNull();
    expect(eventIndex({})).toBeNull();
  });

  it('hands out one string per data stream while it repeats, and the right one when it changes', () => {
    const ds = (type: string, dataset: string, namespace: string) => ({
      data_stream: { type, dataset, namespace },
    });
    expect(eventIndex(ds('', '', ''))).toBe('--');
    const a = eventIndex(ds('logs', 'x', 'default'));
    expect(eventIndex(JSON.parse(JSON.stringify(ds('logs', 'x', 'default'))))).toBe(a);
    expect(eventIndex(ds('logs', 'y', 'default'))).toBe('logs-y-default');
    expect(eventIndex(ds('logs', 'x', 'prod'))).toBe('logs-x-prod');
    expect(eventIndex(ds('metrics', 'x', 'prod'))).toBe('metrics-x-prod');
    expect(eventIndex(ds('logs', 'x', 'default'))).toBe('logs-x-default');
  });
});

describe('eventId', () => {
  it('uses _id, then event.id, then a hash of the canonical JSON', () => {
    expect(eventId({ _id: 'a', event: { id: 'b' } })).toBe('a');
    expect(eventId({ event: { id: 'b' } })).toBe('b');
    expect(eventId({ 'event.id': 'c' })).toBe('c');
    const h1 = eventId({ a: 1, b: { c: [1, 2] } });
    const h2 = eventId({ b: { c: [1, 2] }, a: 1 });
    expect(h1).toBe(h2);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(eventId({ a: 2 })).not.toBe(eventId({ a: 1 }));
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}',
    );
  });
});

describe('parseEventTime', () => {
  it('reads ISO text with any fraction, epoch ms numbers and digit strings', () => {
    expect(parseEventTime('2026-04-01T08:00:00.123Z')).toBe(Date.parse('2026-04-01T08:00:00.123Z'));
    expect(parseEventTime('2026-04-01T08:00:00.123456789Z')).toBe(Date.parse('2026-04-01T08:00:00.123Z'));
    expect(parseEventTime(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseEventTime('1700000000000')).toBe(1_700_000_000_000);
    expect(parseEventTime('yesterday')).toBeNull();
    expect(parseEventTime(undefined)).toBeNull();
  });
});

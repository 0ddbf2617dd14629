import { correlateBatch, correlateDocument, eventId, PLACEHOLDER_RULE } from './stage';

const bytes = (doc: unknown) => Buffer.from(JSON.stringify(doc));

describe('correlateDocument (placeholder rule)', () => {
  const trigger = {
    '@timestamp': '2026-01-01T00:00:00Z',
    _index: 'logs-test-default',
    event: { id: 'ev-1', action: 'sequent-test' },
    host: { id: 'h1', name: 'alpha' },
  };

  it('raises one deterministic candidate for a sequent-test event', () => {
    const first = correlateDocument(bytes(trigger));
    const again = correlateDocument(bytes(trigger));
    if (!first.ok || !again.ok) throw new Error('expected ok');
    expect(first.candidates).toHaveLength(1);
    expect(first.candidates[0].key).toBe(again.candidates[0].key);
    const alert = JSON.parse(first.candidates[0].value);
    expect(alert['kibana.alert.uuid']).toBe(first.candidates[0].key);
    expect(alert).toMatchObject({
      'kibana.alert.rule.rule_id': PLACEHOLDER_RULE.rule_id,
      'kibana.alert.original_time': '2026-01-01T00:00:00Z',
      'kibana.alert.ancestors': [{ id: 'ev-1', index: 'logs-test-default', type: 'event', depth: 0 }],
      'kibana.alert.severity': 'low',
      host: { id: 'h1', name: 'alpha' },
    });
    expect(alert).not.toHaveProperty('_index');
  });

  it('gives different events different alert ids and ignores other actions', () => {
    const a = correlateDocument(bytes(trigger));
    const b = correlateDocument(bytes({ ...trigger, event: { id: 'ev-2', action: 'sequent-test' } }));
    if (!a.ok || !b.ok) throw new Error('expected ok');
    expect(a.candidates[0].key).not.toBe(b.candidates[0].key);
    expect(correlateDocument(bytes({ ...trigger, event: { action: 'exec' } }))).toEqual({
      ok: true,
      candidates: [],
    });
  });

  it('rejects input that is not a JSON object', () => {
    expect(correlateDocument(Buffer.from('{'))).toMatchObject({ ok: false, reason: 'invalid_json' });
    expect(correlateDocument(Buffer.from('"text"'))).toMatchObject({ ok: false, reason: 'not_an_object' });
  });
});

describe('eventId', () => {
  it('prefers _id, then event.id, then a hash independent of key order', () => {
    expect(eventId({ _id: 'x', event: { id: 'y' } })).toBe('x');
    expect(eventId({ event: { id: 'y' } })).toBe('y');
    expect(eventId({ a: 1, b: { c: 2, d: 3 } })).toBe(eventId({ b: { d: 3, c: 2 }, a: 1 }));
    expect(eventId({ a: 1 })).not.toBe(eventId({ a: 2 }));
  });
});

describe('correlateBatch', () => {
  it('collects candidates and rejects', () => {
    const rec = (value: string) => ({
      topic: 'e',
      partition: 0,
      offset: '0',
      key: null,
      value: Buffer.from(value),
      headers: {},
      timestamp: 0,
    });
    const result = correlateBatch([
      rec('{"event":{"action":"sequent-test","id":"1"}}'),
      rec('oops'),
      rec('{}'),
    ]);
    expect(result.outputs).toHaveLength(1);
    expect(result.rejects.map((r) => r.reason)).toEqual(['invalid_json']);
  });
});

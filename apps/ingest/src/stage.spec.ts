import { ingestBatch, ingestDocument } from './stage';

const record = (value: string, offset = '0') => ({
  topic: 'raw.ecs',
  partition: 0,
  offset,
  key: null,
  value: Buffer.from(value),
  headers: {},
  timestamp: 0,
});

describe('ingestDocument (placeholder stage)', () => {
  it('keys a valid event by host.id and re-serializes it', () => {
    const outcome = ingestDocument(
      '{ "@timestamp": "2026-01-01T00:00:00Z", "host": { "id": "h-1" }, "x": [1, 2] }',
    );
    expect(outcome).toEqual({
      ok: true,
      key: 'h-1',
      value: '{"@timestamp":"2026-01-01T00:00:00Z","host":{"id":"h-1"},"x":[1,2]}',
    });
  });

  it('accepts a dotted host.id key and leaves events without one unkeyed', () => {
    expect(ingestDocument('{"@timestamp":"2026-01-01T00:00:00Z","host.id":"h-2"}')).toMatchObject({
      key: 'h-2',
    });
    expect(ingestDocument('{"@timestamp":"2026-01-01T00:00:00Z","host":{"id":42}}')).toMatchObject({
      ok: true,
      key: null,
    });
  });

  it.each([
    ['{"@timestamp": ', 'invalid_json'],
    ['[1,2]', 'not_an_object'],
    ['null', 'not_an_object'],
    ['{"host":{"id":"h"}}', 'missing_timestamp'],
    ['{"@timestamp":"yesterday-ish"}', 'missing_timestamp'],
  ])('rejects %s as %s', (input, reason) => {
    expect(ingestDocument(input)).toMatchObject({ ok: false, reason });
  });
});

describe('ingestBatch', () => {
  it('splits a batch into outputs and rejects, keeping the rejected record', () => {
    const bad = record('nope', '1');
    const result = ingestBatch([record('{"@timestamp":"2026-01-01T00:00:00Z"}'), bad]);
    expect(result.outputs).toHaveLength(1);
    expect(result.rejects).toEqual([
      { record: bad, reason: 'invalid_json', error: expect.stringContaining('not valid JSON') },
    ]);
  });
});

import { compareEcs, isComparedField } from './compare';

describe('compareEcs (conformance README rules)', () => {
  it('compares only the detection-relevant fields the expected document has', () => {
    const expected = {
      event: { action: 'executed', original: 'x' },
      auditd: { log: { a: 1 } },
      ecs: { version: '8' },
    };
    expect(compareEcs(expected, { event: { action: 'executed' } })).toEqual([]);
    expect(compareEcs(expected, { event: { action: 'exec' } })).toEqual([
      'event.action: expected "executed", got "exec"',
    ]);
    expect(compareEcs(expected, {})).toHaveLength(1);
  });

  it('applies the leniencies: scalar vs one-element array, unordered categories, numbers by value', () => {
    expect(compareEcs({ event: { category: 'host' } }, { event: { category: ['host'] } })).toEqual([]);
    expect(compareEcs({ event: { type: ['a', 'b'] } }, { event: { type: ['b', 'a'] } })).toEqual([]);
    expect(compareEcs({ process: { args: ['a', 'b'] } }, { process: { args: ['b', 'a'] } })).toHaveLength(1);
    expect(compareEcs({ source: { port: 56473 } }, { source: { port: '56473' } })).toEqual([]);
    expect(compareEcs({ user: { id: '0' } }, { user: { id: 0 } })).toHaveLength(1);
    expect(
      compareEcs({ '@timestamp': '2018-04-25T13:28:53.08Z' }, { '@timestamp': '2018-04-25T13:28:53.080Z' }),
    ).toEqual([]);
  });

  it('ignores vendor namespaces, GeoIP and pipeline artifacts', () => {
    for (const f of [
      'auditd.log.a0',
      'winlog.event_id',
      'source.geo.city_name',
      'tags',
      'event.ingested',
      'ecs.version',
    ]) {
      expect(isComparedField(f)).toBe(false);
    }
    for (const f of [
      '@timestamp',
      'process.parent.pid',
      'user.effective.id',
      'dns.question.type',
      'related.user',
    ]) {
      expect(isComparedField(f)).toBe(true);
    }
  });
});

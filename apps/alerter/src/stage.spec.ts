import type { AlertDeduper } from './dedupe';
import { alertBatch, parseCandidate } from './stage';

class MemoryDeduper implements AlertDeduper {
  readonly published = new Set<string>();
  async seen(uuids: string[]) {
    return uuids.map((u) => this.published.has(u));
  }
  async markPublished(uuids: string[]) {
    uuids.forEach((u) => this.published.add(u));
  }
}

const rec = (value: string) => ({
  topic: 'c',
  partition: 0,
  offset: '0',
  key: null,
  value: Buffer.from(value),
  headers: {},
  timestamp: 0,
});
const alert = (uuid: string) => JSON.stringify({ 'kibana.alert.uuid': uuid, n: 1 });

describe('alertBatch (placeholder stage)', () => {
  it('publishes each new id once, and records ids only after publishing', async () => {
    const deduper = new MemoryDeduper();
    const result = await alertBatch([rec(alert('a')), rec(alert('b')), rec(alert('a'))], deduper);
    expect(result.outputs.map((o) => o.key)).toEqual(['a', 'b']);
    expect(result.duplicates).toBe(1);
    expect(deduper.published.size).toBe(0);
    await result.onProduced?.();
    expect([...deduper.published]).toEqual(['a', 'b']);

    const replay = await alertBatch([rec(alert('a')), rec(alert('c'))], deduper);
    expect(replay.outputs.map((o) => o.key)).toEqual(['c']);
    expect(replay.duplicates).toBe(1);
  });

  it('dead-letters candidates without a usable id', async () => {
    const result = await alertBatch(
      [rec('{'), rec('[]'), rec('{"kibana":{"alert":{"uuid":7}}}')],
      new MemoryDeduper(),
    );
    expect(result.rejects.map((r) => r.reason)).toEqual([
      'invalid_json',
      'not_an_object',
      'missing_alert_uuid',
    ]);
    expect(result.outputs).toEqual([]);
  });

  it('reads nested and dotted uuid fields alike', () => {
    expect(parseCandidate(Buffer.from('{"kibana":{"alert":{"uuid":"n"}}}'))).toMatchObject({
      ok: true,
      uuid: 'n',
    });
    expect(parseCandidate(Buffer.from('{"kibana.alert.uuid":"d"}'))).toMatchObject({ ok: true, uuid: 'd' });
  });
});

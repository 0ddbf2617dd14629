// Hostile records the fuzz suite (tools/fuzz) found the ingest stage dropping without a trace.
import type { BusBatch } from '../bus';
import { IngestStage } from './ingest-stage';

const batchOf = (topic: string, values: Array<string | Buffer>): BusBatch => ({
  topic,
  partition: 0,
  records: values.map((v, i) => ({
    topic,
    partition: 0,
    offset: String(i),
    key: null,
    value: Buffer.isBuffer(v) ? v : Buffer.from(v),
    headers: {},
    timestamp: 0,
  })),
});

describe('IngestStage with empty records', () => {
  it.each(['raw.ecs', 'raw.auditd', 'raw.sysmon'])(
    'dead-letters empty and whitespace-only records of %s with their offsets, and counts them',
    async (topic) => {
      const format = topic === 'raw.ecs' ? 'ecs' : topic === 'raw.auditd' ? 'auditd' : 'sysmon-linux';
      const rejects: string[] = [];
      const stage = new IngestStage({
        eventsTopic: 'ecs.events',
        sources: [{ topic, format, shape: 'endpoint' }],
        onReject: (_source, reason) => rejects.push(reason),
      });
      const r = await stage.handleBatch(batchOf(topic, ['', ' ', '\n\r\n', '\t']));
      expect(r.outputs.flatMap((o) => o.records)).toEqual([]);
      expect(r.dlq.map((d) => [d.reason, d.source?.offset])).toEqual([
        ['empty_record', '0'],
        ['empty_record', '1'],
        ['empty_record', '2'],
        ['empty_record', '3'],
      ]);
      expect(rejects).toEqual(['empty_record', 'empty_record', 'empty_record', 'empty_record']);
    },
  );

  it('still reads a record with blank lines around an event', async () => {
    const stage = new IngestStage({ eventsTopic: 'ecs.events' });
    const r = await stage.handleBatch(batchOf('raw.ecs', ['\n{"@timestamp":"2026-01-01T00:00:00Z"}\n\n']));
    expect(r.outputs.flatMap((o) => o.records)).toHaveLength(1);
    expect(r.dlq).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusBatch } from '../bus';
import { IngestStage } from './ingest-stage';

const batchOf = (topic: string, values: string[], firstOffset = 0): BusBatch => ({
  topic,
  partition: 0,
  records: values.map((v, i) => ({
    topic,
    partition: 0,
    offset: String(firstOffset + i),
    key: null,
    value: Buffer.from(v),
    headers: {},
    timestamp: 0,
  })),
});

const chain = readFileSync(join(__dirname, '../../../ecs/src/testdata/apt-chain.audit.log'), 'utf8');
const records = (r: Awaited<ReturnType<IngestStage['handleBatch']>>) => r.outputs.flatMap((o) => o.records);

describe('IngestStage', () => {
  it('passes ECS through keyed by host.id (nested or dotted), unkeyed without a string id', async () => {
    const stage = new IngestStage({ eventsTopic: 'ecs.events' });
    const r = await stage.handleBatch(
      batchOf('raw.ecs', [
        '{ "@timestamp": "2026-01-01T00:00:00Z", "host": { "id": "h-1" }, "x": [1, 2] }',
        '{"@timestamp":"2026-01-01T00:00:00Z","host.id":"h-2"}',
        '{"@timestamp":"2026-01-01T00:00:00Z","host":{"id":42}}',
      ]),
    );
    expect(r.outputs[0].topic).toBe('ecs.events');
    expect(records(r).map((o) => o.key)).toEqual(['h-1', 'h-2', null]);
    expect(JSON.parse(String(records(r)[0].value))).toMatchObject({ host: { id: 'h-1' }, x: [1, 2] });
    expect(r.dlq).toEqual([]);
  });

  it.each([
    ['{"@timestamp": ', 'invalid_json'],
    ['[1,2]', 'type_mismatch'],
    ['{"host":{"id":"h"}}', 'missing_timestamp'],
    ['{"@timestamp":"yesterday-ish"}', 'type_mismatch'],
  ])('dead-letters %s as %s with the original line and its source offset', async (input, reason) => {
    const stage = new IngestStage({ eventsTopic: 'ecs.events' });
    const r = await stage.handleBatch(batchOf('raw.ecs', [input], 7));
    expect(records(r)).toEqual([]);
    expect(r.dlq).toEqual([
      expect.objectContaining({
        reason,
        original: input,
        source: { topic: 'raw.ecs', partition: 0, offset: '7' },
      }),
    ]);
  });

  it('normalizes raw auditd (endpoint shape) across batches into events keyed by host.id with _index set', async () => {
    const stage = new IngestStage({
      eventsTopic: 'e',
      sources: [{ topic: 'raw.auditd', format: 'auditd', shape: 'endpoint' }],
    });
    const lines = chain.trim().split('\n');
    // The records of one audit event may span Kafka batches: the normalizer keeps them.
    const first = await stage.handleBatch(batchOf('raw.auditd', lines.slice(0, 9)));
    const second = await stage.handleBatch(batchOf('raw.auditd', lines.slice(9), 9));
    const end = await stage.flush();
    expect([...first.dlq, ...second.dlq, ...end.dlq]).toEqual([]);
    const docs = [...records(first), ...records(second), ...records(end)].map((o) =>
      JSON.parse(String(o.value)),
    );
    expect(docs.map((d) => [d.host.id, d.event.action, d._index])).toEqual([
      ['build-01', 'exec', 'logs-endpoint.events.process-default'],
      ['build-01', 'exec', 'logs-endpoint.events.process-default'],
      ['build-01', 'exec', 'logs-endpoint.events.process-default'],
      ['build-01', 'connection_attempted', 'logs-endpoint.events.network-default'],
    ]);
    expect(docs[2].process.parent.entity_id).toBe(docs[1].process.entity_id);
  });

  it('counts rejects by source and reason', async () => {
    const counted: string[] = [];
    const stage = new IngestStage({
      eventsTopic: 'e',
      sources: [{ topic: 'raw.sysmon', format: 'sysmon-linux', shape: 'integration' }],
      onReject: (source, reason) => counted.push(`${source}:${reason}`),
    });
    const r = await stage.handleBatch(
      batchOf('raw.sysmon', ['Oct 24 17:06:14 h sysmon: <Event><System></System></Event>']),
    );
    await stage.handleBatch(batchOf('raw.ecs', ['{"no":"timestamp"}', '{']));
    expect(r.dlq[0].error).toMatch(/^line 1: /);
    expect(counted).toEqual([
      'raw.sysmon:invalid_record',
      'raw.ecs:missing_timestamp',
      'raw.ecs:invalid_json',
    ]);
  });

  it('sets the configured index on passthrough events that name none', async () => {
    const stage = new IngestStage({
      eventsTopic: 'e',
      sources: [
        {
          topic: 'raw.ecs',
          format: 'ecs',
          shape: 'integration',
          index: 'logs-endpoint.events.process-default',
        },
      ],
    });
    const r = await stage.handleBatch(
      batchOf('raw.ecs', ['{"@timestamp":"2026-01-01T00:00:00Z","host":{"id":"h"}}']),
    );
    expect(JSON.parse(String(records(r)[0].value))._index).toBe('logs-endpoint.events.process-default');
  });

  it('normalizes a whole HTTP body of one format, flushing its audit events at the end', () => {
    const stage = new IngestStage({ eventsTopic: 'e' });
    const res = stage.body(chain + 'garbage\n', { topic: 'http', format: 'auditd', shape: 'integration' });
    expect(res.outputs.map((o) => JSON.parse(String(o.value)).event.action)).toEqual([
      'executed',
      'executed',
      'executed',
      'connected-to',
    ]);
    expect(res.rejects).toEqual([
      {
        line: chain.trim().split('\n').length + 1,
        original: 'garbage',
        reason: 'invalid_record',
        error: expect.stringMatching(/^line \d+: not an auditd record/),
      },
    ]);
  });
});

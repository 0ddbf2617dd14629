import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngestStage } from './stage';
import { ingestConfigSchema } from './config';

const record = (topic: string, value: string, offset = '0') => ({
  topic,
  partition: 0,
  offset,
  key: null,
  value: Buffer.from(value),
  headers: {},
  timestamp: 0,
});

const chain = readFileSync(join(__dirname, '../../../libs/ecs/src/testdata/apt-chain.audit.log'), 'utf8');

describe('ingest stage with per-source normalizers', () => {
  it('normalizes raw auditd (endpoint shape) into events keyed by host.id with _index set', () => {
    const stage = new IngestStage([{ topic: 'raw.auditd', format: 'auditd', shape: 'endpoint' }]);
    const lines = chain.trim().split('\n');
    // records of one audit event may span Kafka batches: the normalizer keeps them
    const first = stage.batch(lines.slice(0, 9).map((l, i) => record('raw.auditd', l, String(i))));
    const second = stage.batch(lines.slice(9).map((l, i) => record('raw.auditd', l, String(9 + i))));
    const outputs = [...first.outputs, ...second.outputs];
    expect(first.rejects).toEqual([]);
    expect(second.rejects).toEqual([]);
    expect(outputs.map((o) => o.key)).toEqual(['build-01', 'build-01', 'build-01', 'build-01']);
    const docs = outputs.map((o) => JSON.parse(String(o.value)));
    expect(docs.map((d) => [d.event.action, d._index])).toEqual([
      ['exec', 'logs-endpoint.events.process-default'],
      ['exec', 'logs-endpoint.events.process-default'],
      ['exec', 'logs-endpoint.events.process-default'],
      ['connection_attempted', 'logs-endpoint.events.network-default'],
    ]);
    expect(docs[2].process.parent.entity_id).toBe(docs[1].process.entity_id);
  });

  it('dead-letters unreadable records with a reason and counts them by source', () => {
    const counted: string[] = [];
    const stage = new IngestStage(
      [{ topic: 'raw.sysmon', format: 'sysmon-linux', shape: 'integration' }],
      (source, reason) => counted.push(`${source}:${reason}`),
    );
    const bad = record('raw.sysmon', 'Oct 24 17:06:14 h sysmon: <Event><System></System></Event>');
    const result = stage.batch([bad, record('raw.ecs', '{"no":"timestamp"}'), record('raw.ecs', '{')]);
    expect(result.outputs).toEqual([]);
    expect(result.rejects.map((r) => [r.record.topic, r.reason])).toEqual([
      ['raw.sysmon', 'invalid_record'],
      ['raw.ecs', 'missing_timestamp'],
      ['raw.ecs', 'invalid_json'],
    ]);
    expect(result.rejects[0].error).toMatch(/^line 1: /);
    expect(counted).toEqual([
      'raw.sysmon:invalid_record',
      'raw.ecs:missing_timestamp',
      'raw.ecs:invalid_json',
    ]);
  });

  it('reads per-source settings from SEQUENT_SOURCES', () => {
    const parsed = ingestConfigSchema.shape.sources.parse(
      JSON.parse(
        '[{"topic":"raw.auditd","format":"auditd","shape":"endpoint"},{"topic":"raw.ecs","format":"ecs","index":"logs-endpoint.events.process-default"}]',
      ),
    );
    expect(parsed).toEqual([
      { topic: 'raw.auditd', format: 'auditd', shape: 'endpoint' },
      {
        topic: 'raw.ecs',
        format: 'ecs',
        shape: 'integration',
        index: 'logs-endpoint.events.process-default',
      },
    ]);
    expect(() => ingestConfigSchema.shape.sources.parse([{ topic: 'x', format: 'csv' }])).toThrow();
    const stage = new IngestStage(parsed);
    const out = stage.batch([record('raw.ecs', '{"@timestamp":"2026-01-01T00:00:00Z","host":{"id":"h"}}')]);
    expect(JSON.parse(String(out.outputs[0].value))._index).toBe('logs-endpoint.events.process-default');
  });

  it('normalizes a whole HTTP body of one format, flushing its audit events at the end', () => {
    const stage = new IngestStage();
    const res = stage.body(chain + 'garbage\n', { topic: 'http', format: 'auditd', shape: 'integration' });
    expect(res.outputs.map((o) => JSON.parse(o.value).event.action)).toEqual([
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

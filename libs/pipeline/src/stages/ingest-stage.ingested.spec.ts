// event.ingested: stamped by ingest when absent (the alerter's ingest_time latency reads it).
import type { BusBatch } from '../bus';
import { IngestStage } from './ingest-stage';

const batch = (values: string[], timestamp: number): BusBatch => ({
  topic: 'raw.ecs',
  partition: 0,
  records: values.map((v, i) => ({
    topic: 'raw.ecs',
    partition: 0,
    offset: String(i),
    key: null,
    value: Buffer.from(v),
    headers: {},
    timestamp,
  })),
});

const docsOf = (r: Awaited<ReturnType<IngestStage['handleBatch']>>) =>
  r.outputs.flatMap((o) => o.records).map((o) => JSON.parse(String(o.value)));

const WALL = Date.parse('2026-05-05T05:05:05.000Z');
const TS = '"@timestamp":"2026-01-01T00:00:00Z"';

describe('IngestStage event.ingested', () => {
  it('stamps Kafka records with the record timestamp (replays stay byte-identical), keeps a given one', async () => {
    const stage = new IngestStage({ eventsTopic: 'e', now: () => WALL });
    const input = [
      `{${TS}}`,
      `{${TS},"event":{"action":"x"}}`,
      `{${TS},"event":{"ingested":"2025-12-31T23:59:59.000Z"}}`,
      `{${TS},"event.ingested":"2025-12-31T23:59:58.000Z"}`,
    ];
    const recordTime = Date.parse('2026-01-01T00:00:01.500Z');
    const first = await stage.handleBatch(batch(input, recordTime));
    expect(docsOf(first).map((d) => d.event?.ingested ?? d['event.ingested'])).toEqual([
      '2026-01-01T00:00:01.500Z',
      '2026-01-01T00:00:01.500Z',
      '2025-12-31T23:59:59.000Z',
      '2025-12-31T23:59:58.000Z',
    ]);
    expect(docsOf(first)[1].event.action).toBe('x');
    const replay = await stage.handleBatch(batch(input, recordTime));
    expect(replay.outputs).toEqual(first.outputs);
  });

  it('uses the wall clock for records without a timestamp and for HTTP/gRPC bodies', async () => {
    const stage = new IngestStage({ eventsTopic: 'e', now: () => WALL });
    const r = await stage.handleBatch(batch([`{${TS}}`], 0));
    expect(docsOf(r)[0].event.ingested).toBe('2026-05-05T05:05:05.000Z');
    const body = stage.body(`{${TS}}\n`, { topic: 'http', format: 'ecs', shape: 'integration' });
    expect(JSON.parse(String(body.outputs[0].value)).event.ingested).toBe('2026-05-05T05:05:05.000Z');
  });
});

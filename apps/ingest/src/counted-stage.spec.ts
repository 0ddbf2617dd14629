import { Metrics } from '@sequent/platform';
import { IngestStage, type BusBatch } from '@sequent/pipeline';
import { CountedIngestStage } from './counted-stage';
import { ingestMetrics } from './ingest-metrics';

const batch = (topic: string, values: string[]): BusBatch => ({
  topic,
  partition: 0,
  records: values.map((v, i) => ({
    topic,
    partition: 0,
    offset: String(i),
    key: null,
    value: Buffer.from(v),
    headers: {},
    timestamp: 1,
  })),
});

describe('CountedIngestStage', () => {
  it('counts events by source topic, format and outcome, and raw bytes by topic', async () => {
    const metrics = new Metrics({ service: 'ingest', defaultMetrics: false });
    const sources = [{ topic: 'raw.sysmon', format: 'sysmon-linux' as const, shape: 'integration' as const }];
    const stage = new CountedIngestStage(
      new IngestStage({ eventsTopic: 'e', sources }),
      sources,
      ingestMetrics(metrics),
    );
    const good = '{"@timestamp":"2026-01-01T00:00:00Z"}';
    const result = await stage.handleBatch(batch('raw.ecs', [good, good, '{']));
    expect(result.outputs[0].records).toHaveLength(2);
    await stage.handleBatch(batch('raw.sysmon', ['not sysmon']));
    const events = await metrics.registry.getSingleMetric('sequent_ingest_events_total')!.get();
    expect(events.values.map((v) => [v.labels, v.value])).toEqual([
      [{ source: 'raw.ecs', format: 'ecs', outcome: 'ok' }, 2],
      [{ source: 'raw.ecs', format: 'ecs', outcome: 'failed' }, 1],
      [{ source: 'raw.sysmon', format: 'sysmon-linux', outcome: 'failed' }, 1],
    ]);
    const bytes = await metrics.registry.getSingleMetric('sequent_ingest_bytes_total')!.get();
    expect(bytes.values.map((v) => [v.labels, v.value])).toEqual([
      [{ source: 'raw.ecs' }, 2 * good.length + 1],
      [{ source: 'raw.sysmon' }, 'not sysmon'.length],
    ]);
  });
});

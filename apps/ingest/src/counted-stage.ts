// The ingest stage on Kafka raw topics, counted per source topic (docs/metrics.md):
// sequent_ingest_events_total{source,format,outcome} and sequent_ingest_bytes_total{source}.
// The stage itself stays metric-free (the embedded wiring runs it too).
import type { BusBatch, IngestSource, IngestStage, Stage, StageResult } from '@sequent/pipeline';
import type { IngestMetrics } from './ingest-metrics';

export class CountedIngestStage implements Stage {
  readonly name = 'ingest' as const;
  private readonly formats = new Map<string, string>();

  constructor(
    private readonly stage: IngestStage,
    sources: IngestSource[],
    private readonly metrics: IngestMetrics,
  ) {
    for (const s of sources) this.formats.set(s.topic, s.format);
  }

  async handleBatch(batch: BusBatch): Promise<StageResult> {
    const result = await this.stage.handleBatch(batch);
    let received = 0;
    for (const r of batch.records) received += r.value.length;
    const ok = result.outputs.reduce((n, o) => n + o.records.length, 0);
    // Unlisted topics carry ECS (the stage's default); the topic list is configuration.
    const format = this.formats.get(batch.topic) ?? 'ecs';
    this.metrics.count(batch.topic, format, received, ok, result.dlq.length);
    return result;
  }

  flush(): Promise<StageResult> {
    return this.stage.flush();
  }
}

// Ingest's own metrics (docs/metrics.md), on the service registry. Get-or-create, so the Kafka
// stage, the HTTP intake and the gRPC intake count into the same instruments. `source` is a
// configured raw topic name, `http` or `grpc`: bounded by configuration, never by input.
import { stageCounters, type Metrics } from '@sequent/platform';

export type IngestOutcome = 'ok' | 'failed';

export function ingestMetrics(metrics: Metrics) {
  const events = metrics.counter(
    'sequent_ingest_events_total',
    'Ingest events by source, format and outcome (ok: produced to the events topic; failed: sent to the DLQ).',
    ['source', 'format', 'outcome'],
  );
  const bytes = metrics.counter('sequent_ingest_bytes_total', 'Raw bytes received by ingest, by source.', [
    'source',
  ]);
  const rejected = metrics.counter(
    'sequent_ingest_rejected_total',
    'Raw records ingest could not normalize, by source topic and reason.',
    ['source', 'reason'],
  );
  return {
    ...stageCounters(metrics),
    events,
    bytes,
    rejected,
    /** Counts one handled input batch (a Kafka batch, an HTTP body, a gRPC message). */
    count(source: string, format: string, received: number, ok: number, failed: number): void {
      if (received > 0) bytes.inc({ source }, received);
      if (ok > 0) events.inc({ source, format, outcome: 'ok' }, ok);
      if (failed > 0) events.inc({ source, format, outcome: 'failed' }, failed);
    },
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;

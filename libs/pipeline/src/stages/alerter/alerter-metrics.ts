// The alerter's metrics (docs/metrics.md), on the service's registry. Labels stay bounded: rule
// labels for the first `maxRules` rule ids seen (then `other`), entity labels for the top-N only.
import type { EntityRisk } from '@sequent/alerting';
import type { Metrics } from '@sequent/platform';
import { Gauge } from 'prom-client';

/** The first `max` distinct values pass through; later ones become `other`. */
export class BoundedLabel {
  private readonly known = new Set<string>();
  constructor(private readonly max: number) {}
  get(value: string): string {
    if (this.known.has(value)) return value;
    if (this.known.size >= this.max) return 'other';
    this.known.add(value);
    return value;
  }
}

export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

export function createAlerterMetrics(
  metrics: Metrics,
  options: { topN: number; topEntities: (n: number) => Promise<EntityRisk[]>; maxRules?: number },
) {
  const rule = new BoundedLabel(options.maxRules ?? 500);
  const entityRisk = new Gauge<'entity_type' | 'entity'>({
    name: 'sequent_entity_risk_score',
    help: 'Entity risk score (0-100) of the top-N riskiest hosts and users.',
    labelNames: ['entity_type', 'entity'],
    registers: [metrics.registry],
    // Read at scrape time, so the gauge never keeps entities that left the top N.
    async collect() {
      if (options.topN <= 0) return;
      try {
        const top = await options.topEntities(options.topN);
        this.reset();
        for (const e of top) this.set({ entity_type: e.type, entity: e.name }, e.score);
      } catch {
        // Redis unavailable: keep the last values rather than failing the scrape.
      }
    },
  });
  return {
    rule: (id: string) => rule.get(id),
    alerts: metrics.counter('sequent_alerts_total', 'Alerts published by the alerter.', ['rule', 'severity']),
    deduplicated: metrics.counter(
      'sequent_alerts_deduplicated_total',
      'Candidates dropped as duplicates of an alert already published.',
    ),
    suppressed: metrics.counter('sequent_alerts_suppressed_total', 'Alerts folded into a suppressed alert.', [
      'rule',
    ]),
    dropped: metrics.counter('sequent_alerts_dropped_total', 'Alerts dropped by the per-rule rate cap.', [
      'rule',
      'reason',
    ]),
    sinkErrors: metrics.counter(
      'sequent_sink_errors_total',
      'Alerts an output failed to take after retries.',
      ['sink'],
    ),
    latency: metrics.histogram(
      'sequent_detection_latency_seconds',
      'Alert time minus source event time (event_time) or ingest time (ingest_time).',
      ['basis'],
      LATENCY_BUCKETS,
    ),
    entityRisk,
  };
}

export type AlerterMetrics = ReturnType<typeof createAlerterMetrics>;

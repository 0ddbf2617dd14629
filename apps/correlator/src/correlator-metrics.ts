// The correlator's own metrics (docs/metrics.md), read from the engine's partition processors
// and the Redis state store after every batch. Their counters are cumulative, so the
// Prometheus counters advance by the difference since the last reading.
import type { AlertDocument, DetectionEngine, PartitionProcessor } from '@sequent/engine';
import type { Metrics, RedisStateStore } from '@sequent/platform';

const REDIS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const RULE_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];
/** Rules with their own label; the rest are summed under `other` (labels stay bounded). */
const TOP_RULES = 10;

export class CorrelatorMetrics {
  private readonly late;
  private readonly watermarkDelay;
  private readonly stateEntries;
  private readonly evictions;
  private readonly redisDuration;
  private readonly redisErrors;
  private readonly seen = new Map<string, { late: number; evictions: number }>();
  private readonly sizes = new Map<string, { sequences: number; thresholds: number; buffered: number }>();
  private redisSeen = { roundTrips: 0, roundTripMs: 0, errors: 0 };
  private readonly ruleTime;
  private readonly candidateCount;
  private ruleSeen = new WeakMap<DetectionEngine, Map<string, number>>();

  constructor(
    metrics: Metrics,
    private readonly store: RedisStateStore,
  ) {
    this.late = metrics.counter(
      'sequent_correlator_late_events_total',
      'Events that arrived behind the watermark.',
      ['partition'],
    );
    this.watermarkDelay = metrics.gauge(
      'sequent_correlator_watermark_delay_seconds',
      'Wall clock minus the partition watermark.',
      ['partition'],
    );
    this.stateEntries = metrics.gauge('sequent_state_entries', 'Engine state held by this pod, by kind.', [
      'kind',
    ]);
    this.evictions = metrics.counter(
      'sequent_state_evictions_total',
      'State evicted by its bounds, by kind.',
      ['kind'],
    );
    this.redisDuration = metrics.histogram(
      'sequent_redis_command_duration_seconds',
      'Redis round trips.',
      ['op'],
      REDIS_BUCKETS,
    );
    this.redisErrors = metrics.counter('sequent_redis_errors_total', 'Redis errors.', ['op']);
    this.ruleTime = metrics.histogram(
      'sequent_rule_evaluation_seconds',
      'Time one rule took over one batch (top rules by time, the rest as other).',
      ['rule'],
      RULE_BUCKETS,
    );
    this.candidateCount = metrics.counter(
      'sequent_alert_candidates_total',
      'Alert candidates raised by the correlator, by rule.',
      ['rule'],
    );
    // Error counters exist from the start, at zero, so dashboards and alerts see a series.
    this.redisErrors.inc({ op: 'state' }, 0);
    this.evictions.inc({ kind: 'keys' }, 0);
  }

  /** Newly raised alerts (rule labels are bounded by the loaded rules). */
  candidates(alerts: readonly AlertDocument[]): void {
    for (const a of alerts) this.candidateCount.inc({ rule: a['kibana.alert.rule.name'] });
  }

  /** After a batch: the time each rule spent since the last reading (the engine keeps totals). */
  rules(engine: DetectionEngine): void {
    let seen = this.ruleSeen.get(engine);
    if (!seen) {
      seen = new Map();
      this.ruleSeen.set(engine, seen);
    }
    const all = engine.topRules(Number.MAX_SAFE_INTEGER);
    let other = 0;
    all.forEach((r, i) => {
      const delta = r.timeMs - (seen.get(r.rule_id) ?? 0);
      seen.set(r.rule_id, r.timeMs);
      if (delta <= 0) return;
      if (i < TOP_RULES) this.ruleTime.observe({ rule: r.name }, delta / 1000);
      else other += delta;
    });
    if (other > 0) this.ruleTime.observe({ rule: 'other' }, other / 1000);
  }

  /** After a batch of `processor`'s partition. */
  partition(processor: PartitionProcessor): void {
    const name = processor.partition;
    const stats = processor.stats();
    const before = this.seen.get(name) ?? { late: 0, evictions: 0 };
    this.late.inc({ partition: name }, Math.max(0, stats.late - before.late));
    if (stats.evictions > before.evictions)
      this.evictions.inc({ kind: 'keys' }, stats.evictions - before.evictions);
    this.seen.set(name, { late: stats.late, evictions: stats.evictions });

    const watermark = processor.watermark;
    if (watermark !== null)
      this.watermarkDelay.set({ partition: name }, Math.max(0, (Date.now() - watermark) / 1000));

    this.sizes.set(name, processor.stateSizes());
    let sequences = 0;
    let thresholds = 0;
    let buffered = 0;
    for (const s of this.sizes.values()) {
      sequences += s.sequences;
      thresholds += s.thresholds;
      buffered += s.buffered;
    }
    this.stateEntries.set({ kind: 'sequence' }, sequences);
    this.stateEntries.set({ kind: 'threshold' }, thresholds);
    this.stateEntries.set({ kind: 'buffered' }, buffered);

    const redis = this.store.stats;
    const trips = redis.roundTrips - this.redisSeen.roundTrips;
    if (trips > 0) {
      // The store keeps totals; each new round trip is observed at the batch's mean latency.
      const mean = (redis.roundTripMs - this.redisSeen.roundTripMs) / trips / 1000;
      for (let i = 0; i < trips; i++) this.redisDuration.observe({ op: 'state' }, mean);
    }
    if (redis.errors > this.redisSeen.errors)
      this.redisErrors.inc({ op: 'state' }, redis.errors - this.redisSeen.errors);
    this.redisSeen = { roundTrips: redis.roundTrips, roundTripMs: redis.roundTripMs, errors: redis.errors };
  }
}

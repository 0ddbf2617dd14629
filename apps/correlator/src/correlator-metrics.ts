// The correlator's own metrics (docs/metrics.md), read from the engine's partition processors
// and the Redis state store after every batch. Their counters are cumulative, so the
// Prometheus counters advance by the difference since the last reading.
import type { PartitionProcessor } from '@sequent/engine';
import type { Metrics, RedisStateStore } from '@sequent/platform';

const REDIS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

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
  }

  /** After a batch of `processor`'s partition. */
  partition(processor: PartitionProcessor): void {
    const name = processor.partition;
    const stats = processor.stats();
    const before = this.seen.get(name) ?? { late: 0, evictions: 0 };
    if (stats.late > before.late) this.late.inc({ partition: name }, stats.late - before.late);
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

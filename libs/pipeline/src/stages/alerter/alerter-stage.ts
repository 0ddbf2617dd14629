// The alerter as a libs/pipeline Stage, for the embedded wiring (`sequent start`: one process,
// in-memory bus and state). Same decisions as the service (AlertStage on @sequent/alerting),
// with in-memory stores; alerts go to `alertsTopic`, bad candidates and undeliverable alerts to
// the stage's DLQ.
import {
  AlertProcessor,
  DEFAULT_ALERTING_CONFIG,
  EventClockEntityRiskStore,
  memoryAlertingStores,
  MemoryRiskWatermark,
  type AlertingConfig,
  type AlertingStores,
} from '@sequent/alerting';
import type { Bus, BusBatch } from '../../bus';
import { dlqRecords, type Stage, type StageResult } from '../../stage';
import type { Logger, Metrics } from '@sequent/platform';
import { LocalAlertFeed } from './alert-feed';
import { createAlerterMetrics } from './alerter-metrics';
import type { AlertSink, RetryOptions } from './sinks';
import { AlertStage } from './alert-stage';

export interface EmbeddedAlerterOptions {
  bus: Bus;
  alertsTopic?: string;
  dlqTopic?: string;
  stores?: AlertingStores;
  /** Entity risk window: `event` (default here) ends at the latest alert time, `wall` at now. */
  riskClock?: 'wall' | 'event';
  config?: Partial<AlertingConfig>;
  sinks?: AlertSink[];
  retry?: RetryOptions;
  /** The service registry to count on (same metric names as the alerter service). */
  metrics?: Metrics;
  metricsTopN?: number;
  logger?: Logger;
  clock?: () => number;
}

/** An AlertStage as a pipeline Stage: the alerter service runs it on the Kafka bus with Redis
 * stores, the embedded wiring (below) on the memory bus with memory stores. */
export class AlerterStage implements Stage {
  readonly name = 'alerter' as const;

  constructor(
    private readonly alertStage: AlertStage,
    private readonly alertsTopic: string,
  ) {}

  async handleBatch(batch: BusBatch): Promise<StageResult> {
    const result = await this.alertStage.process(batch.records);
    return {
      outputs: [{ topic: this.alertsTopic, records: result.outputs }],
      dlq: result.rejects.map((r) => ({
        original: r.record.value,
        reason: r.reason,
        error: r.error,
        source: { topic: r.record.topic, partition: r.record.partition, offset: r.record.offset },
      })),
      afterPublish: result.onProduced,
    };
  }
}

/** The alerter of the embedded wiring: the same AlertStage on in-memory stores. */
export class EmbeddedAlerterStage extends AlerterStage {
  readonly stores: AlertingStores;
  /** Live alerts (what StreamAlerts serves in the service). */
  readonly feed: LocalAlertFeed;

  constructor(options: EmbeddedAlerterOptions) {
    const clock = options.clock ?? Date.now;
    let stores = options.stores;
    if (!stores) {
      const memory = memoryAlertingStores({ clock });
      // Replays of recorded telemetry are the embedded wiring's usual input: window entity risk
      // by the alerts' own times unless asked otherwise.
      if ((options.riskClock ?? 'event') === 'event')
        memory.entityRisk = new EventClockEntityRiskStore(
          memory.entityRisk,
          new MemoryRiskWatermark(),
          clock,
        );
      stores = memory;
    }
    const known: AlertingStores = stores;
    const feed = new LocalAlertFeed();
    const dlqTopic = options.dlqTopic ?? 'alerts.dlq';
    const stage = new AlertStage({
      processor: new AlertProcessor(known, { ...DEFAULT_ALERTING_CONFIG, ...options.config }),
      metrics: options.metrics
        ? createAlerterMetrics(options.metrics, {
            topN: options.metricsTopN ?? 10,
            topEntities: (n) => known.entityRisk.top(n, clock()),
          })
        : undefined,
      feed,
      sinks: options.sinks,
      retry: options.retry,
      deadLetter: (items) =>
        options.bus.produce(
          dlqTopic,
          dlqRecords(
            'alerter',
            items.map((i) => ({ ...i, error: typeof i.error === 'string' ? i.error : i.error.message })),
          ),
        ),
      logger: options.logger,
      clock,
    });
    super(stage, options.alertsTopic ?? 'alerts');
    this.stores = known;
    this.feed = feed;
  }
}

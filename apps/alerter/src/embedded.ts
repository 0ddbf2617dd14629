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
import { dlqRecords, type Bus, type BusBatch, type Stage, type StageResult } from '@sequent/pipeline';
import type { Logger, Metrics } from '@sequent/platform';
import { LocalAlertFeed } from './alert-feed';
import { createAlerterMetrics } from './alerter-metrics';
import type { AlertSink, RetryOptions } from './sinks';
import { AlertStage } from './stage';

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

export class EmbeddedAlerterStage implements Stage {
  readonly name = 'alerter' as const;
  readonly stores: AlertingStores;
  /** Live alerts (what StreamAlerts serves in the service). */
  readonly feed = new LocalAlertFeed();
  private readonly stage: AlertStage;
  private readonly alertsTopic: string;

  constructor(options: EmbeddedAlerterOptions) {
    const clock = options.clock ?? Date.now;
    if (options.stores) this.stores = options.stores;
    else {
      const stores = memoryAlertingStores({ clock });
      // Replays of recorded telemetry are the embedded wiring's usual input: window entity risk
      // by the alerts' own times unless asked otherwise.
      if ((options.riskClock ?? 'event') === 'event')
        stores.entityRisk = new EventClockEntityRiskStore(
          stores.entityRisk,
          new MemoryRiskWatermark(),
          clock,
        );
      this.stores = stores;
    }
    this.alertsTopic = options.alertsTopic ?? 'alerts';
    const dlqTopic = options.dlqTopic ?? 'alerts.dlq';
    this.stage = new AlertStage({
      processor: new AlertProcessor(this.stores, { ...DEFAULT_ALERTING_CONFIG, ...options.config }),
      metrics: options.metrics
        ? createAlerterMetrics(options.metrics, {
            topN: options.metricsTopN ?? 10,
            topEntities: (n) => this.stores.entityRisk.top(n, clock()),
          })
        : undefined,
      feed: this.feed,
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
  }

  async handleBatch(batch: BusBatch): Promise<StageResult> {
    const result = await this.stage.process(batch.records);
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

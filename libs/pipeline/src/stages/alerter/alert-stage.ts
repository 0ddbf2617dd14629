// The alerter stage: one consumed batch of candidates in, alerts out (the decisions are
// @sequent/alerting's AlertProcessor). After the broker acknowledged the alerts (onProduced):
// persist the decisions (dedupe ids, suppression, rate cap, entity risk), count them, record the
// alerts for ListAlerts, push them to live streams, and deliver them to the sinks.
import type { AlertProcessor, PublishedAlert } from '@sequent/alerting';
import { getField } from '@sequent/ecs';
import type { DlqInput, KafkaBusRecord, Logger, StageResult } from '@sequent/platform';
import type { AlertFeed } from './alert-feed';
import type { StoredAlert } from './alert-view';
import type { AlerterMetrics } from './alerter-metrics';
import { deliverWithRetry, type AlertSink, type RetryOptions } from './sinks';

export interface RecentAlertsStore {
  add(alerts: StoredAlert[], now: number): Promise<void>;
}

export interface AlertStageDeps {
  processor: AlertProcessor;
  metrics?: AlerterMetrics;
  recent?: RecentAlertsStore;
  feed?: AlertFeed;
  sinks?: AlertSink[];
  retry?: RetryOptions;
  /** Dead-letters alerts a sink would not take. */
  deadLetter?: (items: Array<Omit<DlqInput, 'stage'>>) => Promise<void>;
  clock?: () => number;
  logger?: Logger;
}

/** Header on `alerts` records that re-publish a kept alert with new suppression counts. */
export const UPDATE_HEADER = 'sequent-alert-update';

function timeOf(v: unknown): number | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first !== 'string' && typeof first !== 'number') return undefined;
  const t = typeof first === 'number' ? first : Date.parse(first);
  return Number.isFinite(t) ? t : undefined;
}

export class AlertStage {
  constructor(private readonly deps: AlertStageDeps) {
    // Each configured sink's error series exists from the start, at zero.
    for (const sink of deps.sinks ?? []) deps.metrics?.sinkErrors.inc({ sink: sink.name }, 0);
  }

  async process(records: KafkaBusRecord[]): Promise<StageResult> {
    const now = (this.deps.clock ?? Date.now)();
    const outcome = await this.deps.processor.process(
      records.map((record) => ({ ref: record, value: record.value })),
      now,
    );
    return {
      outputs: outcome.alerts.map((a) => ({
        key: a.uuid,
        value: JSON.stringify(a.doc),
        headers: a.update ? { [UPDATE_HEADER]: 'true' } : undefined,
      })),
      rejects: outcome.rejects.map((r) => ({ record: r.ref, reason: r.reason, error: r.error })),
      onProduced: async () => {
        await outcome.commit();
        this.count(outcome.alerts, outcome.duplicates, outcome.suppressed, outcome.dropped, now);
        const stored: StoredAlert[] = outcome.alerts.map((a) => ({ ...a, publishedAt: now }));
        await this.publishViews(stored, now);
        await this.deliver(stored);
      },
    };
  }

  private count(
    alerts: PublishedAlert[],
    duplicates: number,
    suppressed: Map<string, number>,
    dropped: Map<string, number>,
    now: number,
  ): void {
    const m = this.deps.metrics;
    if (!m) return;
    if (duplicates) m.deduplicated.inc(duplicates);
    for (const [rule, n] of suppressed) m.suppressed.inc({ rule: m.rule(rule) }, n);
    for (const [rule, n] of dropped) m.dropped.inc({ rule: m.rule(rule), reason: 'rate_cap' }, n);
    for (const a of alerts) {
      if (a.update) continue;
      m.alerts.inc({ rule: m.rule(a.ruleId), severity: a.severity });
      // kibana.alert.original_time is the source event's time (an alert's @timestamp is its own).
      m.latency.observe({ basis: 'event_time' }, Math.max(0, now - a.originalTime) / 1000);
      const ingested =
        timeOf(getField(a.doc, 'kibana.alert.original_event.ingested')) ??
        timeOf(getField(a.doc, 'event.ingested'));
      if (ingested !== undefined)
        m.latency.observe({ basis: 'ingest_time' }, Math.max(0, now - ingested) / 1000);
    }
  }

  /** ListAlerts and StreamAlerts are views: a failure there is logged, never fails the batch. */
  private async publishViews(stored: StoredAlert[], now: number): Promise<void> {
    if (stored.length === 0) return;
    try {
      await this.deps.recent?.add(stored, now);
    } catch (err) {
      this.deps.logger?.warn('could not record recent alerts', { error: (err as Error).message });
    }
    try {
      await this.deps.feed?.publish(stored);
    } catch (err) {
      this.deps.logger?.warn('could not publish to the alert feed', { error: (err as Error).message });
    }
  }

  private async deliver(stored: StoredAlert[]): Promise<void> {
    const sinks = this.deps.sinks ?? [];
    const retry = this.deps.retry ?? { attempts: 3, backoffMs: 200 };
    await Promise.all(
      sinks.map(async (sink) => {
        const batch = stored.filter((a) => sink.accepts(a));
        if (batch.length === 0) return;
        const failure = await deliverWithRetry(sink, batch, retry);
        if (!failure) return;
        this.deps.metrics?.sinkErrors.inc({ sink: sink.name }, batch.length);
        this.deps.logger?.error('sink failed; alerts dead-lettered', {
          sink: sink.name,
          alerts: batch.length,
          attempts: failure.attempts,
          error: failure.error,
        });
        await this.deps.deadLetter?.(
          batch.map((a) => ({
            original: JSON.stringify(a.doc),
            reason: 'sink_failed',
            error: `${sink.name}: ${failure.error} after ${failure.attempts} attempt(s)`,
          })),
        );
      }),
    );
  }
}

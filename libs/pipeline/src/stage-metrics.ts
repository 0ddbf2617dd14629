import { stageCounters, type Metrics } from '@sequent/platform';

/** The counters every stage keeps (docs/metrics.md), on the service's registry: the same
 * get-or-create instruments the service wiring (HTTP intake) counts on, so both wirings report alike. */
export type StageMetrics = ReturnType<typeof stageCounters> & { dlqMessages: Metrics['dlqMessages'] };

export function createStageMetrics(metrics: Metrics): StageMetrics {
  return { ...stageCounters(metrics), dlqMessages: metrics.dlqMessages };
}

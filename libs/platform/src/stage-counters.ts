// What a stage's per-record logic returns over Kafka records (outputs, rejects and a hook run once
// the outputs are acknowledged), and the per-stage counters of docs/metrics.md. The loop that
// runs stages is libs/pipeline's runStage, shared by the services and the embedded wiring.
import type { KafkaBusOutgoing, KafkaBusRecord } from './kafka-bus';
import type { Metrics } from './metrics';

export interface StageReject {
  record: KafkaBusRecord;
  /** snake_case, bounded set (metric label). */
  reason: string;
  error: string;
}

export interface StageResult {
  outputs: KafkaBusOutgoing[];
  rejects: StageReject[];
  /** Runs once the outputs are acknowledged, before the offsets are committed (e.g. record alert ids as seen). */
  onProduced?: () => Promise<void>;
}

export type StageFunction = (records: KafkaBusRecord[]) => Promise<StageResult>;

/** The per-stage metrics of docs/metrics.md (shared with libs/pipeline's runStage by name). */
export function stageCounters(metrics: Metrics) {
  return {
    messagesIn: metrics.counter('sequent_messages_in_total', 'Messages consumed by a stage.', ['stage']),
    messagesOut: metrics.counter('sequent_messages_out_total', 'Messages produced to the next topic.', [
      'stage',
    ]),
    batchDuration: metrics.histogram(
      'sequent_batch_duration_seconds',
      'Time to handle one consumed batch.',
      ['stage'],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
  };
}

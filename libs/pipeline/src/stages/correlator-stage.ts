/**
 * The correlator stage: `ecs.events` in, alert candidates out, one engine partition processor
 * per assigned partition. It follows the delivery protocol of DESIGN.md through the engine's
 * PartitionProcessor: evaluate the batch and commit state + offset + alert outbox to the state
 * store, then the runner publishes the candidates, then the outbox is cleared, then the bus
 * commits offsets. On assignment the partition's state is loaded and alerts of a commit whose
 * produce never finished are published again (their ids are deterministic: the alerter dedupes).
 */
import { DEFAULT_LIMITS, LimitError, parseJsonLimited, type Limits } from '@sequent/ecs';
import {
  PartitionProcessor,
  type AlertDocument,
  type DetectionEngine,
  type ReorderOptions,
  type StateStore,
} from '@sequent/engine';
import type { BusBatch, OutgoingRecord } from '../bus';
import type { DlqItem, Stage, StageResult } from '../stage';

export interface CorrelatorStageOptions {
  engine: DetectionEngine;
  store: StateStore;
  candidatesTopic: string;
  reorder?: Partial<ReorderOptions>;
  limits?: Limits;
  /** Called after every batch with the partition's processor (metrics: watermark, late events, state size). */
  onBatch?: (processor: PartitionProcessor) => void;
}

function candidateRecords(alerts: readonly AlertDocument[]): OutgoingRecord[] {
  // Keyed by the alert id: every copy of one alert reaches the same alerter partition.
  return alerts.map((a) => ({ key: a['kibana.alert.uuid'], value: JSON.stringify(a) }));
}

export class CorrelatorStage implements Stage {
  readonly name = 'correlator' as const;
  private readonly processors = new Map<string, PartitionProcessor>();

  constructor(private readonly options: CorrelatorStageOptions) {}

  private static key(topic: string, partition: number): string {
    return `${topic}:${partition}`;
  }

  /** Partitions this stage holds, with their processors (for metrics and tests). */
  get partitions(): ReadonlyMap<string, PartitionProcessor> {
    return this.processors;
  }

  async onAssign(topic: string, partition: number): Promise<void> {
    const name = CorrelatorStage.key(topic, partition);
    const processor = await PartitionProcessor.open(this.options.engine, this.options.store, {
      partition: name,
      ...this.options.reorder,
    });
    this.processors.set(name, processor);
  }

  async onRevoke(topic: string, partition: number): Promise<void> {
    // Everything a batch changed was committed with its offset: nothing to flush, and the
    // next owner loads the partition (buffered events included) from the store.
    this.processors.delete(CorrelatorStage.key(topic, partition));
  }

  private async processor(topic: string, partition: number): Promise<PartitionProcessor> {
    const name = CorrelatorStage.key(topic, partition);
    if (!this.processors.has(name)) await this.onAssign(topic, partition);
    return this.processors.get(name)!;
  }

  async handleBatch(batch: BusBatch): Promise<StageResult> {
    const processor = await this.processor(batch.topic, batch.partition);
    const limits = this.options.limits ?? DEFAULT_LIMITS;
    const dlq: DlqItem[] = [];
    const inputs: Array<{ event: unknown; offset: string }> = [];
    for (const record of batch.records) {
      const source = { topic: record.topic, partition: record.partition, offset: record.offset };
      try {
        const event = parseJsonLimited(record.value.toString('utf8'), limits);
        if (event === null || typeof event !== 'object' || Array.isArray(event)) {
          dlq.push({
            original: record.value,
            reason: 'not_an_object',
            error: 'an ECS event must be a JSON object',
            source,
          });
          continue;
        }
        inputs.push({ event, offset: record.offset });
      } catch (err) {
        const reason = err instanceof LimitError ? err.reason : 'invalid_json';
        dlq.push({ original: record.value, reason, error: (err as Error).message, source });
      }
    }
    // Alerts committed by an earlier owner whose produce may not have finished go out first.
    const replay = processor.pendingAlerts;
    const result = await processor.processBatch(inputs);
    this.options.onBatch?.(processor);
    return {
      outputs: [
        { topic: this.options.candidatesTopic, records: candidateRecords([...replay, ...result.alerts]) },
      ],
      dlq,
      afterPublish: () => processor.ackAlerts(),
    };
  }

  /** End of a finite input: release every partition's reorder buffer. */
  async flush(): Promise<StageResult> {
    const alerts: AlertDocument[] = [];
    for (const processor of this.processors.values()) {
      alerts.push(...(await processor.flush({ endOfInput: true })).alerts);
    }
    const processors = [...this.processors.values()];
    return {
      outputs: [{ topic: this.options.candidatesTopic, records: candidateRecords(alerts) }],
      dlq: [],
      afterPublish: async () => {
        for (const p of processors) await p.ackAlerts();
      },
    };
  }
}

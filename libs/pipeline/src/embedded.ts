/**
 * The embedded wiring: every stage of the pipeline in one process, on the in-memory bus, with
 * the same stage code the services run on Kafka (DESIGN.md "One code path, two wirings").
 * Used by `sequent start` (and by tests that compare the wirings).
 */
import type { Metrics } from '@sequent/platform';
import type { BusRecord, OutgoingRecord } from './bus';
import { MemoryBus } from './memory-bus';
import { runStage, type RunningStage, type Stage } from './stage';
import { createStageMetrics } from './stage-metrics';

export interface EmbeddedStage {
  stage: Stage;
  inputTopics: string[];
  dlqTopic: string;
  /** Defaults to `sequent-<stage name>`. */
  groupId?: string;
}

export interface EmbeddedPipelineOptions {
  /** In pipeline order: a flush at the end of input runs stage by stage in this order. */
  stages: EmbeddedStage[];
  metrics?: Metrics;
  bus?: MemoryBus;
}

export class EmbeddedPipeline {
  readonly bus: MemoryBus;
  private running: RunningStage[] = [];

  constructor(private readonly options: EmbeddedPipelineOptions) {
    this.bus = options.bus ?? new MemoryBus();
  }

  async start(): Promise<void> {
    const metrics = this.options.metrics ? createStageMetrics(this.options.metrics) : undefined;
    for (const spec of this.options.stages) {
      this.running.push(
        await runStage(this.bus, spec.stage, {
          groupId: spec.groupId ?? `sequent-${spec.stage.name}`,
          inputTopics: spec.inputTopics,
          dlqTopic: spec.dlqTopic,
          metrics,
        }),
      );
    }
  }

  /** Calls `onRecord` for every record of `topics` (the alerts and DLQ topics a CLI prints). */
  async tap(topics: string[], onRecord: (record: BusRecord) => Promise<void> | void): Promise<void> {
    await this.bus.consume({
      groupId: `sequent-tap-${topics.join(',')}`,
      topics,
      onBatch: async (batch) => {
        for (const record of batch.records) await onRecord(record);
      },
    });
  }

  async feed(topic: string, records: OutgoingRecord[]): Promise<void> {
    await this.bus.produce(topic, records);
  }

  /** End of input: handle everything fed, then flush each stage in order so buffered events
   * (the correlator's reorder buffer) reach the end of the pipeline. */
  async finish(): Promise<void> {
    await this.bus.drain();
    for (const stage of this.running) {
      await stage.flush();
      await this.bus.drain();
    }
  }

  async stop(): Promise<void> {
    for (const stage of this.running.reverse()) await stage.stop();
    this.running = [];
  }
}

/**
 * Hunting: rules over a finite set of events, in event-time order, through the same engine
 * and partition processor the correlator runs (one partition, in-memory state, a reorder
 * buffer that holds everything until the end so the whole input is ordered).
 */
import type { CompiledRule } from '@sequent/rules';
import type { AlertDocument } from './alerts/alert-document';
import { eventIndex } from './event/event-index';
import { DetectionEngine, type DetectionEngineOptions } from './runtime/detection-engine';
import { PartitionProcessor, type ProcessorStats } from './runtime/partition-processor';
import type { SkippedRule } from './runtime/rule-runtime';
import { MemoryStateStore } from './state/memory-state-store';

export interface HuntOptions extends DetectionEngineOptions {
  /** Index assigned to events that have none (`sequent hunt --index NAME`). */
  index?: string;
  /** Events that only teach new_terms history (backfill), evaluated before `events`. */
  history?: Iterable<unknown>;
  timestampField?: string;
  tiebreakerField?: string;
}

export interface HuntResult {
  alerts: AlertDocument[];
  skippedRules: SkippedRule[];
  stats: ProcessorStats;
}

const BATCH = 2048;

function withIndex(event: unknown, index: string | undefined): unknown {
  if (index === undefined || event === null || typeof event !== 'object' || Array.isArray(event))
    return event;
  if (eventIndex(event) !== null) return event;
  return { ...(event as Record<string, unknown>), _index: index };
}

async function run(
  p: PartitionProcessor,
  events: Iterable<unknown>,
  index: string | undefined,
  learnOnly: boolean,
) {
  const alerts: AlertDocument[] = [];
  let batch: Array<{ event: unknown }> = [];
  for (const event of events) {
    batch.push({ event: withIndex(event, index) });
    if (batch.length >= BATCH) {
      alerts.push(...(await p.processBatch(batch, { learnOnly })).alerts);
      batch = [];
    }
  }
  if (batch.length > 0) alerts.push(...(await p.processBatch(batch, { learnOnly })).alerts);
  alerts.push(...(await p.flush({ learnOnly, endOfInput: true })).alerts);
  return alerts;
}

export async function hunt(
  rules: readonly CompiledRule[],
  events: Iterable<unknown>,
  options: HuntOptions = {},
): Promise<HuntResult> {
  const engine = new DetectionEngine(rules, options);
  const store = new MemoryStateStore({ copyValues: false });
  const order = {
    allowedLatenessMs: Number.POSITIVE_INFINITY,
    maxBuffered: Number.POSITIVE_INFINITY,
    timestampField: options.timestampField,
    tiebreakerField: options.tiebreakerField,
  };
  if (options.history) {
    const learner = await PartitionProcessor.open(engine, store, { partition: 'hunt-history', ...order });
    await run(learner, options.history, options.index, true);
  }
  const p = await PartitionProcessor.open(engine, store, { partition: 'hunt', ...order });
  const alerts = await run(p, events, options.index, false);
  return { alerts, skippedRules: engine.skipped, stats: p.stats() };
}

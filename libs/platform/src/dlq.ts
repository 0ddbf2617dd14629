// Dead-letter queue: every message a stage cannot handle goes to the stage's DLQ topic with its
// original bytes, the stage, a reason, the error and where it came from (DESIGN.md), and is
// counted in sequent_dlq_messages_total{stage,reason}.
import type { Metrics } from './metrics';

export interface DlqSource {
  topic: string;
  partition: number;
  offset: string;
}

export interface DlqEnvelope {
  /** The original message bytes, base64. */
  original: string;
  stage: string;
  /** A short, bounded machine-readable reason (metric label), e.g. `invalid_json`. */
  reason: string;
  /** Human-readable detail. */
  error: string;
  /** ISO-8601 time the message was dead-lettered. */
  time: string;
  /** Absent for messages that did not come from Kafka (HTTP intake). */
  source?: DlqSource;
}

export interface DlqInput {
  original: Buffer | string | null;
  stage: string;
  reason: string;
  error: string | Error;
  source?: DlqSource;
}

const MAX_ERROR_LENGTH = 2_000;
const REASON = /^[a-z][a-z0-9_]{0,63}$/;

export function createDlqEnvelope(input: DlqInput, now: Date = new Date()): DlqEnvelope {
  // The reason is a metric label: keep the label set bounded and the values clean.
  if (!REASON.test(input.reason))
    throw new Error(`DLQ reason must be snake_case (got ${JSON.stringify(input.reason)})`);
  const bytes = input.original === null ? Buffer.alloc(0) : Buffer.from(input.original);
  const error = typeof input.error === 'string' ? input.error : input.error.message;
  return {
    original: bytes.toString('base64'),
    stage: input.stage,
    reason: input.reason,
    error: error.length > MAX_ERROR_LENGTH ? error.slice(0, MAX_ERROR_LENGTH) + '…' : error,
    time: now.toISOString(),
    ...(input.source ? { source: input.source } : {}),
  };
}

/** The original bytes of an envelope read back from the DLQ topic. */
export function decodeDlqOriginal(envelope: Pick<DlqEnvelope, 'original'>): Buffer {
  return Buffer.from(envelope.original, 'base64');
}

export interface DlqSink {
  produce(topic: string, messages: Array<{ key?: string | null; value: string }>): Promise<void>;
}

/** Writes envelopes to one stage's DLQ topic and counts them. */
export class DlqProducer {
  constructor(
    private readonly sink: DlqSink,
    private readonly topic: string,
    private readonly stage: string,
    private readonly metrics: Metrics,
  ) {}

  async send(items: Array<Omit<DlqInput, 'stage'>>): Promise<void> {
    if (items.length === 0) return;
    const envelopes = items.map((item) => createDlqEnvelope({ ...item, stage: this.stage }));
    await this.sink.produce(
      this.topic,
      envelopes.map((e) => ({
        key: e.source ? `${e.source.topic}/${e.source.partition}` : null,
        value: JSON.stringify(e),
      })),
    );
    // Counted once the broker has the messages: the metric never claims a drop that was lost.
    for (const e of envelopes) this.metrics.dlqMessages.inc({ stage: this.stage, reason: e.reason });
  }
}

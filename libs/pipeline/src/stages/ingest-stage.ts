/**
 * The ingest stage: raw records of each source (a Kafka raw topic, or one HTTP request body)
 * through the libs/ecs normalizers into ECS events keyed by host.id (every event of a host
 * lands on one partition, so per-host state lives in one correlator), or into DLQ entries
 * with a reason. The services and the embedded wiring run this same stage.
 */
import {
  createNormalizer,
  getField,
  NORMALIZE_FORMATS,
  NORMALIZE_SHAPES,
  type Doc,
  type NormalizeFormat,
  type NormalizeShape,
  type Normalizer,
} from '@sequent/ecs';
import type { BusBatch, OutgoingRecord } from '../bus';
import type { DlqItem, Stage, StageResult } from '../stage';

export { NORMALIZE_FORMATS as INGEST_FORMATS, NORMALIZE_SHAPES as INGEST_SHAPES };

export interface IngestSource {
  /** Kafka topic (or HTTP source name) the records come from. */
  topic: string;
  format: NormalizeFormat;
  shape: NormalizeShape;
  /** data_stream.namespace and index suffix of the normalized events. */
  namespace?: string;
  /** Index name for passthrough ECS events that name none (`_index`). */
  index?: string;
}

export interface IngestReject {
  /** 1-based line within the message (or request body); 0 when the event spans lines. */
  line: number;
  original: string;
  reason: string;
  error: string;
}

export interface IngestLines {
  outputs: OutgoingRecord[];
  rejects: IngestReject[];
}

function keyOf(doc: Doc): string | null {
  const hostId = getField(doc, 'host.id');
  return typeof hostId === 'string' && hostId !== '' ? hostId : null;
}

/** Events must carry a usable @timestamp: the engine orders by it. */
function timestampProblem(doc: Doc): string | undefined {
  const ts = getField(doc, '@timestamp');
  if (typeof ts === 'string' && !Number.isNaN(Date.parse(ts))) return undefined;
  if (typeof ts === 'number' && Number.isFinite(ts)) return undefined;
  return '@timestamp is missing or not a date';
}

/**
 * `event.ingested` (when the event has none): when the record reached sequent. The alerter's
 * `sequent_detection_latency_seconds{basis="ingest_time"}` reads it. From a Kafka raw topic it is
 * the record's timestamp, not the wall clock: a replayed batch then yields byte-identical events,
 * so event ids (a hash of the event when it names none) and the alert ids derived from them stay
 * deterministic. A malformed non-object `event` is left alone.
 */
function stampIngested(doc: Doc, iso: string): void {
  if (getField(doc, 'event.ingested') !== null) return;
  const ev = doc.event;
  if (ev === undefined) doc.event = { ingested: iso };
  else if (ev !== null && typeof ev === 'object' && !Array.isArray(ev)) (ev as Doc).ingested = iso;
}

/** Formats whose every line is one whole event: a reject can carry its exact input line. */
const LINE_PER_EVENT = new Set<NormalizeFormat>(['ecs', 'sysmon-linux']);

/** One source's normalizer, kept across batches (audit events can span batches). */
export class SourceIngest {
  private readonly normalizer: Normalizer;

  constructor(
    readonly source: IngestSource,
    /** Wall clock (ms) for `event.ingested` when the caller gives no ingest time. */
    private readonly now: () => number = Date.now,
  ) {
    this.normalizer = createNormalizer({
      format: source.format,
      shape: source.shape,
      ...(source.namespace ? { namespace: source.namespace } : {}),
    });
  }

  /**
   * Normalizes the lines of one message/body; `flush` also ends buffered audit events.
   * `ingestedAt` (ms) stamps `event.ingested`; the clock when absent.
   */
  lines(text: string, flush = false, ingestedAt?: number): IngestLines {
    const ingested = new Date(ingestedAt ?? this.now()).toISOString();
    const outputs: OutgoingRecord[] = [];
    const rejects: IngestReject[] = [];
    const lines = text.split('\n');
    const take = (o: ReturnType<Normalizer['push']>, line: number) => {
      for (const e of o.errors) {
        rejects.push({
          line: e.line,
          original: lines[e.line - 1] ?? '',
          reason: e.reason,
          error: `line ${e.line}: ${e.error}`,
        });
      }
      const exact = line > 0 && LINE_PER_EVENT.has(this.source.format) && o.events.length === 1;
      for (const doc of o.events) {
        const problem = timestampProblem(doc);
        if (problem) {
          rejects.push({
            line: exact ? line : 0,
            original: exact ? lines[line - 1] : JSON.stringify(doc),
            reason: 'missing_timestamp',
            error: problem,
          });
          continue;
        }
        if (this.source.index && doc._index === undefined) doc._index = this.source.index;
        stampIngested(doc, ingested);
        outputs.push({ key: keyOf(doc), value: JSON.stringify(doc) });
      }
    };
    lines.forEach((line, i) => take(this.normalizer.push(line, i + 1), i + 1));
    if (flush) take(this.normalizer.flush(), 0);
    return { outputs, rejects };
  }

  /** Ends whatever the normalizer still buffers (end of input). */
  flush(): IngestLines {
    return this.lines('', true);
  }
}

export interface IngestStageOptions {
  /** Sources by topic; a topic with no source carries ECS (passthrough with type checks). */
  sources?: IngestSource[];
  eventsTopic: string;
  /** Counts rejects by source and reason (a metric). */
  onReject?: (source: string, reason: string) => void;
  /** Wall clock (ms) for `event.ingested` of HTTP/gRPC bodies, flushes and untimed records. */
  now?: () => number;
}

/** Routes each raw topic to its source's normalizer. */
export class IngestStage implements Stage {
  readonly name = 'ingest' as const;
  private readonly bySource = new Map<string, SourceIngest>();

  constructor(private readonly options: IngestStageOptions) {
    for (const s of options.sources ?? []) this.bySource.set(s.topic, new SourceIngest(s, options.now));
  }

  private sourceFor(topic: string): SourceIngest {
    let s = this.bySource.get(topic);
    if (!s) {
      s = new SourceIngest({ topic, format: 'ecs', shape: 'integration' }, this.options.now);
      // Bounded: topics are configuration, but never let a stream of names grow the map.
      if (this.bySource.size < 1000) this.bySource.set(topic, s);
    }
    return s;
  }

  async handleBatch(batch: BusBatch): Promise<StageResult> {
    const source = this.sourceFor(batch.topic);
    const outputs: OutgoingRecord[] = [];
    const dlq: DlqItem[] = [];
    for (const record of batch.records) {
      const text = record.value.toString('utf8');
      if (text.trim() === '') {
        // A record with no line to read would otherwise vanish without a trace: dead-letter it.
        this.options.onReject?.(batch.topic, 'empty_record');
        dlq.push({
          original: record.value,
          reason: 'empty_record',
          error: 'the record is empty or only whitespace',
          source: { topic: record.topic, partition: record.partition, offset: record.offset },
        });
        continue;
      }
      const part = source.lines(text, false, record.timestamp > 0 ? record.timestamp : undefined);
      outputs.push(...part.outputs);
      for (const r of part.rejects) {
        this.options.onReject?.(batch.topic, r.reason);
        dlq.push({
          original: r.original,
          reason: r.reason,
          error: r.error,
          source: { topic: record.topic, partition: record.partition, offset: record.offset },
        });
      }
    }
    return { outputs: [{ topic: this.options.eventsTopic, records: outputs }], dlq };
  }

  /** End of input: audit events still waiting for their end record are emitted. */
  async flush(): Promise<StageResult> {
    const outputs: OutgoingRecord[] = [];
    const dlq: DlqItem[] = [];
    for (const [topic, source] of this.bySource) {
      const part = source.flush();
      outputs.push(...part.outputs);
      for (const r of part.rejects) {
        this.options.onReject?.(topic, r.reason);
        dlq.push({ original: r.original, reason: r.reason, error: r.error });
      }
    }
    return { outputs: [{ topic: this.options.eventsTopic, records: outputs }], dlq };
  }

  /** A whole HTTP body of one format: a fresh normalizer, flushed at the end. */
  body(text: string, source: IngestSource): IngestLines {
    const res = new SourceIngest(source, this.options.now).lines(text, true);
    for (const r of res.rejects) this.options.onReject?.(source.topic, r.reason);
    return res;
  }
}

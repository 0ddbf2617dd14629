// Ingest stage logic: raw records of one source (a Kafka topic or an HTTP request) through the
// libs/ecs normalizers into ECS events keyed by host.id (so every event of a host lands on one
// partition, and per-host state lives in one correlator), or into rejects for ingest.dlq.
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
import type { KafkaBusRecord, StageResult } from '@sequent/platform';

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

export type IngestOutcome =
  { ok: true; key: string | null; value: string } | { ok: false; reason: string; error: string };

export interface IngestReject {
  /** 1-based line within the message (or request body). */
  line: number;
  original: string;
  reason: string;
  error: string;
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

function finishEvent(doc: Doc, source: Pick<IngestSource, 'index'>): IngestOutcome {
  const problem = timestampProblem(doc);
  if (problem) return { ok: false, reason: 'missing_timestamp', error: problem };
  if (source.index && doc._index === undefined) doc._index = source.index;
  return { ok: true, key: keyOf(doc), value: JSON.stringify(doc) };
}

/** One source's normalizer, kept across batches (audit events can span batches). */
export class SourceIngest {
  private readonly normalizer: Normalizer;

  constructor(readonly source: IngestSource) {
    this.normalizer = createNormalizer({
      format: source.format,
      shape: source.shape,
      ...(source.namespace ? { namespace: source.namespace } : {}),
    });
  }

  /** Normalizes the lines of one message/body; `flush` ends buffered audit events too. */
  lines(
    text: string,
    flush = false,
  ): { outputs: Array<{ key: string | null; value: string }>; rejects: IngestReject[] } {
    const outputs: Array<{ key: string | null; value: string }> = [];
    const rejects: IngestReject[] = [];
    const lines = text.split('\n');
    const take = (o: ReturnType<Normalizer['push']>) => {
      for (const e of o.errors) {
        rejects.push({
          line: e.line,
          original: lines[e.line - 1] ?? '',
          reason: e.reason,
          error: `line ${e.line}: ${e.error}`,
        });
      }
      for (const doc of o.events) {
        const outcome = finishEvent(doc, this.source);
        if (outcome.ok) outputs.push({ key: outcome.key, value: outcome.value });
        else
          rejects.push({
            line: 0,
            original: JSON.stringify(doc),
            reason: outcome.reason,
            error: outcome.error,
          });
      }
    };
    lines.forEach((line, i) => take(this.normalizer.push(line, i + 1)));
    if (flush) take(this.normalizer.flush());
    return { outputs, rejects };
  }

  batch(records: KafkaBusRecord[]): StageResult {
    const result: StageResult = { outputs: [], rejects: [] };
    for (const record of records) {
      const text =
        record.value === null
          ? ''
          : typeof record.value === 'string'
            ? record.value
            : record.value.toString('utf8');
      const { outputs, rejects } = this.lines(text);
      result.outputs.push(...outputs);
      for (const r of rejects) result.rejects.push({ record, reason: r.reason, error: r.error });
    }
    return result;
  }
}

/** Routes each raw topic to its source's normalizer; unconfigured topics carry ECS. */
export class IngestStage {
  private readonly bySource = new Map<string, SourceIngest>();

  constructor(
    sources: IngestSource[] = [],
    private readonly onReject?: (source: string, reason: string) => void,
  ) {
    for (const s of sources) this.bySource.set(s.topic, new SourceIngest(s));
  }

  private sourceFor(topic: string): SourceIngest {
    let s = this.bySource.get(topic);
    if (!s) {
      s = new SourceIngest({ topic, format: 'ecs', shape: 'integration' });
      if (this.bySource.size < 1000) this.bySource.set(topic, s);
    }
    return s;
  }

  batch(records: KafkaBusRecord[]): StageResult {
    const result: StageResult = { outputs: [], rejects: [] };
    const byTopic = new Map<string, KafkaBusRecord[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push(r);
      byTopic.set(r.topic, list);
    }
    for (const [topic, list] of byTopic) {
      const part = this.sourceFor(topic).batch(list);
      result.outputs.push(...part.outputs);
      result.rejects.push(...part.rejects);
      for (const r of part.rejects) this.onReject?.(topic, r.reason);
    }
    return result;
  }

  /** A whole HTTP body of one format: a fresh normalizer, flushed at the end. */
  body(text: string, source: IngestSource): ReturnType<SourceIngest['lines']> {
    const res = new SourceIngest(source).lines(text, true);
    for (const r of res.rejects) this.onReject?.(source.topic, r.reason);
    return res;
  }
}

const ecsSource = new SourceIngest({ topic: 'ecs', format: 'ecs', shape: 'integration' });

/** One ECS document (passthrough with type checks), keyed by host.id. */
export function ingestDocument(bytes: Buffer | string): IngestOutcome {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'invalid_json', error: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, reason: 'not_an_object', error: 'an ECS event must be a JSON object' };
  }
  const problem = timestampProblem(doc as Doc);
  if (problem) return { ok: false, reason: 'missing_timestamp', error: problem };
  const { outputs, rejects } = ecsSource.lines(text.replace(/\r?\n/g, ' '));
  if (rejects.length) return { ok: false, reason: rejects[0].reason, error: rejects[0].error };
  return { ok: true, ...outputs[0] };
}

/** A batch of ECS records (the default wiring without per-source configuration). */
export function ingestBatch(records: KafkaBusRecord[]): StageResult {
  const result: StageResult = { outputs: [], rejects: [] };
  for (const record of records) {
    const outcome = ingestDocument(record.value ?? '');
    if (outcome.ok) result.outputs.push({ key: outcome.key, value: outcome.value });
    else result.rejects.push({ record, reason: outcome.reason, error: outcome.error });
  }
  return result;
}

// gRPC intake (apps/ingest/proto/sequent/ingest/v1/ingest.proto): a client streams EventBatch
// messages, ingest normalizes them as it does the Kafka raw topics and HTTP bodies, produces the
// events to the events topic and the rejects to the DLQ, and answers one IngestSummary.
//
// Backpressure: a stream's batches are handled one at a time (the stream is paused meanwhile,
// so HTTP/2 flow control holds the client back), and at most `maxInFlightBatches` batches are
// being handed to Kafka across all streams. A batch beyond that ends its stream with
// RESOURCE_EXHAUSTED (and the number of batches already accepted in the trailers) instead of
// queueing: the producer cannot keep up, so the client must back off. Messages over
// `maxMessageBytes` are refused by grpc-js itself (RESOURCE_EXHAUSTED).
import { Metadata, Server, status, type ServerReadableStream, type sendUnaryData } from '@grpc/grpc-js';
import {
  addHealthService,
  listenGrpcServer,
  bearerAuthorized,
  grpcError,
  isGrpcError,
  shutdownGrpcServer,
  type DlqProducer,
  type GrpcError,
  type GrpcTlsFiles,
  type KafkaBus,
  type Logger,
} from '@sequent/platform';
import {
  INGEST_FORMATS,
  INGEST_SHAPES,
  SourceIngest,
  type IngestLines,
  type IngestSource,
} from '@sequent/pipeline';
import type { IngestMetrics } from './ingest-metrics';
import { INGEST_SERVICE_NAME, loadIngestProtos } from './grpc-proto';

export interface GrpcIntakeOptions {
  host: string;
  port: number;
  tls?: GrpcTlsFiles;
  /** When set, Ingest needs `authorization: Bearer <token>` metadata (health stays open). */
  authToken?: string;
  protoDir?: string;
  /** Largest EventBatch accepted (bytes on the wire). */
  maxMessageBytes: number;
  /** Batches being handed to Kafka at once, over all streams; more get RESOURCE_EXHAUSTED. */
  maxInFlightBatches: number;
  /** Open Ingest calls (each holds normalizer buffers); more are refused with RESOURCE_EXHAUSTED. */
  maxStreams?: number;
  bus: Pick<KafkaBus, 'produce'>;
  eventsTopic: string;
  dlq: DlqProducer;
  metrics: IngestMetrics;
  logger: Logger;
  /** Ready to produce (Kafka connected): health SERVING, and Ingest calls accepted. */
  isReady: () => boolean;
  /** Wall clock for `event.ingested` (tests). */
  now?: () => number;
}

export interface GrpcIntakeHandle {
  port: number;
  close(): Promise<void>;
}

/** EventBatch as proto-loader decodes it (keepCase, defaults). */
export interface EventBatchMessage {
  format?: string;
  shape?: string;
  lines?: string[];
  data?: Buffer;
}

export interface RejectionMessage {
  batch: number;
  line: number;
  reason: string;
  error: string;
}

export interface IngestSummaryMessage {
  accepted: number;
  rejected: number;
  rejected_by_reason: Record<string, number>;
  rejections: RejectionMessage[];
  batches: number;
}

/** Trailing metadata key on a failed Ingest call: batches of the stream already handed to Kafka. */
export const BATCHES_ACCEPTED_TRAILER = 'sequent-batches-accepted';
/** Rejections listed in the summary (the DLQ has all of them). */
export const MAX_LISTED_REJECTIONS = 100;
/** The `source` metric label and DLQ source name of this input. */
const SOURCE = 'grpc';

const FORMATS = new Set<string>(INGEST_FORMATS);
const SHAPES = new Set<string>(INGEST_SHAPES);

/** A batch's records as one newline-separated text: `data` first, then `lines`. */
export function batchText(batch: EventBatchMessage): { text: string; bytes: number } {
  const data = batch.data && batch.data.length > 0 ? batch.data.toString('utf8') : '';
  const lines = batch.lines ?? [];
  let bytes = batch.data?.length ?? 0;
  for (const l of lines) bytes += Buffer.byteLength(l);
  const head = data.endsWith('\n') ? data.slice(0, -1) : data;
  const parts = head === '' && data === '' ? lines : [head, ...lines];
  return { text: parts.join('\n'), bytes };
}

/** One Ingest call: its normalizers (one per format/shape, kept across batches) and its tally. */
class IngestCall {
  private readonly sources = new Map<string, SourceIngest>();
  readonly summary: IngestSummaryMessage = {
    accepted: 0,
    rejected: 0,
    rejected_by_reason: {},
    rejections: [],
    batches: 0,
  };

  constructor(
    private readonly options: GrpcIntakeOptions,
    private readonly now: () => number,
  ) {}

  /** Validates the batch's format/shape and returns the stream's normalizer for them. */
  normalizerFor(batch: EventBatchMessage): SourceIngest {
    const format = batch.format || 'ecs';
    const shape = batch.shape || 'integration';
    if (!FORMATS.has(format) || !SHAPES.has(shape))
      throw grpcError(
        status.INVALID_ARGUMENT,
        `unsupported format/shape ${JSON.stringify(`${format}/${shape}`)} (formats: ${INGEST_FORMATS.join(', ')}; shapes: ${INGEST_SHAPES.join(', ')})`,
      );
    const key = `${format}/${shape}`;
    let s = this.sources.get(key);
    if (!s) {
      s = new SourceIngest({ topic: SOURCE, format, shape } as IngestSource, this.now);
      this.sources.set(key, s);
    }
    return s;
  }

  /** Hands one batch's results to Kafka (events, then DLQ), then counts them. */
  async publish(part: IngestLines, batchIndex: number, format: string): Promise<void> {
    const { options } = this;
    options.metrics.messagesIn.inc({ stage: 'ingest' }, part.outputs.length + part.rejects.length);
    if (part.outputs.length > 0) await options.bus.produce(options.eventsTopic, part.outputs);
    await options.dlq.send(
      part.rejects.map((r) => ({ original: Buffer.from(r.original), reason: r.reason, error: r.error })),
    );
    options.metrics.messagesOut.inc({ stage: 'ingest' }, part.outputs.length);
    options.metrics.count(SOURCE, format, 0, part.outputs.length, part.rejects.length);
    const s = this.summary;
    s.accepted += part.outputs.length;
    s.rejected += part.rejects.length;
    for (const r of part.rejects) {
      options.metrics.rejected.inc({ source: SOURCE, reason: r.reason });
      s.rejected_by_reason[r.reason] = (s.rejected_by_reason[r.reason] ?? 0) + 1;
      if (s.rejections.length < MAX_LISTED_REJECTIONS)
        s.rejections.push({ batch: batchIndex, line: r.line, reason: r.reason, error: r.error });
    }
  }

  /** End of stream: what the normalizers still buffer (audit events without their end). */
  async flush(): Promise<void> {
    const last = Math.max(0, this.summary.batches - 1);
    for (const s of this.sources.values()) await this.publish(s.flush(), last, s.source.format);
  }
}

export async function startGrpcIntake(options: GrpcIntakeOptions): Promise<GrpcIntakeHandle> {
  const { logger, metrics } = options;
  const now = options.now ?? Date.now;
  const protos = loadIngestProtos(options.protoDir);
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
  });
  let inFlight = 0;
  let openStreams = 0;
  const maxStreams = options.maxStreams ?? 256;

  const ingest = (
    call: ServerReadableStream<EventBatchMessage, IngestSummaryMessage>,
    callback: sendUnaryData<IngestSummaryMessage>,
  ) => {
    if (!bearerAuthorized(call.metadata, options.authToken))
      return callback(grpcError(status.UNAUTHENTICATED, 'missing or wrong bearer token'));
    if (!options.isReady()) return callback(grpcError(status.UNAVAILABLE, 'not ready (Kafka), retry later'));
    if (openStreams >= maxStreams)
      return callback(
        grpcError(status.RESOURCE_EXHAUSTED, `too many open Ingest streams (${maxStreams}), retry later`),
      );
    openStreams++;
    const state = new IngestCall(options, now);
    let acceptedBatches = 0;
    let finished = false;
    let counted = true;
    /** Once per call, whichever way it ends. */
    const closeStream = () => {
      if (counted) openStreams--;
      counted = false;
    };
    let handling: Promise<void> = Promise.resolve();

    const fail = (err: unknown) => {
      if (finished) return;
      finished = true;
      closeStream();
      const trailers = new Metadata();
      trailers.set(BATCHES_ACCEPTED_TRAILER, String(acceptedBatches));
      let e: GrpcError;
      if (isGrpcError(err)) e = err;
      else {
        logger.error('grpc intake failed', { error: err });
        e = grpcError(status.UNAVAILABLE, 'could not hand the events to Kafka, retry later');
      }
      callback({ ...e, metadata: trailers });
    };

    call.on('data', (batch: EventBatchMessage) => {
      if (finished) return;
      const index = state.summary.batches++;
      if (inFlight >= options.maxInFlightBatches) {
        fail(
          grpcError(
            status.RESOURCE_EXHAUSTED,
            `too many batches in flight (${options.maxInFlightBatches}): back off and resend from batch ${acceptedBatches}`,
          ),
        );
        return;
      }
      inFlight++;
      call.pause();
      const endTimer = metrics.batchDuration.startTimer({ stage: 'ingest' });
      handling = (async () => {
        try {
          const normalizer = state.normalizerFor(batch);
          const { text, bytes } = batchText(batch);
          metrics.bytes.inc({ source: SOURCE }, bytes);
          await state.publish(normalizer.lines(text), index, normalizer.source.format);
          acceptedBatches++;
          endTimer();
        } catch (err) {
          fail(err);
        } finally {
          inFlight--;
        }
        if (!finished) call.resume();
      })();
    });
    call.on('end', () => {
      void handling.then(async () => {
        if (finished) return;
        try {
          await state.flush();
        } catch (err) {
          return fail(err);
        }
        finished = true;
        closeStream();
        callback(null, state.summary);
      });
    });
    const abandon = () => {
      finished = true;
      closeStream();
    };
    call.on('error', abandon);
    call.on('cancelled', abandon);
  };

  server.addService(protos.IngestService.service, { Ingest: ingest });
  addHealthService(server, protos.Health, [INGEST_SERVICE_NAME], options.isReady);

  const port = await listenGrpcServer(server, logger, {
    api: 'gRPC ingest API',
    exposure: 'anyone can write events',
    host: options.host,
    port: options.port,
    tls: options.tls,
    authToken: options.authToken,
  });
  return { port, close: () => shutdownGrpcServer(server) };
}

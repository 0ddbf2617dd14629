// POST /v1/events?format=ecs: NDJSON over HTTP into the same path as the raw topics.
// Bearer token when configured, a body size limit (413), and 429 when too many requests are
// in flight (the producer is the bottleneck: tell senders to back off rather than buffer).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { sendJson, type DlqProducer, type KafkaBus, type Logger, type Metrics } from '@sequent/platform';
import { IngestStage, INGEST_FORMATS, INGEST_SHAPES, type IngestSource } from '@sequent/pipeline';
import { ingestMetrics } from './ingest-metrics';

export interface HttpIntakeOptions {
  bus: KafkaBus;
  eventsTopic: string;
  dlq: DlqProducer;
  metrics: Metrics;
  logger: Logger;
  token?: string;
  maxBodyBytes: number;
  maxInFlightRequests: number;
  isReady: () => boolean;
  /** Normalizers (and the per-source reject counter); a plain ECS stage when absent. */
  stage?: IngestStage;
}

const SUPPORTED_FORMATS = new Set<string>(INGEST_FORMATS);
const SHAPES = new Set<string>(INGEST_SHAPES);

function authorized(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Reads the body, or resolves null once it exceeds `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createHttpIntake(options: HttpIntakeOptions) {
  let inFlight = 0;
  const stage = 'ingest';
  const counters = ingestMetrics(options.metrics);
  const ingest = options.stage ?? new IngestStage({ eventsTopic: options.eventsTopic });
  if (!options.token)
    // Whoever reaches the port can write events (and so hide in or flood the detections).
    options.logger.warn(
      '!!! HTTP intake POST /v1/events is OPEN: no bearer token. Set SEQUENT_INTAKE_TOKEN (or SEQUENT_INTAKE_TOKEN_FILE) in production !!!',
    );
  return async function handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
    if (options.token && !authorized(req.headers.authorization, options.token)) {
      return sendJson(res, 401, { error: 'missing or wrong bearer token' });
    }
    const params = new URL(req.url ?? '/', 'http://intake').searchParams;
    const format = params.get('format') ?? 'ecs';
    const shape = params.get('shape') ?? 'integration';
    if (!SUPPORTED_FORMATS.has(format) || !SHAPES.has(shape)) {
      return sendJson(res, 400, {
        error: `unsupported format/shape ${JSON.stringify(`${format}/${shape}`)} (formats: ${INGEST_FORMATS.join(', ')}; shapes: ${INGEST_SHAPES.join(', ')})`,
      });
    }
    if (!options.isReady()) return sendJson(res, 503, { error: 'not ready' });
    if (inFlight >= options.maxInFlightRequests) {
      res.setHeader('retry-after', '1');
      return sendJson(res, 429, { error: 'too many requests in flight, retry later' });
    }
    inFlight++;
    try {
      const body = await readBody(req, options.maxBodyBytes);
      if (body === null)
        return sendJson(res, 413, { error: `body larger than ${options.maxBodyBytes} bytes` });
      // Timed from a whole body on, as a consumed Kafka batch is: the sender's upload is not ours.
      const endTimer = counters.batchDuration.startTimer({ stage });
      counters.bytes.inc({ source: 'http' }, body.length);
      // One request is one source: whole audit events must arrive in one body.
      const source = { topic: 'http', format, shape } as IngestSource;
      const normalized = ingest.body(body.toString('utf8'), source);
      const outputs = normalized.outputs;
      const rejects = normalized.rejects.map((r) => ({
        original: Buffer.from(r.original),
        reason: r.reason,
        error: r.error,
      }));
      counters.messagesIn.inc({ stage }, outputs.length + rejects.length);
      await options.bus.produce(options.eventsTopic, outputs);
      await options.dlq.send(rejects);
      counters.messagesOut.inc({ stage }, outputs.length);
      counters.count('http', format, 0, outputs.length, rejects.length);
      endTimer();
      sendJson(res, 202, { accepted: outputs.length, rejected: rejects.length });
    } catch (err) {
      options.logger.error('http intake failed', { error: err });
      sendJson(res, 503, { error: 'could not hand the events to Kafka, retry later' });
    } finally {
      inFlight--;
    }
  };
}

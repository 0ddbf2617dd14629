// A small promise-based client of ingest's gRPC intake (tests, scripts).
import {
  credentials as grpcCredentials,
  Metadata,
  type ChannelCredentials,
  type ClientWritableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import type { EventBatchMessage, IngestSummaryMessage } from './grpc-intake';
import { loadIngestProtos } from './grpc-proto';

export interface IngestClientOptions {
  address: string;
  /** Bearer token sent as `authorization` metadata. */
  token?: string;
  credentials?: ChannelCredentials;
  protoDir?: string;
  /** grpc-js channel options (e.g. `grpc.max_send_message_length`). */
  channelOptions?: Record<string, number | string>;
}

type ClientStreaming = (
  md: Metadata,
  cb: (err: ServiceError | null, res: IngestSummaryMessage) => void,
) => ClientWritableStream<EventBatchMessage>;
type Unary = (req: unknown, md: Metadata, cb: (err: Error | null, res: unknown) => void) => void;

export class IngestClient {
  private readonly ingestService: { Ingest: ClientStreaming; close(): void };
  private readonly health: Record<string, unknown> & { close(): void };

  constructor(private readonly options: IngestClientOptions) {
    const protos = loadIngestProtos(options.protoDir);
    const creds = options.credentials ?? grpcCredentials.createInsecure();
    this.ingestService = new protos.IngestService(options.address, creds, options.channelOptions) as never;
    this.health = new protos.Health(options.address, creds, options.channelOptions) as never;
  }

  private metadata(): Metadata {
    const md = new Metadata();
    if (this.options.token) md.set('authorization', `Bearer ${this.options.token}`);
    return md;
  }

  /** Opens an Ingest stream: write batches to `stream`, end it, then await `summary`. */
  open(): { stream: ClientWritableStream<EventBatchMessage>; summary: Promise<IngestSummaryMessage> } {
    let stream!: ClientWritableStream<EventBatchMessage>;
    const summary = new Promise<IngestSummaryMessage>((resolve, reject) => {
      stream = this.ingestService.Ingest.call(this.ingestService, this.metadata(), (err, res) =>
        err ? reject(err) : resolve(res),
      );
    });
    // A failed call also errors the writable side: the summary promise carries the error.
    stream.on('error', () => undefined);
    return { stream, summary };
  }

  /** Streams `batches` and resolves with the summary (rejects with the ServiceError). */
  ingest(batches: EventBatchMessage[]): Promise<IngestSummaryMessage> {
    const { stream, summary } = this.open();
    for (const b of batches) stream.write(b);
    stream.end();
    return summary;
  }

  healthCheck(service = ''): Promise<{ status: string }> {
    return new Promise((resolve, reject) =>
      (this.health.Check as Unary).call(this.health, { service }, new Metadata(), (err, res) =>
        err ? reject(err) : resolve(res as { status: string }),
      ),
    );
  }

  close(): void {
    this.ingestService.close();
    this.health.close();
  }
}

// Ingest's .proto files (apps/ingest/proto), for the server and for clients.
import path from 'node:path';
import { findProtoDir, loadServiceProtos } from '@sequent/platform';
import type { ServiceClientConstructor } from '@grpc/grpc-js';

export const INGEST_SERVICE_NAME = 'sequent.ingest.v1.IngestService';
const INGEST_PROTO = 'sequent/ingest/v1/ingest.proto';

/** The proto directory: configured, else found from this file in a checkout (sources or dist/). */
export function findIngestProtoDir(configured?: string): string {
  return findProtoDir(
    INGEST_PROTO,
    [path.resolve(__dirname, '../proto'), path.resolve(__dirname, '../../../../apps/ingest/proto')],
    configured,
  );
}

export interface IngestProtos {
  IngestService: ServiceClientConstructor;
  Health: ServiceClientConstructor;
}

export function loadIngestProtos(protoDir?: string): IngestProtos {
  const { Service, Health } = loadServiceProtos(
    findIngestProtoDir(protoDir),
    INGEST_PROTO,
    INGEST_SERVICE_NAME,
  );
  return { IngestService: Service, Health };
}

// Loads ingest's .proto files (apps/ingest/proto) for the server and for clients.
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const INGEST_SERVICE_NAME = 'sequent.ingest.v1.IngestService';
const INGEST_PROTO = 'sequent/ingest/v1/ingest.proto';
const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/** The proto directory: configured, else found from this file in a checkout (sources or dist/). */
export function findIngestProtoDir(configured?: string): string {
  const candidates = configured
    ? [configured]
    : [path.resolve(__dirname, '../proto'), path.resolve(__dirname, '../../../../apps/ingest/proto')];
  const found = candidates.find((d) => existsSync(path.join(d, INGEST_PROTO)));
  if (!found)
    throw new Error(
      `cannot find ${INGEST_PROTO} under ${candidates.join(' or ')} (set SEQUENT_GRPC_PROTO_DIR)`,
    );
  return found;
}

export interface IngestProtos {
  IngestService: ServiceClientConstructor;
  Health: ServiceClientConstructor;
}

export function loadIngestProtos(protoDir?: string): IngestProtos {
  const dir = findIngestProtoDir(protoDir);
  const definition = loadSync([INGEST_PROTO, HEALTH_PROTO], {
    includeDirs: [dir],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition) as GrpcObject;
  const pkg = (name: string) => name.split('.').reduce((o, k) => (o as GrpcObject)[k], root as unknown);
  return {
    IngestService: pkg(INGEST_SERVICE_NAME) as ServiceClientConstructor,
    Health: pkg('grpc.health.v1.Health') as ServiceClientConstructor,
  };
}

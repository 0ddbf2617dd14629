// Loads a service's .proto file with the standard health proto beside it, for gRPC servers and
// clients alike (the ingest and alerter APIs).
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import path from 'node:path';

const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/** The first of `candidates` (or the configured directory) that holds `protoFile`. */
export function findProtoDir(protoFile: string, candidates: string[], configured?: string): string {
  const dirs = configured ? [configured] : candidates;
  const found = dirs.find((d) => existsSync(path.join(d, protoFile)));
  if (!found)
    throw new Error(`cannot find ${protoFile} under ${dirs.join(' or ')} (set SEQUENT_GRPC_PROTO_DIR)`);
  return found;
}

export interface ServiceProtos {
  Service: ServiceClientConstructor;
  Health: ServiceClientConstructor;
}

/** `serviceName` (e.g. `sequent.ingest.v1.IngestService`) from `protoFile` under `dir`, and Health. */
export function loadServiceProtos(dir: string, protoFile: string, serviceName: string): ServiceProtos {
  const definition = loadSync([protoFile, HEALTH_PROTO], {
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
    Service: pkg(serviceName) as ServiceClientConstructor,
    Health: pkg('grpc.health.v1.Health') as ServiceClientConstructor,
  };
}

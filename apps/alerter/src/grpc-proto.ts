// Loads the alerter's .proto files (libs/alerting/proto) for the server and for clients.
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ALERT_SERVICE_NAME = 'sequent.alerting.v1.AlertService';
const ALERTING_PROTO = 'sequent/alerting/v1/alerting.proto';
const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/** The proto directory: configured, else found from this file in a checkout (sources or dist/). */
export function findProtoDir(configured?: string): string {
  const candidates = configured
    ? [configured]
    : [
        path.resolve(__dirname, '../../../libs/alerting/proto'),
        path.resolve(__dirname, '../../../../libs/alerting/proto'),
      ];
  const found = candidates.find((d) => existsSync(path.join(d, ALERTING_PROTO)));
  if (!found)
    throw new Error(
      `cannot find ${ALERTING_PROTO} under ${candidates.join(' or ')} (set SEQUENT_GRPC_PROTO_DIR)`,
    );
  return found;
}

export interface AlertingProtos {
  AlertService: ServiceClientConstructor;
  Health: ServiceClientConstructor;
}

export function loadAlertingProtos(protoDir?: string): AlertingProtos {
  const dir = findProtoDir(protoDir);
  const definition = loadSync([ALERTING_PROTO, HEALTH_PROTO], {
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
    AlertService: pkg(ALERT_SERVICE_NAME) as ServiceClientConstructor,
    Health: pkg('grpc.health.v1.Health') as ServiceClientConstructor,
  };
}

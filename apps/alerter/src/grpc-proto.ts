// The alerter's .proto files (libs/alerting/proto), for the server and for clients.
import path from 'node:path';
import { findProtoDir as findDir, loadServiceProtos } from '@sequent/platform';
import type { ServiceClientConstructor } from '@grpc/grpc-js';

export const ALERT_SERVICE_NAME = 'sequent.alerting.v1.AlertService';
const ALERTING_PROTO = 'sequent/alerting/v1/alerting.proto';

/** The proto directory: configured, else found from this file in a checkout (sources or dist/). */
export function findProtoDir(configured?: string): string {
  return findDir(
    ALERTING_PROTO,
    [
      path.resolve(__dirname, '../../../libs/alerting/proto'),
      path.resolve(__dirname, '../../../../libs/alerting/proto'),
    ],
    configured,
  );
}

export interface AlertingProtos {
  AlertService: ServiceClientConstructor;
  Health: ServiceClientConstructor;
}

export function loadAlertingProtos(protoDir?: string): AlertingProtos {
  const { Service, Health } = loadServiceProtos(findProtoDir(protoDir), ALERTING_PROTO, ALERT_SERVICE_NAME);
  return { AlertService: Service, Health };
}

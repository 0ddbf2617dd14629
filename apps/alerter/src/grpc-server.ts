// The alerter's gRPC API (libs/alerting/proto): StreamAlerts, ListAlerts, GetEntityRisk,
// ListRiskiestEntities, plus grpc.health.v1.Health. Optional TLS (mutual with a client CA) and
// bearer-token auth; an open server (no TLS or no token) is announced loudly at start-up.
import {
  Server,
  Metadata,
  status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  entityNames,
  matchesFilter,
  SEVERITIES,
  type AlertFilter,
  type EntityRisk,
  type EntityRiskStore,
  type EntityType,
  type Severity,
} from '@sequent/alerting';
import {
  addHealthService,
  listenGrpcServer,
  bearerAuthorized,
  grpcError,
  isGrpcError,
  shutdownGrpcServer,
  type GrpcTlsFiles,
  type Logger,
} from '@sequent/platform';
import type { AlertFeed } from '@sequent/pipeline';
import type { StoredAlert } from '@sequent/pipeline';
import { ALERT_SERVICE_NAME, loadAlertingProtos } from './grpc-proto';

export interface AlertQueries {
  /** Recent alerts newest first from `offset`, as RedisRecentAlerts.list. */
  listAlerts(
    offset: number,
    pageSize: number,
    accept: (a: StoredAlert) => boolean,
  ): Promise<{ alerts: StoredAlert[]; next: number | null }>;
  entityRisk: EntityRiskStore;
  feed: AlertFeed;
  now?: () => number;
}

export interface GrpcServerOptions {
  host: string;
  port: number;
  tls?: GrpcTlsFiles;
  authToken?: string;
  protoDir?: string;
  queries: AlertQueries;
  /** For the health service: SERVING when true. */
  isServing: () => boolean;
  logger: Logger;
  /** A stream whose client reads slower than this many queued alerts is ended (RESOURCE_EXHAUSTED). */
  maxQueuedPerStream?: number;
}

export interface GrpcServerHandle {
  port: number;
  close(): Promise<void>;
}

const SEVERITY_ENUM: Record<Severity, string> = {
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};
const ENTITY_ENUM: Record<EntityType, string> = { host: 'HOST', user: 'USER' };

interface ProtoFilter {
  min_severity?: string;
  rule_ids?: string[];
  host?: string;
  include_building_blocks?: boolean;
}

export function filterFromProto(f: ProtoFilter | null | undefined): AlertFilter {
  const sev = SEVERITIES.find((s) => SEVERITY_ENUM[s] === f?.min_severity);
  return {
    minSeverity: sev,
    ruleIds: f?.rule_ids?.filter((r) => r !== '') ?? [],
    host: f?.host || undefined,
    includeBuildingBlocks: f?.include_building_blocks ?? false,
  };
}

function entityTypeFromProto(t: unknown): EntityType | undefined {
  if (t === 'HOST' || t === 1) return 'host';
  if (t === 'USER' || t === 2) return 'user';
  return undefined;
}

export function alertToProto(a: StoredAlert) {
  const count = a.doc['kibana.alert.suppression.docs_count'];
  const reason = a.doc['kibana.alert.reason'];
  return {
    uuid: a.uuid,
    rule_id: a.ruleId,
    rule_name: a.ruleName,
    severity: SEVERITY_ENUM[a.severity] ?? 'SEVERITY_UNSPECIFIED',
    risk_score: a.riskScore,
    original_time: new Date(a.originalTime).toISOString(),
    host_names: entityNames(a.doc, 'host'),
    user_names: entityNames(a.doc, 'user'),
    reason: typeof reason === 'string' ? reason : '',
    building_block: a.buildingBlock,
    update: a.update,
    suppressed_count: typeof count === 'number' ? count : 0,
    published_at: new Date(a.publishedAt).toISOString(),
    document_json: JSON.stringify(a.doc),
  };
}

export function entityRiskToProto(r: EntityRisk) {
  return {
    type: ENTITY_ENUM[r.type],
    name: r.name,
    score: r.score,
    level: r.level,
    raw_score: r.rawScore,
    inputs: r.inputs,
    top_inputs: r.topInputs.map((i) => ({
      alert_id: i.alertId,
      risk_score: i.riskScore,
      time: new Date(i.time).toISOString(),
    })),
  };
}

/** Shared with ingest's gRPC intake (libs/platform grpc-server). */
export { bearerAuthorized };

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const { queries, logger } = options;
  const now = queries.now ?? Date.now;
  const protos = loadAlertingProtos(options.protoDir);
  const server = new Server();
  const maxQueued = options.maxQueuedPerStream ?? 10_000;
  /** Open StreamAlerts calls, ended on shutdown so it does not wait for clients. */
  const streams = new Set<() => void>();

  const unary =
    <Req, Res>(name: string, handler: (req: Req) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      if (!bearerAuthorized(call.metadata, options.authToken)) {
        callback(grpcError(status.UNAUTHENTICATED, 'missing or wrong bearer token'));
        return;
      }
      handler(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => {
          if (isGrpcError(err)) callback(err);
          else {
            logger.error('grpc call failed', { method: name, error: err });
            callback(grpcError(status.INTERNAL, 'internal error'));
          }
        },
      );
    };

  const alertService: UntypedServiceImplementation = {
    StreamAlerts: (call: ServerWritableStream<{ filter?: ProtoFilter }, unknown>) => {
      if (!bearerAuthorized(call.metadata, options.authToken)) {
        call.emit('error', grpcError(status.UNAUTHENTICATED, 'missing or wrong bearer token'));
        return;
      }
      const filter = filterFromProto(call.request.filter);
      let open = true;
      const unsubscribe = queries.feed.subscribe((alert) => {
        if (!open || !matchesFilter(alert, filter)) return;
        if (call.writableLength > maxQueued) {
          open = false;
          unsubscribe();
          call.emit('error', grpcError(status.RESOURCE_EXHAUSTED, 'stream client too slow; reconnect'));
          return;
        }
        call.write(alertToProto(alert));
      });
      const end = () => {
        open = false;
        unsubscribe();
        streams.delete(finish);
      };
      const finish = () => {
        end();
        call.end();
      };
      streams.add(finish);
      call.on('cancelled', end);
      call.on('close', end);
      call.on('error', end);
      // Headers now, so the client knows the stream is established before the first alert.
      call.sendMetadata(new Metadata());
    },
    ListAlerts: unary(
      'ListAlerts',
      async (req: { filter?: ProtoFilter; page_size?: number; page_token?: string }) => {
        const size = Math.min(Math.max(req.page_size || 50, 1), 500);
        const token = req.page_token ?? '';
        if (token !== '' && !/^\d{1,9}$/.test(token))
          throw grpcError(status.INVALID_ARGUMENT, 'page_token is not one this server issued');
        const filter = filterFromProto(req.filter);
        const page = await queries.listAlerts(token === '' ? 0 : Number(token), size, (a) =>
          matchesFilter(a, filter),
        );
        return {
          alerts: page.alerts.map(alertToProto),
          next_page_token: page.next === null ? '' : String(page.next),
        };
      },
    ),
    GetEntityRisk: unary('GetEntityRisk', async (req: { type?: unknown; name?: string }) => {
      const type = entityTypeFromProto(req.type);
      if (!type) throw grpcError(status.INVALID_ARGUMENT, 'type must be HOST or USER');
      if (!req.name) throw grpcError(status.INVALID_ARGUMENT, 'name is required');
      const risk = await queries.entityRisk.get({ type, name: req.name }, now());
      if (!risk || risk.inputs === 0)
        throw grpcError(status.NOT_FOUND, `no alerts for ${type} ${req.name} in the window`);
      return entityRiskToProto(risk);
    }),
    ListRiskiestEntities: unary('ListRiskiestEntities', async (req: { limit?: number; type?: unknown }) => {
      const limit = Math.min(Math.max(req.limit || 10, 1), 1000);
      const entities = await queries.entityRisk.top(limit, now(), entityTypeFromProto(req.type));
      return { entities: entities.map(entityRiskToProto) };
    }),
  };
  server.addService(protos.AlertService.service, alertService);

  addHealthService(server, protos.Health, [ALERT_SERVICE_NAME], options.isServing);

  const port = await listenGrpcServer(server, logger, {
    api: 'gRPC API',
    exposure: 'anyone can read alerts',
    host: options.host,
    port: options.port,
    tls: options.tls,
    authToken: options.authToken,
  });
  return {
    port,
    close: async () => {
      for (const finish of [...streams]) finish();
      await shutdownGrpcServer(server);
    },
  };
}

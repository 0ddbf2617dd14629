// A small promise-based client of the alerter's gRPC API (tests, scripts, the CLI).
import {
  credentials as grpcCredentials,
  Metadata,
  type ChannelCredentials,
  type ClientReadableStream,
} from '@grpc/grpc-js';
import { loadAlertingProtos } from './grpc-proto';

export interface AlertClientOptions {
  address: string;
  /** Bearer token sent as `authorization` metadata. */
  token?: string;
  credentials?: ChannelCredentials;
  protoDir?: string;
}

export interface ProtoAlert {
  uuid: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  risk_score: number;
  original_time: string;
  host_names: string[];
  user_names: string[];
  reason: string;
  building_block: boolean;
  update: boolean;
  suppressed_count: number;
  published_at: string;
  document_json: string;
}

export interface ProtoEntityRisk {
  type: string;
  name: string;
  score: number;
  level: string;
  raw_score: number;
  inputs: number;
  top_inputs: Array<{ alert_id: string; risk_score: number; time: string }>;
}

type Unary = (req: unknown, md: Metadata, cb: (err: Error | null, res: unknown) => void) => void;

export class AlertClient {
  private readonly alerts: Record<string, unknown> & { close(): void };
  private readonly health: Record<string, unknown> & { close(): void };

  constructor(private readonly options: AlertClientOptions) {
    const protos = loadAlertingProtos(options.protoDir);
    const creds = options.credentials ?? grpcCredentials.createInsecure();
    this.alerts = new protos.AlertService(options.address, creds) as never;
    this.health = new protos.Health(options.address, creds) as never;
  }

  private metadata(): Metadata {
    const md = new Metadata();
    if (this.options.token) md.set('authorization', `Bearer ${this.options.token}`);
    return md;
  }

  private unary<T>(client: Record<string, unknown>, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
      (client[method] as Unary).call(client, req, this.metadata(), (err, res) =>
        err ? reject(err) : resolve(res as T),
      ),
    );
  }

  listAlerts(req: unknown): Promise<{ alerts: ProtoAlert[]; next_page_token: string }> {
    return this.unary(this.alerts, 'ListAlerts', req);
  }
  getEntityRisk(req: unknown): Promise<ProtoEntityRisk> {
    return this.unary(this.alerts, 'GetEntityRisk', req);
  }
  listRiskiestEntities(req: unknown): Promise<{ entities: ProtoEntityRisk[] }> {
    return this.unary(this.alerts, 'ListRiskiestEntities', req);
  }
  healthCheck(service = ''): Promise<{ status: string }> {
    return this.unary(this.health, 'Check', { service });
  }
  /** grpc.health.v1 Watch: the current status, then every change. */
  healthWatch(service = ''): ClientReadableStream<{ status: string }> {
    return (this.health['Watch'] as (r: unknown) => ClientReadableStream<{ status: string }>).call(
      this.health,
      {
        service,
      },
    );
  }
  streamAlerts(req: unknown): ClientReadableStream<ProtoAlert> {
    return (
      this.alerts['StreamAlerts'] as (r: unknown, md: Metadata) => ClientReadableStream<ProtoAlert>
    ).call(this.alerts, req, this.metadata());
  }
  close(): void {
    this.alerts.close();
    this.health.close();
  }
}

// What every sequent gRPC server shares (the alerter's query API, ingest's intake): bearer-token
// auth from `authorization` metadata, optional TLS (mutual with a client CA), the loud warning
// when a server runs open, grpc.health.v1 (Check and Watch), binding and bounded shutdown.
import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceClientConstructor,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from './logger';

/** PEM files: the server's certificate chain and key turn TLS on; a client CA requires client certificates. */
export interface GrpcTlsFiles {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
}

/** The `{code, details}` shape grpc-js turns into a call status. */
export interface GrpcError {
  code: status;
  details: string;
}

export const grpcError = (code: status, details: string): GrpcError => ({ code, details });

export function isGrpcError(err: unknown): err is GrpcError {
  return !!err && typeof err === 'object' && 'code' in err && 'details' in err;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Checks `authorization: Bearer <token>` in constant time (hashes first: lengths never leak). */
export function bearerAuthorized(metadata: Metadata, token: string | undefined): boolean {
  if (!token) return true;
  const values = metadata.get('authorization');
  const header = typeof values[0] === 'string' ? values[0] : '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m) return false;
  return timingSafeEqual(digest(m[1]), digest(token));
}

/** TLS credentials from PEM files (mutual TLS when a client CA is given), else plaintext. */
export function grpcServerCredentials(tls: GrpcTlsFiles | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const ca = tls.clientCaFile ? readFileSync(tls.clientCaFile) : null;
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    ca !== null,
  );
}

export interface OpenServerWarning {
  /** What the server is for, in the warning (e.g. "gRPC API", "gRPC ingest API"). */
  api: string;
  tls: boolean;
  authToken: boolean;
  /** What an open token check exposes (e.g. "anyone can read alerts"). */
  exposure: string;
  host: string;
  port: number;
  /** Environment variable names to name in the warning. */
  env?: { cert: string; key: string; token: string };
}

/** Warns loudly when the server has no TLS or no token: returns whether it did. */
export function warnIfOpen(logger: Logger, w: OpenServerWarning): boolean {
  if (w.tls && w.authToken) return false;
  const env = w.env ?? {
    cert: 'SEQUENT_GRPC_TLS_CERT_FILE',
    key: 'SEQUENT_GRPC_TLS_KEY_FILE',
    token: 'SEQUENT_GRPC_AUTH_TOKEN',
  };
  const open = [!w.tls && 'no TLS (plaintext)', !w.authToken && `no auth token (${w.exposure})`]
    .filter(Boolean)
    .join(', ');
  logger.warn(
    `!!! ${w.api} is OPEN: ${open}. Set ${env.cert}/${env.key} and ${env.token} in production !!!`,
    { host: w.host, port: w.port },
  );
  return true;
}

export type HealthStatus = 'SERVING' | 'NOT_SERVING';

/**
 * grpc.health.v1.Health on `server`: `''` (the whole server) and `serviceNames` answer
 * SERVING/NOT_SERVING from `isServing`; other names NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch).
 * Health needs no token: load balancers and kubelets have none.
 */
export function addHealthService(
  server: Server,
  health: ServiceClientConstructor,
  serviceNames: readonly string[],
  isServing: () => boolean,
): void {
  const statusOf = (service: string): HealthStatus | undefined => {
    if (service !== '' && !serviceNames.includes(service)) return undefined;
    return isServing() ? 'SERVING' : 'NOT_SERVING';
  };
  server.addService(health.service, {
    Check: (call: ServerUnaryCall<{ service: string }, unknown>, callback: sendUnaryData<unknown>) => {
      const s = statusOf(call.request.service);
      if (!s) callback(grpcError(status.NOT_FOUND, `unknown service ${call.request.service}`));
      else callback(null, { status: s });
    },
    Watch: (call: ServerWritableStream<{ service: string }, unknown>) => {
      let last = '';
      const tick = () => {
        const s = statusOf(call.request.service) ?? 'SERVICE_UNKNOWN';
        if (s !== last) {
          last = s;
          call.write({ status: s });
        }
      };
      tick();
      const timer = setInterval(tick, 1_000);
      const end = () => clearInterval(timer);
      call.on('cancelled', end);
      call.on('close', end);
    },
  });
}

/** Binds `host:port` (0 picks a free port) and resolves with the bound port. */
export function bindGrpcServer(
  server: Server,
  host: string,
  port: number,
  credentials: ServerCredentials,
): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
}

/**
 * Starts listening the way every sequent gRPC API does: warns loudly when it runs open, binds
 * with TLS (or mutual TLS) when configured, logs where it listens, and resolves with the port.
 */
export async function listenGrpcServer(
  server: Server,
  logger: Logger,
  options: Pick<OpenServerWarning, 'api' | 'exposure'> & {
    host: string;
    port: number;
    tls?: GrpcTlsFiles;
    authToken?: string;
  },
): Promise<number> {
  const { api, exposure, host, tls, authToken } = options;
  warnIfOpen(logger, { api, exposure, tls: !!tls, authToken: !!authToken, host, port: options.port });
  const port = await bindGrpcServer(server, host, options.port, grpcServerCredentials(tls));
  logger.info(`${api} listening`, { host, port, tls: !!tls, auth: !!authToken });
  return port;
}

/** Graceful shutdown, forced after `graceMs` so a slow client never holds the process. */
export function shutdownGrpcServer(server: Server, graceMs = 2_000): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** TLS files from `SEQUENT_GRPC_TLS_*` settings: both cert and key, or neither (plaintext). */
export function grpcTlsFiles(settings: {
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsClientCaFile?: string;
}): GrpcTlsFiles | undefined {
  const { tlsCertFile, tlsKeyFile, tlsClientCaFile } = settings;
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined))
    throw new Error('set both SEQUENT_GRPC_TLS_CERT_FILE and SEQUENT_GRPC_TLS_KEY_FILE, or neither');
  if (tlsClientCaFile !== undefined && tlsCertFile === undefined)
    throw new Error(
      'SEQUENT_GRPC_TLS_CLIENT_CA_FILE needs SEQUENT_GRPC_TLS_CERT_FILE and SEQUENT_GRPC_TLS_KEY_FILE',
    );
  return tlsCertFile && tlsKeyFile
    ? {
        certFile: tlsCertFile,
        keyFile: tlsKeyFile,
        ...(tlsClientCaFile ? { clientCaFile: tlsClientCaFile } : {}),
      }
    : undefined;
}

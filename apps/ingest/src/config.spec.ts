import { ingestConfigSchema, loadIngestConfig } from './config';

describe('ingest configuration', () => {
  it('reads per-source settings (SEQUENT_SOURCES) and rejects unknown formats', () => {
    const parsed = ingestConfigSchema.shape.sources.parse(
      JSON.parse(
        '[{"topic":"raw.auditd","format":"auditd","shape":"endpoint"},{"topic":"raw.ecs","format":"ecs","index":"logs-endpoint.events.process-default"}]',
      ),
    );
    expect(parsed).toEqual([
      { topic: 'raw.auditd', format: 'auditd', shape: 'endpoint' },
      {
        topic: 'raw.ecs',
        format: 'ecs',
        shape: 'integration',
        index: 'logs-endpoint.events.process-default',
      },
    ]);
    expect(() => ingestConfigSchema.shape.sources.parse([{ topic: 'x', format: 'csv' }])).toThrow();
  });
});

describe('gRPC intake configuration', () => {
  it('is off by default on port 50052, and read from SEQUENT_GRPC_* when asked for', () => {
    const base = { SEQUENT_KAFKA_BROKERS: 'localhost:9092' };
    expect(loadIngestConfig(base).grpc).toMatchObject({
      enabled: false,
      port: 50052,
      maxMessageBytes: 4 * 1024 * 1024,
      maxInFlightBatches: 16,
    });
    const grpc = loadIngestConfig({
      ...base,
      SEQUENT_GRPC_ENABLED: 'true',
      SEQUENT_GRPC_PORT: '0',
      SEQUENT_GRPC_AUTH_TOKEN: 'a-token-of-sixteen-chars',
      SEQUENT_GRPC_MAX_IN_FLIGHT_BATCHES: '2',
      SEQUENT_GRPC_TLS_CERT_FILE: '/etc/tls/cert.pem',
      SEQUENT_GRPC_TLS_KEY_FILE: '/etc/tls/key.pem',
    }).grpc;
    expect(grpc).toMatchObject({
      enabled: true,
      port: 0,
      authToken: 'a-token-of-sixteen-chars',
      maxInFlightBatches: 2,
      tlsCertFile: '/etc/tls/cert.pem',
    });
    expect(() => loadIngestConfig({ ...base, SEQUENT_GRPC_AUTH_TOKEN: 'short' })).toThrow(
      /SEQUENT_GRPC_AUTH_TOKEN/,
    );
  });
});

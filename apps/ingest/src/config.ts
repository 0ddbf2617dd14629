// Ingest configuration: SEQUENT_* variables (see libs/platform config), e.g.
// SEQUENT_KAFKA_BROKERS, SEQUENT_TOPICS_RAW=raw.ecs,raw.auditd, SEQUENT_INTAKE_TOKEN(_FILE),
// SEQUENT_GRPC_ENABLED=true SEQUENT_GRPC_PORT SEQUENT_GRPC_AUTH_TOKEN (the gRPC intake).
// `node main.js --settings` lists every variable.
import { httpSettings, kafkaSettings, loadConfig, logSettings, secret } from '@sequent/platform';
import { z } from 'zod';
import { INGEST_FORMATS, INGEST_SHAPES } from '@sequent/pipeline';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name');

export const ingestConfigSchema = z.object({
  kafka: kafkaSettings,
  http: httpSettings.extend({ port: z.number().int().min(0).max(65535).default(8080) }),
  log: logSettings,
  topics: z.object({
    raw: z.array(topicName).min(1).default(['raw.ecs']),
    events: topicName.default('ecs.events'),
    dlq: topicName.default('ingest.dlq'),
  }),
  /**
   * Per raw topic: which normalizer reads it (SEQUENT_SOURCES, a JSON array), e.g.
   * [{"topic":"raw.auditd","format":"auditd","shape":"endpoint"}]. Unlisted topics carry ECS.
   */
  sources: z
    .array(
      z.object({
        topic: topicName,
        format: z.enum(INGEST_FORMATS),
        shape: z.enum(INGEST_SHAPES).default('integration'),
        namespace: z
          .string()
          .regex(/^[a-z0-9_]{1,100}$/)
          .optional(),
        index: z.string().min(1).max(255).optional(),
      }),
    )
    .default([]),
  groupId: z.string().min(1).default('sequent-ingest'),
  intake: z.object({
    /** Bearer token required on POST /v1/events when set. */
    token: secret(z.string().min(1).optional()),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    /** Requests processed at once; more get 429 (backpressure towards the senders). */
    maxInFlightRequests: z.number().int().positive().default(8),
  }),
  /** The gRPC intake (apps/ingest/proto/sequent/ingest/v1/ingest.proto). */
  grpc: z.object({
    /** Off by default: a port is opened only when asked for. */
    enabled: z.boolean().default(false),
    host: z.string().default('0.0.0.0'),
    /** 50052: the alerter's query API has 50051. */
    port: z.number().int().min(0).max(65535).default(50052),
    /** PEM files: server certificate chain and key turn TLS on; a client CA requires client certificates. */
    tlsCertFile: z.string().optional(),
    tlsKeyFile: z.string().optional(),
    tlsClientCaFile: z.string().optional(),
    /** Bearer token for Ingest calls; the HTTP intake's token (SEQUENT_INTAKE_TOKEN) when unset. */
    authToken: secret(z.string().min(16, 'use a token of at least 16 characters').optional()),
    /** Directory holding sequent/ingest/v1/ingest.proto (found automatically in a checkout). */
    protoDir: z.string().optional(),
    /** Largest EventBatch message; bigger ones end the call with RESOURCE_EXHAUSTED. */
    maxMessageBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    /** Batches handed to Kafka at once over all streams; more end their stream with RESOURCE_EXHAUSTED. */
    maxInFlightBatches: z.number().int().positive().default(16),
    /** Open Ingest streams at once (each holds its normalizers' buffers); more are refused. */
    maxStreams: z.number().int().positive().default(256),
  }),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return loadConfig(ingestConfigSchema, { env });
}

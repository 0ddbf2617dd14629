// Alerter configuration: SEQUENT_* variables (see libs/platform config), e.g.
// SEQUENT_KAFKA_BROKERS, SEQUENT_TOPICS_ALERTS, SEQUENT_REDIS_URL, SEQUENT_DEDUPE_TTL_SECONDS,
// SEQUENT_GRPC_PORT, SEQUENT_GRPC_AUTH_TOKEN, SEQUENT_SINKS_FILE_PATH, SEQUENT_SINKS_WEBHOOKS.
// `node main.js --settings` lists every variable.
import {
  httpSettings,
  kafkaSettings,
  loadConfig,
  logSettings,
  redisSettings,
  secret,
} from '@sequent/platform';
import { z } from 'zod';

/** JSON text as a value; unparseable text is left for the schema to reject with a clear error. */
function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name');

const webhook = z.object({
  /** Metric label of the sink (`webhook:<name>`): keep it short. */
  name: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'expected a short lowercase name'),
  url: z.string().url(),
  /** `slack`: Slack incoming-webhook JSON ({text}); `json`: {alerts: [documents]}. */
  format: z.enum(['slack', 'json']).default('json'),
  /** Optional Authorization header value for generic webhooks. */
  authorization: z.string().optional(),
});
export type WebhookConfig = z.infer<typeof webhook>;

export const alerterConfigSchema = z.object({
  kafka: kafkaSettings,
  redis: redisSettings,
  http: httpSettings.extend({ port: z.number().int().min(0).max(65535).default(9465) }),
  log: logSettings,
  topics: z.object({
    candidates: topicName.default('alerts.candidates'),
    alerts: topicName.default('alerts'),
    dlq: topicName.default('alerts.dlq'),
  }),
  groupId: z.string().min(1).default('sequent-alerter'),
  /** How long an alert id is remembered: replays older than this could publish it again. */
  dedupeTtlSeconds: z
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** Candidates larger than this go to the DLQ (`too_large`). */
  maxCandidateBytes: z.number().int().positive().default(1_048_576),
  rateCap: z.object({
    /** Alerts per rule per window when the rule sets no max_signals. */
    defaultMaxSignals: z.number().int().positive().default(100),
    windowSeconds: z.number().int().positive().default(60),
  }),
  risk: z.object({
    windowDays: z.number().positive().default(30),
    /** `wall`: the window ends now; `event`: at the latest alert time seen (replays of old data). */
    clock: z.enum(['wall', 'event']).default('wall'),
    maxInputsPerEntity: z.number().int().positive().default(1000),
    /** Entities kept on the leaderboard (ListRiskiestEntities, metrics). */
    maxEntities: z.number().int().positive().default(100_000),
    /** Entities exported as sequent_entity_risk_score (labels stay bounded). */
    metricsTopN: z.number().int().min(0).max(100).default(10),
    includeBuildingBlocks: z.boolean().default(false),
  }),
  /** Alerts kept for ListAlerts. */
  recentAlerts: z.number().int().positive().default(10_000),
  grpc: z.object({
    enabled: z.boolean().default(true),
    host: z.string().default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(50051),
    /** PEM files: server certificate chain and key turn TLS on; a client CA requires client certificates. */
    tlsCertFile: z.string().optional(),
    tlsKeyFile: z.string().optional(),
    tlsClientCaFile: z.string().optional(),
    /** When set, every AlertService call needs `authorization: Bearer <token>` metadata. */
    authToken: secret(z.string().min(16, 'use a token of at least 16 characters').optional()),
    /** Directory holding sequent/alerting/v1/alerting.proto (found automatically in a checkout). */
    protoDir: z.string().optional(),
  }),
  sinks: z.object({
    /** NDJSON file every published alert (and update) is appended to. */
    filePath: z.string().optional(),
    /** JSON array of {name, url, format, authorization?}; also from SEQUENT_SINKS_WEBHOOKS_FILE. */
    webhooks: secret(
      z.preprocess((v) => (typeof v === 'string' ? parseJsonOr(v) : v), z.array(webhook)).default([]),
    ),
    /** Delivery attempts per batch and sink before the alerts go to the DLQ. */
    attempts: z.number().int().min(1).max(20).default(5),
    backoffMs: z.number().int().min(0).default(200),
    timeoutMs: z.number().int().positive().default(5_000),
    /** All attempts of one delivery stop after this (keep it under the Kafka session timeout). */
    budgetMs: z.number().int().positive().default(15_000),
    /** Also notify webhooks when a suppressed alert's counts change. */
    notifyUpdates: z.boolean().default(false),
  }),
});

export type AlerterConfig = z.infer<typeof alerterConfigSchema>;

export function loadAlerterConfig(env: NodeJS.ProcessEnv = process.env): AlerterConfig {
  return loadConfig(alerterConfigSchema, { env });
}

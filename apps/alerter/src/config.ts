// Alerter configuration: SEQUENT_* variables (see libs/platform config), e.g.
// SEQUENT_KAFKA_BROKERS, SEQUENT_TOPICS_ALERTS, SEQUENT_REDIS_URL, SEQUENT_DEDUPE_TTL_SECONDS.
import { httpSettings, kafkaSettings, loadConfig, logSettings, redisSettings } from '@sequent/platform';
import { z } from 'zod';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name');

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
});

export type AlerterConfig = z.infer<typeof alerterConfigSchema>;

export function loadAlerterConfig(env: NodeJS.ProcessEnv = process.env): AlerterConfig {
  return loadConfig(alerterConfigSchema, { env });
}

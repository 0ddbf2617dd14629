// Correlator configuration: SEQUENT_* variables (see libs/platform config), e.g.
// SEQUENT_KAFKA_BROKERS, SEQUENT_TOPICS_EVENTS, SEQUENT_GROUP_ID, SEQUENT_REDIS_URL.
import { httpSettings, kafkaSettings, loadConfig, logSettings, redisSettings } from '@sequent/platform';
import { z } from 'zod';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name');

export const correlatorConfigSchema = z.object({
  kafka: kafkaSettings,
  redis: redisSettings,
  http: httpSettings.extend({ port: z.number().int().min(0).max(65535).default(9464) }),
  log: logSettings,
  topics: z.object({
    events: topicName.default('ecs.events'),
    candidates: topicName.default('alerts.candidates'),
    dlq: topicName.default('correlator.dlq'),
  }),
  groupId: z.string().min(1).default('sequent-correlator'),
});

export type CorrelatorConfig = z.infer<typeof correlatorConfigSchema>;

export function loadCorrelatorConfig(env: NodeJS.ProcessEnv = process.env): CorrelatorConfig {
  return loadConfig(correlatorConfigSchema, { env });
}

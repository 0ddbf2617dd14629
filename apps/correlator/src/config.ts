// Correlator configuration: SEQUENT_* variables (see libs/platform config), e.g.
// SEQUENT_KAFKA_BROKERS, SEQUENT_TOPICS_EVENTS, SEQUENT_GROUP_ID, SEQUENT_REDIS_URL,
// SEQUENT_RULES_PATHS=/etc/sequent/rules, SEQUENT_REORDER_ALLOWED_LATENESS_MS=5000.
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
  rules: z.object({
    /** Rule files or folders (detection-rules TOML, Kibana export NDJSON, JSON). */
    paths: z.array(z.string().min(1)).min(1).default(['rules']),
    /** How often the rule files are checked for changes (0: never reload). */
    reloadIntervalMs: z.number().int().min(0).default(10_000),
  }),
  reorder: z.object({
    /** How far behind the newest event time an event may arrive and still be ordered. */
    allowedLatenessMs: z.number().int().min(0).default(5_000),
    /** Events held per partition before the oldest are released early (counted). */
    maxBuffered: z.number().int().positive().default(50_000),
    /** A partition quiet for this long releases what it holds. */
    idleFlushMs: z.number().int().positive().default(10_000),
    /** Events timed further ahead of the clock go to the DLQ (`timestamp_in_future`); 0: no check. */
    maxFutureMs: z.number().int().min(0).default(86_400_000),
  }),
  backfill: z.object({
    /** Events older than this time (ISO 8601) only teach new_terms rules their history: replay
     * the rules' history window into a fresh deployment without alerting on it. */
    learnBefore: z.iso.datetime({ offset: true }).optional(),
  }),
  engine: z.object({
    /** Join keys / threshold groups held per rule and partition (evictions are counted). */
    maxKeysPerRule: z.number().int().positive().default(100_000),
  }),
});

export type CorrelatorConfig = z.infer<typeof correlatorConfigSchema>;

export function loadCorrelatorConfig(env: NodeJS.ProcessEnv = process.env): CorrelatorConfig {
  return loadConfig(correlatorConfigSchema, { env });
}

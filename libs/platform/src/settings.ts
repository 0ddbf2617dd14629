// Configuration sections every service shares. Services compose them with their own topics
// and groups (see apps/*/src/config.ts); loadConfig maps each leaf to a SEQUENT_* variable.
import { z } from 'zod';
import { secret } from './config';
import { LOG_LEVELS } from './logger';

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');

export const kafkaSettings = z.object({
  brokers: z.array(hostPort).min(1, 'at least one broker (host:port) is required'),
  clientId: z.string().min(1).default('sequent'),
  ssl: z.boolean().default(false),
  /** PEM file with the CA that signed the brokers' certificates. */
  sslCaFile: z.string().optional(),
  sslRejectUnauthorized: z.boolean().default(true),
  saslMechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  saslUsername: z.string().optional(),
  saslPassword: secret(z.string().optional()),
  connectionTimeoutMs: z.number().int().positive().default(10_000),
  sessionTimeoutMs: z.number().int().positive().default(30_000),
  /** Upper bound of bytes fetched per partition per request (keeps batches bounded). */
  maxBytesPerPartition: z.number().int().positive().default(1_048_576),
});
export type KafkaSettings = z.infer<typeof kafkaSettings>;

export const redisSettings = z.object({
  url: z.string().default('redis://127.0.0.1:6379'),
  username: z.string().optional(),
  password: secret(z.string().optional()),
  tls: z.boolean().default(false),
  /** PEM file with the CA that signed the Redis server's certificate (turns TLS on). */
  tlsCaFile: z.string().optional(),
  /** Sentinel mode: sentinel addresses (host:port) and the monitored master's name. */
  sentinels: z.array(hostPort).default([]),
  sentinelMasterName: z.string().default('mymaster'),
  /** Cluster mode: seed node addresses (host:port). */
  clusterNodes: z.array(hostPort).default([]),
  keyPrefix: z.string().default('sequent:'),
});
export type RedisSettings = z.infer<typeof redisSettings>;

export const httpSettings = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535),
});
export type HttpSettings = z.infer<typeof httpSettings>;

export const logSettings = z.object({
  level: z.enum(LOG_LEVELS).default('info'),
});

// @sequent/platform: the I/O pieces the services share (config, Kafka, Redis, metrics and the
// ops HTTP server, DLQ, JSON logs, graceful shutdown). Never imported by the pure libs.
export {
  loadConfig,
  redactConfig,
  describeSettings,
  envNameFor,
  secret,
  ConfigError,
  ENV_PREFIX,
  type LoadConfigOptions,
} from './config';
export {
  kafkaSettings,
  redisSettings,
  httpSettings,
  logSettings,
  type KafkaSettings,
  type RedisSettings,
  type HttpSettings,
} from './settings';
export {
  createLogger,
  redact,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  type LogFields,
  type LoggerOptions,
} from './logger';
export {
  createKafka,
  kafkaClientConfig,
  KafkaProducer,
  BatchConsumer,
  TolerantRoundRobinAssigner,
  type OutgoingMessage,
  type ConsumedMessage,
  type ConsumedBatch,
  type BatchConsumerOptions,
} from './kafka';
export { createRedisClient, isRedisReady, redisKey, type RedisClient } from './redis';
export {
  Metrics,
  startOpsServer,
  sendJson,
  type MetricsOptions,
  type OpsServer,
  type OpsServerOptions,
  type ReadinessCheck,
  type RouteHandler,
} from './metrics';
export {
  createDlqEnvelope,
  decodeDlqOriginal,
  DlqProducer,
  type DlqEnvelope,
  type DlqInput,
  type DlqSource,
  type DlqSink,
} from './dlq';
export { installGracefulShutdown, type ShutdownHandle, type ShutdownOptions } from './shutdown';
export {
  KafkaBus,
  type KafkaBusRecord,
  type KafkaBusOutgoing,
  type KafkaBusConsumeOptions,
  type KafkaBusSubscription,
  type KafkaBusOptions,
} from './kafka-bus';
export { runService, nestLogger, type Lifecycle, type RunServiceOptions } from './service';
export { stageCounters, type StageFunction, type StageReject, type StageResult } from './stage-counters';
export { RedisStateStore, type RedisStateStoreOptions, type RedisStateStoreStats } from './redis-state-store';
export { LagMonitor, type LagMonitorOptions, type PartitionLag } from './lag-monitor';
export {
  addHealthService,
  bearerAuthorized,
  bindGrpcServer,
  listenGrpcServer,
  grpcError,
  grpcServerCredentials,
  grpcTlsFiles,
  isGrpcError,
  shutdownGrpcServer,
  warnIfOpen,
  type GrpcError,
  type GrpcTlsFiles,
  type HealthStatus,
  type OpenServerWarning,
} from './grpc-server';
export { findProtoDir, loadServiceProtos, type ServiceProtos } from './grpc-protos';

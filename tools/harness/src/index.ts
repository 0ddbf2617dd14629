// @sequent/harness: real Redis, a Kafka-protocol broker and Prometheus for tests and scripts.
export { startRedis, type RedisHandle, type StartRedisOptions } from './redis';
export {
  startKafka,
  buildKafkaTestBroker,
  standardTopics,
  type KafkaHandle,
  type StartKafkaOptions,
  type TopicSpec,
} from './kafka';
export { startPrometheus, type PrometheusHandle, type StartPrometheusOptions } from './prometheus';
export { ensureSystemPackages, missingSystemPackages, type SystemNeed } from './system-packages';
export { freePort } from './ports';
export { stopProcess, sleep } from './child';
export { spawnService, serviceEnv, httpGetText, type ServiceName, type ServiceProcess } from './services';

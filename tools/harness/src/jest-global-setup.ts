// Starts one real Redis and one Kafka-protocol broker per Jest run, shared by every project that
// lists this file as its globalSetup. Jest runs each project's globalSetup in the same process,
// so the first call starts them and later calls find the variables already set. A variable set
// before Jest starts (your own Redis or Kafka) is respected and that component is not started.
// Workers are forked after global setup, so they inherit both variables.
import { startKafka } from './kafka';
import { startRedis } from './redis';
import { sharedServices } from './shared-services';

export default async function globalSetup(): Promise<void> {
  const needRedis = !process.env.SEQUENT_TEST_REDIS_URL;
  const needKafka = !process.env.SEQUENT_TEST_KAFKA_BROKERS;
  if (!needRedis && !needKafka) return;
  const [redis, kafka] = await Promise.all([
    needRedis ? startRedis() : undefined,
    needKafka ? startKafka() : undefined,
  ]);
  sharedServices.handles = { redis, kafka };
  if (redis) process.env.SEQUENT_TEST_REDIS_URL = redis.url;
  if (kafka) process.env.SEQUENT_TEST_KAFKA_BROKERS = kafka.brokers.join(',');
}

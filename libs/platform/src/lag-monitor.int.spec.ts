import { randomBytes } from 'node:crypto';
import { BatchConsumer, createKafka, KafkaProducer } from './kafka';
import { LagMonitor } from './lag-monitor';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import type { KafkaSettings } from './settings';

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
if (!brokers)
  throw new Error('SEQUENT_TEST_KAFKA_BROKERS is not set: run through Jest (tools/harness global setup)');

const settings: KafkaSettings = {
  brokers: brokers.split(','),
  clientId: 'lag-test',
  ssl: false,
  sslRejectUnauthorized: true,
  connectionTimeoutMs: 10_000,
  sessionTimeoutMs: 6_000,
  maxBytesPerPartition: 1_048_576,
};
const logger = createLogger({ level: 'error' });
jest.setTimeout(60_000);

describe('LagMonitor (real broker)', () => {
  it('reports what the group has not committed yet, per partition, and zero once consumed', async () => {
    const kafka = createKafka(settings, logger);
    const topic = `lag.${randomBytes(4).toString('hex')}`;
    const groupId = `lag-group-${randomBytes(4).toString('hex')}`;
    const producer = new KafkaProducer(kafka);
    await producer.connect();
    await producer.send(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: `m${i}` })),
    );
    await producer.disconnect();

    const metrics = new Metrics({ service: 'lag-test', defaultMetrics: false });
    const monitor = new LagMonitor({
      kafka,
      metrics,
      stage: 'test',
      groupId,
      topics: [topic],
      intervalMs: 60_000,
    });
    await monitor.start();
    const before = await monitor.poll();
    expect(before.reduce((sum, p) => sum + p.lag, 0)).toBe(5);
    const gauge = await metrics.registry.getSingleMetric('sequent_consumer_lag')!.get();
    expect(gauge.values.reduce((sum, v) => sum + v.value, 0)).toBe(5);

    let seen = 0;
    const consumer = new BatchConsumer(kafka, { groupId, topics: [topic], logger, sessionTimeoutMs: 6_000 });
    await consumer.start(async (batch) => {
      seen += batch.messages.length;
    });
    const deadline = Date.now() + 30_000;
    while (seen < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.stop();
    expect(seen).toBe(5);
    const after = await monitor.poll();
    expect(after.reduce((sum, p) => sum + p.lag, 0)).toBe(0);
    await monitor.stop();
  });
});

// A consumer that kafkajs gives up on. kafkajs restarts a consumer after a retriable error
// only; after any other (CI once saw the test broker answer a SyncGroup with INVALID_REQUEST
// during a rebalance) it disconnects for good, and a service would stay up consuming nothing.
// The platform's BatchConsumer restarts it itself, with backoff. The broker here is a private
// one, so the injected errors reach no other test.
import {
  BatchConsumer,
  createKafka,
  createLogger,
  KafkaProducer,
  type KafkaSettings,
} from '@sequent/platform';
import { sleep, startKafka, type KafkaHandle } from '../harness/src';

jest.setTimeout(120_000);

const SYNC_GROUP = 14;
const INVALID_REQUEST = 42;

describe('fault: kafkajs gives a consumer up', () => {
  let broker: KafkaHandle;
  beforeAll(async () => {
    broker = await startKafka({ topics: [{ name: 'crash.events', partitions: 2 }] });
  });
  afterAll(() => broker.stop());

  it('the consumer restarts after a non-retriable error and consumes what was sent', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => void lines.push(line) });
    const settings: KafkaSettings = {
      brokers: broker.brokers,
      clientId: 'crash-test',
      ssl: false,
      sslRejectUnauthorized: true,
      connectionTimeoutMs: 10_000,
      sessionTimeoutMs: 6_000,
      maxBytesPerPartition: 1_048_576,
    };
    const kafka = createKafka(settings, logger);
    const producer = new KafkaProducer(kafka);
    await producer.connect();
    await producer.send(
      'crash.events',
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `m${i}` })),
    );
    // The consumer's first SyncGroup (joining the group) is answered with INVALID_REQUEST.
    broker.failNextRequests(SYNC_GROUP, [INVALID_REQUEST]);
    const got = new Set<string>();
    const consumer = new BatchConsumer(kafka, {
      groupId: 'crash-group',
      topics: ['crash.events'],
      logger,
      sessionTimeoutMs: settings.sessionTimeoutMs,
    });
    try {
      await consumer.start(async (batch) => {
        for (const m of batch.messages) got.add(String(m.value));
      });
      const deadline = Date.now() + 60_000;
      while (got.size < 20 && Date.now() < deadline) await sleep(100);
      expect(lines.some((l) => l.includes('consumer crashed'))).toBe(true);
      expect(consumer.restarts).toBeGreaterThanOrEqual(1);
      expect(got.size).toBe(20);
      expect(consumer.isReady).toBe(true);
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }
  });
});

// Against the harness broker (librdkafka's mock cluster, started by the Jest global setup).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafka, BatchConsumer, KafkaProducer, kafkaClientConfig } from './kafka';
import { KafkaBus, type KafkaBusRecord } from './kafka-bus';
import { createLogger } from './logger';
import type { KafkaSettings } from './settings';

jest.setTimeout(60_000);

const brokers = process.env.SEQUENT_TEST_KAFKA_BROKERS;
if (!brokers)
  throw new Error('SEQUENT_TEST_KAFKA_BROKERS is not set: run through Jest (tools/harness global setup)');

const settings: KafkaSettings = {
  brokers: brokers.split(','),
  clientId: 'platform-test',
  ssl: false,
  sslRejectUnauthorized: true,
  connectionTimeoutMs: 10_000,
  // The mock broker keeps a departed member until its session expires: keep sessions short.
  sessionTimeoutMs: 6_000,
  maxBytesPerPartition: 1_048_576,
};
const logger = createLogger({ level: 'error' });
const unique = (name: string) => `${name}.${randomBytes(4).toString('hex')}`;

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function committedOffsets(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = createKafka(settings, logger).admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(result.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

describe('Kafka producer and batch consumer (real broker)', () => {
  const kafka = createKafka(settings, logger);
  const producer = new KafkaProducer(kafka);

  beforeAll(() => producer.connect());
  afterAll(() => producer.disconnect());

  it('round-trips messages and commits offsets only after the batch handler', async () => {
    const topic = unique('roundtrip');
    const groupId = unique('group');
    await producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: 'same-key', value: `m${i}`, headers: { n: String(i) } })),
    );
    const got: string[] = [];
    const assigned: string[] = [];
    const consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      logger,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      onAssign: async (t, p) => void assigned.push(`${t}/${p}`),
    });
    await consumer.start(async (batch) => {
      got.push(...batch.messages.map((m) => `${m.value}:${m.headers.n}`));
    });
    await until('10 messages', () => got.length >= 10);
    await consumer.stop();
    // One key: one partition, in order.
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}:${i}`));
    expect(assigned.some((a) => a.startsWith(`${topic}/`))).toBe(true);
    const offsets = await committedOffsets(groupId, topic);
    expect(Object.values(offsets).filter((o) => o !== '-1')).toEqual(['10']);

    // A new member of the same group resumes after the committed offset.
    await producer.send(topic, [{ key: 'same-key', value: 'after' }]);
    const again: string[] = [];
    const second = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      logger,
      sessionTimeoutMs: settings.sessionTimeoutMs,
    });
    await second.start(async (batch) => void again.push(...batch.messages.map((m) => String(m.value))));
    await until('the new message', () => again.length >= 1);
    await second.stop();
    expect(again).toEqual(['after']);
  });

  it('redelivers a batch whose handler failed (nothing committed)', async () => {
    const topic = unique('retry');
    const groupId = unique('group');
    await producer.send(topic, [{ key: 'k', value: 'only' }]);
    let attempts = 0;
    // The failure is expected: keep kafkajs' error line out of the test output.
    const silent = createLogger({ level: 'error', write: () => undefined });
    const consumer = new BatchConsumer(createKafka(settings, silent), {
      groupId,
      topics: [topic],
      logger: silent,
    });
    await consumer.start(async () => {
      attempts++;
      if (attempts === 1) throw new Error('transient failure');
    });
    await until('a second attempt', () => attempts >= 2);
    await consumer.stop();
    expect(attempts).toBe(2);
    expect(Object.values(await committedOffsets(groupId, topic)).filter((o) => o !== '-1')).toEqual(['1']);
  });

  it('pauses and resumes fetching for backpressure', async () => {
    const topic = unique('pause');
    const got: string[] = [];
    const consumer = new BatchConsumer(kafka, { groupId: unique('group'), topics: [topic], logger });
    await producer.send(topic, [{ value: 'first' }]);
    await consumer.start(async (batch) => void got.push(...batch.messages.map((m) => String(m.value))));
    await until('first', () => got.length === 1);
    consumer.pause();
    expect(consumer.isPaused).toBe(true);
    await producer.send(topic, [{ value: 'while-paused' }]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(got).toEqual(['first']);
    consumer.resume();
    await until('the held message', () => got.length === 2);
    await consumer.stop();
    expect(got).toEqual(['first', 'while-paused']);
  });
});

describe('KafkaBus', () => {
  it('produces and consumes records with string keys, headers and timestamps; close() stops everything', async () => {
    const bus = new KafkaBus(createKafka(settings, logger), { logger });
    await bus.connect();
    const topic = unique('bus');
    const records: KafkaBusRecord[] = [];
    const subscription = await bus.consume({
      groupId: unique('group'),
      topics: [topic],
      onBatch: async (batch) => void records.push(...batch.records),
    });
    const before = Date.now();
    await bus.produce(topic, [
      { key: 'host-1', value: Buffer.from('{"a":1}'), headers: { source: 'test' } },
      { key: null, value: 'plain' },
    ]);
    await until('two records', () => records.length === 2);
    expect(subscription.consumer.isReady).toBe(true);
    expect(bus.isReady).toBe(true);
    await bus.close();
    expect(bus.isReady).toBe(false);
    const byValue = Object.fromEntries(records.map((r) => [r.value.toString(), r]));
    expect(byValue['{"a":1}']).toMatchObject({ topic, key: 'host-1', headers: { source: 'test' } });
    expect(byValue['plain'].key).toBeNull();
    expect(byValue['plain'].timestamp).toBeGreaterThanOrEqual(before - 5_000);
    expect(subscription.consumer.isReady).toBe(false);
  });
});

describe('graceful stop', () => {
  it('finishes the running batch and commits it before leaving the group', async () => {
    const topic = unique('stop');
    const groupId = unique('group');
    const kafka = createKafka(settings, logger);
    const producer = new KafkaProducer(kafka);
    await producer.connect();
    await producer.send(topic, [{ key: 'k', value: 'slow' }]);
    await producer.disconnect();
    let started = false;
    let finished = false;
    const consumer = new BatchConsumer(kafka, { groupId, topics: [topic], logger, sessionTimeoutMs: 6_000 });
    await consumer.start(async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 1_000));
      finished = true;
    });
    await until('the batch to start', () => started);
    await consumer.stop();
    expect(finished).toBe(true);
    expect(Object.values(await committedOffsets(groupId, topic)).filter((o) => o !== '-1')).toEqual(['1']);
  });
});

describe('kafkaClientConfig', () => {
  it('requires SASL credentials when a mechanism is set', () => {
    expect(() => createKafka({ ...settings, saslMechanism: 'scram-sha-512' })).toThrow(
      /SEQUENT_KAFKA_SASL_USERNAME/,
    );
  });

  it('passes SASL and TLS settings (with the CA file) to kafkajs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kafka-ca-'));
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = kafkaClientConfig({
      ...settings,
      ssl: true,
      sslCaFile: caFile,
      sslRejectUnauthorized: false,
      saslMechanism: 'plain',
      saslUsername: 'svc',
      saslPassword: 'pw',
    });
    expect(config.ssl).toEqual({ rejectUnauthorized: false, ca: [readFileSync(caFile, 'utf8')] });
    expect(config.sasl).toEqual({ mechanism: 'plain', username: 'svc', password: 'pw' });
    expect(kafkaClientConfig(settings).ssl).toBeUndefined();
  });
});

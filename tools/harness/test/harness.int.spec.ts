import { execFileSync, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import {
  buildKafkaTestBroker,
  freePort,
  missingSystemPackages,
  sleep,
  spawnService,
  startPrometheus,
  startKafka,
  startRedis,
} from '../src';
import { createKafka, createLogger, KafkaProducer, Metrics, startOpsServer } from '@sequent/platform';

jest.setTimeout(60_000);

function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(command + '\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().trim());
    });
    socket.once('error', reject);
  });
}

describe('startRedis', () => {
  it('starts an empty server, restarts it on the same port and stops it', async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await redisCommand(redis.port, 'SET k v')).toBe('+OK');
      await redis.restart();
      // No persistence: a restart loses everything, which is what chaos tests rely on.
      expect(await redisCommand(redis.port, 'GET k')).toBe('$-1');
    } finally {
      await redis.stop();
    }
    await expect(redisCommand(redis.port, 'PING')).rejects.toThrow();
  });
});

describe('startKafka', () => {
  it('creates the requested topics with their partition counts', async () => {
    const kafka = await startKafka({ topics: [{ name: 'six', partitions: 6 }, 'one'] });
    const admin = createKafka(
      {
        brokers: kafka.brokers,
        clientId: 'harness-test',
        ssl: false,
        sslRejectUnauthorized: true,
        connectionTimeoutMs: 5000,
        sessionTimeoutMs: 6000,
        maxBytesPerPartition: 1_048_576,
      },
      createLogger({ level: 'error' }),
    ).admin();
    try {
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: ['six', 'one'] });
      expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual({
        six: 6,
        one: 1,
      });
    } finally {
      await admin.disconnect();
      await kafka.stop();
    }
  });

  it('rejects a bad topic spec before starting anything', async () => {
    await expect(startKafka({ topics: ['bad name'] })).rejects.toThrow(/invalid topic name/);
    const binary = buildKafkaTestBroker();
    const result = spawnSync(binary, ['ok:0'], { input: '' });
    expect(result.status).toBe(2);
    expect(String(result.stderr)).toContain("bad topic spec 'ok:0'");
  });

  it('exits when the process that started it closes its stdin', async () => {
    const binary = buildKafkaTestBroker();
    // stdin is empty: the broker prints its address and exits at EOF.
    const out = execFileSync(binary, ['t:1'], { input: '', timeout: 10_000 }).toString();
    expect(out).toMatch(/^127\.0\.0\.1:\d+\n$/);
  });

  it('serves an idempotent producer (kafkajs asks the controller for a producer id)', async () => {
    const kafka = await startKafka({ topics: ['idem'] });
    const producer = new KafkaProducer(
      createKafka(
        {
          brokers: kafka.brokers,
          clientId: 'harness-test',
          ssl: false,
          sslRejectUnauthorized: true,
          connectionTimeoutMs: 5000,
          sessionTimeoutMs: 6000,
          maxBytesPerPartition: 1_048_576,
        },
        createLogger({ level: 'error' }),
      ),
    );
    try {
      await producer.connect();
      await producer.send('idem', [{ value: 'x' }]);
    } finally {
      await producer.disconnect();
      await kafka.stop();
    }
  });
});

describe('missingSystemPackages', () => {
  it('finds the packages this machine has (the global setup installed or required them)', () => {
    expect(missingSystemPackages(['redis', 'kafka-broker'])).toEqual([]);
  });
});

describe('services', () => {
  it('exit 2 with a message naming the bad setting', async () => {
    const port = await freePort();
    const service = spawnService('ingest', port, {
      SEQUENT_KAFKA_BROKERS: 'not-a-broker',
      SEQUENT_INTAKE_MAX_BODY_BYTES: '-5',
    });
    const code = await new Promise<number | null>((resolve) => service.proc.once('exit', resolve));
    expect(code).toBe(2);
    const message = JSON.stringify(service.logs());
    expect(message).toContain('SEQUENT_KAFKA_BROKERS (kafka.brokers.0): expected host:port');
    expect(message).toContain('SEQUENT_INTAKE_MAX_BODY_BYTES (intake.maxBodyBytes)');
  });
});

describe('service --settings', () => {
  it('lists the SEQUENT_* variables a service reads, secrets marked', () => {
    const root = path.resolve(__dirname, '../../..');
    const out = execFileSync(
      process.execPath,
      ['--require', './tools/harness/src/swc-register.js', 'apps/alerter/src/main.ts', '--settings'],
      { cwd: root },
    ).toString();
    expect(out).toContain('SEQUENT_TOPICS_CANDIDATES\ttopics.candidates\t"alerts.candidates"\t\n');
    expect(out).toContain('SEQUENT_KAFKA_BROKERS\tkafka.brokers\trequired\t\n');
    expect(out).toMatch(/SEQUENT_DEDUPE_TTL_SECONDS\tdedupeTtlSeconds\t\d+\t\n/);
    expect(out).toContain(
      'SEQUENT_REDIS_PASSWORD\tredis.password\t-\tsecret; or SEQUENT_REDIS_PASSWORD_FILE\n',
    );
  });
});

describe('swc-register', () => {
  it('runs TypeScript sources with @sequent/* aliases', () => {
    const root = path.resolve(__dirname, '../../..');
    const out = execFileSync(
      process.execPath,
      [
        '--require',
        './tools/harness/src/swc-register.js',
        '-e',
        "console.log(require('@sequent/platform').envNameFor(['kafka','saslPassword']))",
      ],
      { cwd: root },
    ).toString();
    expect(out.trim()).toBe('SEQUENT_KAFKA_SASL_PASSWORD');
  });
});

describe('startPrometheus', () => {
  it('scrapes a service /metrics endpoint and answers PromQL', async () => {
    const metrics = new Metrics({ service: 'prom-test', defaultMetrics: false });
    metrics.dlqMessages.inc({ stage: 'ingest', reason: 'invalid_json' }, 4);
    const ops = await startOpsServer({ host: '127.0.0.1', port: 0, metrics, readiness: {} });
    const prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${ops.port}`] });
    try {
      let value: string | undefined;
      const deadline = Date.now() + 30_000;
      while (value === undefined && Date.now() < deadline) {
        const result = await prometheus.query('sequent_dlq_messages_total{service="prom-test"}');
        value = result[0]?.value[1];
        if (value === undefined) await sleep(500);
      }
      expect(value).toBe('4');
      await expect(prometheus.query('sum(')).rejects.toThrow(/prometheus query failed/);
    } finally {
      await prometheus.stop();
      await ops.close();
    }
  });
});

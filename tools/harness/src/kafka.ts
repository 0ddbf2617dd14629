import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { captureTail, firstLine, stopProcess } from './child';
import { ensureSystemPackages } from './system-packages';

const brokerDir = path.resolve(__dirname, '../../kafka-test-broker');
const brokerSource = path.join(brokerDir, 'broker.c');
const brokerBinary = path.join(brokerDir, '.build', 'kafka-test-broker');

/** `name` with a partition count (default 1). */
export interface TopicSpec {
  name: string;
  partitions?: number;
}

export interface StartKafkaOptions {
  topics?: Array<TopicSpec | string>;
  /** Mock brokers in the cluster (default 1). */
  brokerCount?: number;
  readyTimeoutMs?: number;
}

export interface KafkaHandle {
  /** Bootstrap addresses, e.g. `['127.0.0.1:40123']`. */
  brokers: string[];
  /** Makes the next requests of a Kafka API fail with these error codes, one request each
   * (e.g. `failNextRequests(14, [42])`: the next SyncGroup gets INVALID_REQUEST). */
  failNextRequests(apiKey: number, errorCodes: number[]): void;
  stop(): Promise<void>;
}

/** The topics every service test expects, with the partition counts the services are designed for. */
export const standardTopics: TopicSpec[] = [
  { name: 'raw.ecs', partitions: 3 },
  { name: 'raw.auditd', partitions: 3 },
  { name: 'raw.sysmon', partitions: 3 },
  { name: 'ecs.events', partitions: 6 },
  { name: 'alerts.candidates', partitions: 3 },
  { name: 'alerts', partitions: 3 },
  { name: 'ingest.dlq', partitions: 1 },
  { name: 'correlator.dlq', partitions: 1 },
  { name: 'alerts.dlq', partitions: 1 },
];

/**
 * Compiles tools/kafka-test-broker/broker.c when the binary is missing or older than the source.
 * Compiles to a temporary name and renames, so concurrent callers never run a half-written file.
 */
export function buildKafkaTestBroker(): string {
  const fresh = existsSync(brokerBinary) && statSync(brokerBinary).mtimeMs >= statSync(brokerSource).mtimeMs;
  if (fresh) return brokerBinary;
  ensureSystemPackages(['kafka-broker']);
  mkdirSync(path.dirname(brokerBinary), { recursive: true });
  const temporary = `${brokerBinary}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', ['-O2', '-Wall', '-o', temporary, brokerSource, '-lrdkafka'], { stdio: 'pipe' });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    throw new Error(`could not compile ${brokerSource}: ${stderr}`);
  }
  renameSync(temporary, brokerBinary);
  return brokerBinary;
}

function topicArg(topic: TopicSpec | string): string {
  const spec = typeof topic === 'string' ? { name: topic } : topic;
  if (!/^[A-Za-z0-9._-]+$/.test(spec.name))
    throw new Error(`invalid topic name: ${JSON.stringify(spec.name)}`);
  return `${spec.name}:${spec.partitions ?? 1}`;
}

/**
 * Starts a Kafka-protocol broker (librdkafka's mock cluster) with `topics` created up front.
 * Topics not listed are auto-created by the broker on first use. The broker also exits when
 * this process dies (it watches its stdin).
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaHandle> {
  const binary = buildKafkaTestBroker();
  const args = [
    ...(options.brokerCount ? ['--brokers', String(options.brokerCount)] : []),
    ...(options.topics ?? standardTopics).map(topicArg),
  ];
  const proc = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const output = captureTail(proc);
  proc.once('error', () => undefined); // reported through firstLine's exit/timeout
  let bootstrap: string;
  try {
    bootstrap = await firstLine(proc, options.readyTimeoutMs ?? 10_000, output);
  } catch (err) {
    await stopProcess(proc, 'SIGKILL');
    throw new Error(`kafka-test-broker: ${(err as Error).message}`);
  }
  let stopped = false;
  return {
    brokers: bootstrap.split(',').filter(Boolean),
    failNextRequests(apiKey, errorCodes) {
      if (![apiKey, ...errorCodes].every(Number.isInteger) || errorCodes.length === 0)
        throw new Error('failNextRequests: an API key and at least one error code, as integers');
      proc.stdin?.write(`errors ${apiKey} ${errorCodes.join(' ')}\n`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      proc.stdin?.end();
      await stopProcess(proc);
    },
  };
}

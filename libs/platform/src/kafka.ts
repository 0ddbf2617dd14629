// Kafka on kafkajs: an idempotent producer and a batch consumer with manual offset commits.
// The consumer hands whole batches to the stage, commits only after the handler returned
// (at-least-once), and can be paused for backpressure. Graceful stop finishes the running
// batch, commits it and leaves the group.
import { readFileSync } from 'node:fs';
import {
  AssignerProtocol,
  Kafka,
  logLevel as KafkaLogLevel,
  PartitionAssigners,
  Partitioners,
  type Consumer,
  type IHeaders,
  type KafkaConfig,
  type LogEntry,
  type PartitionAssigner,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from './logger';
import type { KafkaSettings } from './settings';

export function kafkaClientConfig(settings: KafkaSettings, logger?: Logger): KafkaConfig {
  const ssl = settings.ssl
    ? {
        rejectUnauthorized: settings.sslRejectUnauthorized,
        ...(settings.sslCaFile ? { ca: [readFileSync(settings.sslCaFile, 'utf8')] } : {}),
      }
    : undefined;
  let sasl: SASLOptions | undefined;
  if (settings.saslMechanism) {
    if (!settings.saslUsername || settings.saslPassword === undefined) {
      throw new Error(
        'kafka.saslMechanism is set: SEQUENT_KAFKA_SASL_USERNAME and SEQUENT_KAFKA_SASL_PASSWORD are required',
      );
    }
    sasl = {
      mechanism: settings.saslMechanism,
      username: settings.saslUsername,
      password: settings.saslPassword,
    } as SASLOptions;
  }
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl,
    sasl,
    connectionTimeout: settings.connectionTimeoutMs,
    logLevel: KafkaLogLevel.WARN,
    logCreator: logger ? kafkaLogCreator(logger) : undefined,
  };
}

/** Routes kafkajs' own log lines into our JSON logger. */
function kafkaLogCreator(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...fields } = log;
      if (level <= KafkaLogLevel.ERROR) child.error(message, fields);
      else if (level === KafkaLogLevel.WARN) child.warn(message, fields);
      else if (level === KafkaLogLevel.INFO) child.info(message, fields);
      else child.debug(message, fields);
    };
}

export function createKafka(settings: KafkaSettings, logger?: Logger): Kafka {
  installControllerFallback();
  return new Kafka(kafkaClientConfig(settings, logger));
}

interface KafkaJsCluster {
  findControllerBroker(): Promise<unknown>;
  findBroker(args: { nodeId: number }): Promise<unknown>;
  brokerPool: { metadata?: { brokers?: Array<{ nodeId: number }> } };
}

let controllerFallbackInstalled = false;

/**
 * kafkajs asks the *controller* broker for an idempotent producer's id, although any broker
 * may answer a non-transactional InitProducerId (kafkajs says so in eosManager). librdkafka's
 * mock cluster (our test broker) advertises controller id 0 while its brokers are numbered
 * from 1, so the lookup fails. When the advertised controller is unknown, fall back to a known
 * broker; a real cluster always advertises a live controller, so this never changes its path.
 * Pinned to kafkajs 2.2.x internals (package.json pins the version).
 */
function installControllerFallback(): void {
  if (controllerFallbackInstalled) return;
  controllerFallbackInstalled = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Cluster = require('kafkajs/src/cluster') as { prototype: KafkaJsCluster };
  const original = Cluster.prototype.findControllerBroker;
  Cluster.prototype.findControllerBroker = async function (this: KafkaJsCluster) {
    try {
      return await original.call(this);
    } catch (err) {
      const known = this.brokerPool.metadata?.brokers ?? [];
      if ((err as Error).name !== 'KafkaJSBrokerNotFound' || known.length === 0) throw err;
      return this.findBroker({ nodeId: known[0].nodeId });
    }
  };
}

/**
 * Round-robin assignment that tolerates a group whose member list arrives incomplete or
 * without metadata (seen with librdkafka's mock broker when joins race): members without
 * usable metadata are assumed to subscribe to the leader's topics instead of failing the sync.
 */
export const TolerantRoundRobinAssigner: PartitionAssigner = (config) => {
  const roundRobin = PartitionAssigners.roundRobin(config);
  return {
    name: roundRobin.name,
    version: roundRobin.version,
    protocol: (subscription) => roundRobin.protocol(subscription),
    async assign({ members, topics }) {
      const usable = members.filter((m) => typeof m.memberId === 'string' && m.memberId.length > 0);
      if (usable.length === 0) return [];
      for (const member of usable) {
        if (!member.memberMetadata || member.memberMetadata.length === 0) {
          member.memberMetadata = AssignerProtocol.MemberMetadata.encode({
            version: roundRobin.version,
            topics,
            userData: Buffer.alloc(0),
          });
        }
      }
      return roundRobin.assign({ members: usable, topics });
    },
  };
};

export interface OutgoingMessage {
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: IHeaders;
}

/** An idempotent producer: retries never duplicate messages within a partition. */
export class KafkaProducer {
  readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      // Java-compatible murmur2 partitioning, so keys land where other Kafka clients put them.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Sends and waits for every broker acknowledgement (acks = all, required for idempotence). */
  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, messages, acks: -1 });
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** Keeps the group session alive during long batches. */
  heartbeat(): Promise<void>;
  /** True once a stop or rebalance was requested: finish quickly. */
  isStale(): boolean;
}

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  /** Start from the earliest offset when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** How long a fetch waits for data: bounds the latency of an idle consumer's shutdown. */
  maxWaitTimeMs?: number;
  logger?: Logger;
  /** Partitions gained after a rebalance; batches of the new assignment wait for it. */
  onAssign?(topic: string, partition: number): Promise<void>;
  /** Partitions lost in a rebalance (reported once the group has rebalanced). */
  onRevoke?(topic: string, partition: number): Promise<void>;
}

type Assignment = Record<string, number[]>;

function partitionsOf(assignment: Assignment): Set<string> {
  const out = new Set<string>();
  for (const [topic, partitions] of Object.entries(assignment))
    for (const p of partitions) out.add(`${p}@${topic}`);
  return out;
}

function splitPartitionKey(key: string): [string, number] {
  const at = key.indexOf('@');
  return [key.slice(at + 1), Number(key.slice(0, at))];
}

/** Backoff of the consumer's own restarts after a crash kafkajs does not recover from. */
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Consumes batches per partition and commits the batch's offsets after the handler resolves.
 * A handler that throws leaves the batch uncommitted; kafkajs retries it (the stage's
 * idempotence keeps that safe).
 */
export class BatchConsumer {
  readonly consumer: Consumer;
  private running = false;
  private readonly paused = new Set<string>();
  private groupJoined = false;
  private assignment = new Set<string>();
  /** Settles once onAssign/onRevoke of the latest rebalance ran; batches wait on it. */
  private assignmentSettled: Promise<void> = Promise.resolve();
  /** What `start` ran, to run it again after a crash kafkajs does not recover from. */
  private runConfig: Parameters<Consumer['run']>[0] | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs = FIRST_RESTART_DELAY_MS;
  /** Restarts after crashes kafkajs gave up on (each is also logged). */
  restarts = 0;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
      partitionAssigners: [TolerantRoundRobinAssigner],
      allowAutoTopicCreation: true,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.groupJoined = true;
      this.restartDelayMs = FIRST_RESTART_DELAY_MS;
      options.logger?.info('joined consumer group', {
        groupId: options.groupId,
        assignment: event.payload.memberAssignment,
      });
      const next = partitionsOf(event.payload.memberAssignment);
      const previous = this.assignment;
      this.assignment = next;
      const revoked = [...previous].filter((k) => !next.has(k));
      const assigned = [...next].filter((k) => !previous.has(k));
      this.assignmentSettled = this.assignmentSettled.then(async () => {
        for (const k of revoked) await options.onRevoke?.(...splitPartitionKey(k));
        for (const k of assigned) await options.onAssign?.(...splitPartitionKey(k));
      });
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.groupJoined = false;
      const restart = (event.payload as { restart?: boolean }).restart === true;
      options.logger?.error('consumer crashed', {
        groupId: options.groupId,
        error: event.payload.error,
        kafkajsRestarts: restart,
      });
      // kafkajs restarts itself after a retriable error. After any other (a protocol error
      // answered to a rebalance request, say) it has disconnected for good, and the service
      // would stay alive but consume nothing: restart it here, with backoff.
      if (!restart) this.scheduleRestart();
    });
  }

  /** True once the consumer has joined its group and received an assignment. */
  get isReady(): boolean {
    return this.running && this.groupJoined;
  }

  async start(handler: (batch: ConsumedBatch) => Promise<void>): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    this.running = true;
    this.runConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        heartbeat,
        isRunning,
        isStale,
        resolveOffset,
        commitOffsetsIfNecessary,
      }) => {
        if (batch.messages.length === 0) return;
        await this.assignmentSettled;
        const messages: ConsumedMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          headers: m.headers ?? {},
          timestamp: m.timestamp,
        }));
        await handler({
          topic: batch.topic,
          partition: batch.partition,
          messages,
          heartbeat,
          isStale: () => !isRunning() || isStale(),
        });
        const last = batch.messages[batch.messages.length - 1].offset;
        resolveOffset(last);
        // Through the batch's own commit: consumer.commitOffsets() silently does nothing once
        // a stop was requested, which would lose the commit of the batch that stop waits for.
        await commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
            },
          ],
        });
        await heartbeat();
      },
    };
    await this.consumer.run(this.runConfig);
  }

  private scheduleRestart(): void {
    if (!this.running || this.restartTimer !== undefined) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restartAfterCrash();
    }, delay);
    this.restartTimer.unref();
  }

  private async restartAfterCrash(): Promise<void> {
    if (!this.running || this.runConfig === undefined) return;
    try {
      await this.consumer.connect();
      await this.consumer.run(this.runConfig);
      this.restarts++;
      this.options.logger?.info('consumer restarted after a crash', { groupId: this.options.groupId });
    } catch (err) {
      this.options.logger?.error('consumer restart failed', { groupId: this.options.groupId, error: err });
      this.scheduleRestart();
    }
  }

  /** Backpressure: stop fetching `topics` (all subscribed topics by default) until resume(). */
  pause(topics: string[] = this.options.topics): void {
    const fresh = topics.filter((t) => !this.paused.has(t));
    if (fresh.length === 0) return;
    fresh.forEach((t) => this.paused.add(t));
    this.consumer.pause(fresh.map((topic) => ({ topic })));
  }

  resume(topics: string[] = this.options.topics): void {
    const held = topics.filter((t) => this.paused.has(t));
    if (held.length === 0) return;
    held.forEach((t) => this.paused.delete(t));
    this.consumer.resume(held.map((topic) => ({ topic })));
  }

  get isPaused(): boolean {
    return this.paused.size > 0;
  }

  /** Waits for the running batch to finish (and commit), then leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    this.groupJoined = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.consumer.disconnect();
    // Leaving the group gives every partition up: let the owner flush its state.
    const held = [...this.assignment];
    this.assignment = new Set();
    await this.assignmentSettled;
    for (const k of held) await this.options.onRevoke?.(...splitPartitionKey(k));
  }
}

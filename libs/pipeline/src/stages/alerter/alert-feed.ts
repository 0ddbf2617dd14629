// Live alerts for StreamAlerts. Every pod publishes what it produced to one Redis channel and
// every pod's gRPC streams listen to it, so a client connected to any pod sees every alert.
import type { Logger, RedisClient } from '@sequent/platform';
import type { StoredAlert } from './alert-view';

export type AlertListener = (alert: StoredAlert) => void;

export interface AlertFeed {
  publish(alerts: StoredAlert[]): Promise<void>;
  subscribe(listener: AlertListener): () => void;
  close(): Promise<void>;
}

/** One process: listeners get what this process publishes. */
export class LocalAlertFeed implements AlertFeed {
  private readonly listeners = new Set<AlertListener>();

  async publish(alerts: StoredAlert[]): Promise<void> {
    this.emit(alerts);
  }

  protected emit(alerts: StoredAlert[]): void {
    for (const a of alerts) for (const l of this.listeners) l(a);
  }

  subscribe(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

/** Across pods, through Redis pub/sub (at most once: a stream is a live view, ListAlerts the record). */
export class RedisAlertFeed extends LocalAlertFeed {
  private readonly subscriber: RedisClient;
  private readonly ready: Promise<unknown>;

  constructor(
    private readonly redis: RedisClient,
    private readonly channel: string,
    logger?: Logger,
  ) {
    super();
    this.subscriber = redis.duplicate();
    this.subscriber.on('message', (ch: string, message: string) => {
      if (ch !== this.channel) return;
      try {
        this.emit(JSON.parse(message) as StoredAlert[]);
      } catch (err) {
        logger?.warn('bad message on the alert feed', { error: (err as Error).message });
      }
    });
    this.ready = this.subscriber.subscribe(channel);
  }

  async start(): Promise<void> {
    await this.ready;
  }

  override async publish(alerts: StoredAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.redis.publish(this.channel, JSON.stringify(alerts));
  }

  override async close(): Promise<void> {
    await super.close();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}

// Alert outputs besides the `alerts` topic: an NDJSON file and webhooks (Slack-style and
// generic JSON). A delivery is retried with exponential backoff; when a sink keeps failing, its
// alerts go to the DLQ (reason `sink_failed`) and sequent_sink_errors_total{sink} counts them,
// so nothing is dropped silently and one dead sink never stops the pipeline.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StoredAlert } from './alert-view';

/** A webhook output (the alerter's SEQUENT_SINKS_WEBHOOKS entries). */
export interface WebhookConfig {
  /** Metric label of the sink (`webhook:<name>`). */
  name: string;
  url: string;
  /** `slack`: Slack incoming-webhook JSON ({text}); `json`: {alerts: [documents]}. */
  format: 'slack' | 'json';
  /** Optional Authorization header value for generic webhooks. */
  authorization?: string;
}

export interface AlertSink {
  /** Metric label: `file`, `webhook:<name>`. */
  readonly name: string;
  /** Which alerts this sink wants. */
  accepts(alert: StoredAlert): boolean;
  /** Delivers once; throws on failure (with `retryable: false` when retrying cannot help). */
  deliver(alerts: StoredAlert[]): Promise<void>;
}

export class SinkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The server's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Appends every alert document (new and updated) as one NDJSON line. */
export class FileSink implements AlertSink {
  readonly name = 'file';
  private dirReady?: Promise<unknown>;

  constructor(private readonly file: string) {}

  accepts(): boolean {
    return true;
  }

  async deliver(alerts: StoredAlert[]): Promise<void> {
    this.dirReady ??= mkdir(path.dirname(this.file), { recursive: true });
    await this.dirReady;
    await appendFile(this.file, alerts.map((a) => JSON.stringify(a.doc) + '\n').join(''));
  }
}

const SLACK_LINES = 20;

/** Slack's control characters: event content must not become mentions (`<!channel>`) or links. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackMessage(alerts: StoredAlert[]): { text: string } {
  const lines = alerts.slice(0, SLACK_LINES).map((a) => {
    const host = (a.doc['host'] as { name?: unknown } | undefined)?.name ?? a.doc['host.name'];
    const where = typeof host === 'string' ? ` on ${host}` : '';
    const reason =
      typeof a.doc['kibana.alert.reason'] === 'string' ? `: ${a.doc['kibana.alert.reason']}` : '';
    return slackEscape(
      `*[${a.severity.toUpperCase()}] ${a.ruleName}*${where} (risk ${a.riskScore})${reason}`,
    );
  });
  if (alerts.length > SLACK_LINES) lines.push(`…and ${alerts.length - SLACK_LINES} more`);
  return { text: lines.join('\n') };
}

export class WebhookSink implements AlertSink {
  readonly name: string;

  constructor(
    private readonly config: WebhookConfig,
    private readonly timeoutMs: number,
    private readonly notifyUpdates: boolean,
  ) {
    this.name = `webhook:${config.name}`;
  }

  accepts(alert: StoredAlert): boolean {
    // Building blocks are not meant to be seen on their own (Kibana hides them too).
    return !alert.buildingBlock && (!alert.update || this.notifyUpdates);
  }

  async deliver(alerts: StoredAlert[]): Promise<void> {
    const body = this.config.format === 'slack' ? slackMessage(alerts) : { alerts: alerts.map((a) => a.doc) };
    let res: Response;
    try {
      res = await fetch(this.config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.config.authorization ? { authorization: this.config.authorization } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SinkError(`request failed: ${(err as Error).message}`, true);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    // 429 and 5xx may pass later; other client errors will not.
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new SinkError(
      `HTTP ${res.status}`,
      res.status === 429 || res.status >= 500,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
}

export interface RetryOptions {
  attempts: number;
  backoffMs: number;
  maxBackoffMs?: number;
  /**
   * Time budget for all attempts of one delivery: no retry starts after it. Keeps a dead sink
   * from holding a batch past the consumer's session timeout (which would replay the batch).
   */
  budgetMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Delivers with retries; resolves to the last error when every attempt failed, else null. */
export async function deliverWithRetry(
  sink: AlertSink,
  alerts: StoredAlert[],
  options: RetryOptions,
): Promise<{ error: string; attempts: number } | null> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const deadline = options.budgetMs === undefined ? Infinity : now() + options.budgetMs;
  let last = '';
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      await sink.deliver(alerts);
      return null;
    } catch (err) {
      last = (err as Error).message;
      if (err instanceof SinkError && !err.retryable) return { error: last, attempts: attempt };
      if (attempt === options.attempts) break;
      const backoff = Math.min(options.backoffMs * 2 ** (attempt - 1), options.maxBackoffMs ?? 10_000);
      const pause = Math.max(backoff, err instanceof SinkError ? (err.retryAfterMs ?? 0) : 0);
      if (now() + pause >= deadline) return { error: `${last} (retry budget spent)`, attempts: attempt };
      await sleep(pause);
    }
  }
  return { error: last, attempts: options.attempts };
}

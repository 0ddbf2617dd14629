// Structured JSON logs: one line per entry, `{"time","level","msg",...fields}`. Values under keys
// that look secret (password, token, authorization, ...) are masked before anything is written.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Fields on every entry (service name, ...). */
  base?: LogFields;
  /** Where lines go (default: stdout). */
  write?: (line: string) => void;
  now?: () => Date;
}

// Fixed pattern written here (never user input): keys whose values must not be logged.
const SECRET_KEY =
  /pass(word|wd)?$|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie/i;
const MAX_DEPTH = 8;

/** Deep copy that masks secret-looking keys, serializes Errors and cuts cycles and deep nesting. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (depth >= MAX_DEPTH) return '[depth]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    const err = value as Error & { code?: unknown; cause?: unknown };
    return {
      name: err.name,
      message: err.message,
      ...(err.code !== undefined ? { code: err.code } : {}),
      stack: err.stack,
      ...(err.cause !== undefined ? { cause: redact(err.cause, depth + 1, seen) } : {}),
    };
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? '***' : redact(v, depth + 1, seen);
  }
  return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const make = (base: LogFields): Logger => {
    const log = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const entry = redact({ ...base, ...fields }) as LogFields;
      write(JSON.stringify({ time: now().toISOString(), level, msg, ...entry }));
    };
    return {
      debug: (msg, fields) => log('debug', msg, fields),
      info: (msg, fields) => log('info', msg, fields),
      warn: (msg, fields) => log('warn', msg, fields),
      error: (msg, fields) => log('error', msg, fields),
      child: (fields) => make({ ...base, ...fields }),
      isLevelEnabled: (level) => LOG_LEVELS.indexOf(level) >= threshold,
    };
  };
  return make(options.base ?? {});
}

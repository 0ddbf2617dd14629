// Runs a service process: load and validate configuration (a bad setting exits 2 with a clear
// message), build the NestJS application context, start the service, then wait for SIGTERM or
// SIGINT and shut down gracefully (service.stop() finishes the current batches and commits,
// then Nest closes). The apps' main.ts files are one call to runService.
// NestJS 12 ships as ES modules: it is loaded lazily here (Node >= 20.19 requires ESM from
// CommonJS), so importing @sequent/platform elsewhere (Jest, scripts) never pulls it in.
import 'reflect-metadata';
import type { DynamicModule, LoggerService, Type } from '@nestjs/common';
import type { z } from 'zod';
import { ConfigError, describeSettings } from './config';
import { createLogger, type Logger, type LogLevel } from './logger';
import { installGracefulShutdown } from './shutdown';

/** What a service class must offer: start consuming/serving, and stop after the current work. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Routes Nest's own log lines into the JSON logger. */
export function nestLogger(logger: Logger): LoggerService {
  const fields = (context: unknown) => (typeof context === 'string' ? { context } : {});
  const text = (message: unknown) => (typeof message === 'string' ? message : JSON.stringify(message));
  return {
    log: (message, context) => logger.debug(text(message), fields(context)),
    error: (message, trace, context) => logger.error(text(message), { ...fields(context), trace }),
    warn: (message, context) => logger.warn(text(message), fields(context)),
    debug: (message, context) => logger.debug(text(message), fields(context)),
    verbose: (message, context) => logger.debug(text(message), fields(context)),
  };
}

export interface RunServiceOptions<C> {
  name: string;
  loadConfig: () => C;
  logLevel: (config: C) => LogLevel;
  /** The app's root module, configured with the loaded configuration. */
  module: (config: C, logger: Logger) => DynamicModule;
  service: Type<Lifecycle>;
  /** Safe-to-log view of the configuration (secrets masked). */
  describe?: (config: C) => unknown;
  shutdownTimeoutMs?: number;
  /** With `--settings` on the command line, print the SEQUENT_* variables of this schema and exit. */
  schema?: z.ZodObject;
}

export async function runService<C>(options: RunServiceOptions<C>): Promise<void> {
  if (options.schema && process.argv.includes('--settings')) {
    // Tab-separated: variable, setting path, default (JSON; `required` or `-` without one), notes.
    for (const s of describeSettings(options.schema)) {
      const fallback = 'defaultValue' in s ? JSON.stringify(s.defaultValue) : s.required ? 'required' : '-';
      const notes = s.secret ? `secret; or ${s.env}_FILE` : '';
      process.stdout.write(`${s.env}\t${s.path}\t${fallback}\t${notes}\n`);
    }
    return;
  }
  let config: C;
  try {
    config = options.loadConfig();
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : String((err as Error).message ?? err);
    process.stderr.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'error',
        msg: message,
        service: options.name,
      }) + '\n',
    );
    process.exit(2);
  }
  const logger = createLogger({ level: options.logLevel(config), base: { service: options.name } });
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));
  try {
    const { NestFactory } = await import('@nestjs/core');
    const app = await NestFactory.createApplicationContext(options.module(config, logger), {
      logger: nestLogger(logger),
      abortOnError: false,
    });
    const service = app.get(options.service);
    installGracefulShutdown({
      logger,
      timeoutMs: options.shutdownTimeoutMs,
      steps: [
        { name: 'service', run: () => service.stop() },
        { name: 'nest', run: () => app.close() },
      ],
    });
    logger.info('starting', { config: options.describe?.(config) });
    await service.start();
    logger.info('started');
  } catch (err) {
    logger.error('failed to start', { error: err });
    process.exit(1);
  }
}

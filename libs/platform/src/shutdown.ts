// Graceful shutdown: on SIGTERM/SIGINT run the service's close steps in order (stop consuming
// after the current batch, commit, close producers and servers), then exit 0. A second signal
// or a close that overruns its deadline exits 1 immediately.
import type { Logger } from './logger';

export interface ShutdownOptions {
  logger: Logger;
  /** Close steps, run in order; a failing step is logged and the next still runs. */
  steps: Array<{ name: string; run: () => Promise<void> }>;
  timeoutMs?: number;
  signals?: NodeJS.Signals[];
  /** Injectable for tests. */
  exit?: (code: number) => void;
}

export interface ShutdownHandle {
  /** Runs the steps once (also what a signal triggers); resolves with the exit code. */
  shutdown(reason: string): Promise<number>;
  /** Removes the signal listeners. */
  dispose(): void;
}

export function installGracefulShutdown(options: ShutdownOptions): ShutdownHandle {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let running: Promise<number> | undefined;

  const runSteps = async (reason: string): Promise<number> => {
    options.logger.info('shutting down', { reason });
    let code = 0;
    for (const step of options.steps) {
      try {
        await step.run();
        options.logger.debug('shutdown step done', { step: step.name });
      } catch (err) {
        code = 1;
        options.logger.error('shutdown step failed', { step: step.name, error: err });
      }
    }
    options.logger.info('shutdown complete', { exitCode: code });
    return code;
  };

  const shutdown = (reason: string): Promise<number> => {
    if (running) return running;
    const timeoutMs = options.timeoutMs ?? 25_000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        options.logger.error('shutdown timed out', { timeoutMs });
        resolve(1);
      }, timeoutMs);
      timer.unref();
    });
    running = Promise.race([runSteps(reason), deadline]).finally(() => clearTimeout(timer));
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      options.logger.warn('second signal: exiting now', { signal });
      exit(1);
      return;
    }
    void shutdown(signal).then(exit);
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    shutdown,
    dispose: () => signals.forEach((s) => process.off(s, onSignal)),
  };
}

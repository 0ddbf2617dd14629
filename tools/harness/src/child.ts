import type { ChildProcess } from 'node:child_process';

/** Keeps the last `limit` characters of a stream, so a failed start can show what the process said. */
export function captureTail(proc: ChildProcess, limit = 4000): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-limit);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return () => tail;
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves once the process has exited. */
export function stopProcess(
  proc: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill(signal);
  });
}

/** Resolves with the first stdout line, rejects if the process exits or `timeoutMs` passes first. */
export function firstLine(proc: ChildProcess, timeoutMs: number, describe: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline >= 0) finish(() => resolve(buffered.slice(0, newline).trim()));
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(() =>
        reject(new Error(`exited (code ${code}, signal ${signal}) before it was ready: ${describe()}`)),
      );
    const timer = setTimeout(
      () => finish(() => reject(new Error(`not ready after ${timeoutMs} ms: ${describe()}`))),
      timeoutMs,
    );
    function finish(then: () => void) {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.off('exit', onExit);
      then();
    }
    proc.stdout?.on('data', onData);
    proc.once('exit', onExit);
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

import { createLogger } from './logger';
import { installGracefulShutdown } from './shutdown';

const quiet = createLogger({ level: 'error', write: () => undefined });

describe('installGracefulShutdown', () => {
  it('runs the steps in order on SIGTERM and exits 0', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const handle = installGracefulShutdown({
      logger: quiet,
      signals: ['SIGUSR2'],
      exit: (code) => exits.push(code),
      steps: [
        { name: 'consumer', run: async () => void order.push('consumer') },
        { name: 'producer', run: async () => void order.push('producer') },
      ],
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 20));
      expect(order).toEqual(['consumer', 'producer']);
      expect(exits).toEqual([0]);
    } finally {
      handle.dispose();
    }
  });

  it('keeps going after a failing step and reports exit code 1', async () => {
    const order: string[] = [];
    const handle = installGracefulShutdown({
      logger: quiet,
      signals: [],
      steps: [
        { name: 'a', run: async () => Promise.reject(new Error('close failed')) },
        { name: 'b', run: async () => void order.push('b') },
      ],
    });
    expect(await handle.shutdown('test')).toBe(1);
    expect(order).toEqual(['b']);
  });

  it('gives up after the timeout, and runs the steps only once', async () => {
    let runs = 0;
    const handle = installGracefulShutdown({
      logger: quiet,
      signals: [],
      timeoutMs: 50,
      steps: [{ name: 'stuck', run: () => new Promise<void>(() => void runs++) }],
    });
    const [first, second] = await Promise.all([handle.shutdown('a'), handle.shutdown('b')]);
    expect([first, second]).toEqual([1, 1]);
    expect(runs).toBe(1);
  });

  it('exits 1 at once on a second signal', async () => {
    const exits: number[] = [];
    const handle = installGracefulShutdown({
      logger: quiet,
      signals: ['SIGUSR2'],
      exit: (code) => exits.push(code),
      timeoutMs: 10_000,
      steps: [{ name: 'slow', run: () => new Promise<void>((r) => setTimeout(r, 100)) }],
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(exits).toEqual([1]);
      await new Promise((r) => setTimeout(r, 150));
      expect(exits).toEqual([1, 0]);
    } finally {
      handle.dispose();
    }
  });
});

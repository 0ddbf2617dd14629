import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's ephemeral port range: ports it hands to `listen(0)` and to outgoing connections.
 * A port taken from it and released can be handed out again before the service binds it
 * (CI saw an alerter fail with EADDRINUSE that way while other tests opened connections).
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const range: [number, number] = [Number(low), Number(high)];
    if (range.every((n) => Number.isInteger(n) && n > 0)) return range;
  } catch {
    // not Linux: fall through
  }
  return [32768, 60999];
}

/** Whether 127.0.0.1:`port` can be bound now (it is released again before returning). */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** Ports this process already handed out (a service may not have bound one yet). */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 for a service under test. Picked at random below the kernel's
 * ephemeral range, where the kernel never allocates on its own, so nothing but another test's
 * explicit choice can take it before the service binds it; the kernel's own pick (`listen(0)`)
 * is the fallback.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 20_000;
  const high = Math.min(ephemeralLow, 32_768) - 1;
  if (high > low) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const candidate = low + Math.floor(Math.random() * (high - low + 1));
      if (handedOut.has(candidate)) continue;
      const port = await tryPort(candidate);
      if (port === undefined) continue;
      handedOut.add(port);
      return port;
    }
  }
  const port = await tryPort(0);
  if (port === undefined) throw new Error('could not allocate a free port');
  return port;
}

// A failing alerts sink: a webhook that answers 500 for the first half of the stream, then
// recovers. Each delivery is retried (SEQUENT_SINKS_ATTEMPTS), then its alerts go to alerts.dlq
// with reason sink_failed. The `alerts` topic is unaffected, and every alert reaches the webhook
// or the DLQ exactly once: none lost, none twice.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultRig, faultFleet } from './src/fault-rig';

jest.setTimeout(300_000);

interface Hook {
  server: Server;
  url: string;
  failing: boolean;
  attempts: number;
  delivered: string[];
}

async function startHook(): Promise<Hook> {
  const hook = { failing: true, attempts: 0, delivered: [] as string[] } as Hook;
  hook.server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      hook.attempts++;
      if (hook.failing) {
        res.writeHead(500).end('sink full');
        return;
      }
      const { alerts } = JSON.parse(body) as { alerts: Array<Record<string, unknown>> };
      for (const a of alerts) hook.delivered.push(String(a['kibana.alert.uuid']));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/hook`;
  return hook;
}

describe('fault: the alerts sink fails', () => {
  let hook: Hook;
  let rig: FaultRig;
  beforeAll(async () => {
    hook = await startHook();
    rig = new FaultRig({
      name: 'sink',
      alerterEnv: {
        SEQUENT_SINKS_WEBHOOKS: JSON.stringify([{ name: 'hook', url: hook.url, format: 'json' }]),
        SEQUENT_SINKS_ATTEMPTS: '3',
        SEQUENT_SINKS_BACKOFF_MS: '20',
      },
    });
  });
  afterAll(async () => {
    await rig.stop();
    await new Promise((resolve) => hook.server.close(resolve));
  });

  it('retries, dead-letters what the sink refused, and delivers each alert once after it recovers', async () => {
    await rig.start();
    const events = faultFleet('sequent-faults-sink');
    const expected = await rig.expected(events);
    const half = Math.floor(events.length / 2);
    await rig.stream(events.slice(0, half));
    // Wait until the first half's alerts were published (and refused by the sink) before it recovers.
    await rig.settle(1, 8_000);
    hook.failing = false;
    await rig.stream(events.slice(half));
    await rig.settle(expected.size);

    const outcome = rig.outcome(expected);
    expect(outcome.lost).toEqual([]);
    expect(outcome.duplicated).toEqual([]);
    expect(outcome.unexpected).toEqual([]);

    const dead = rig.alertsDlq.map((d) => {
      expect(d.reason).toBe('sink_failed');
      expect(d.error).toMatch(/^webhook:hook: HTTP 500 after 3 attempt\(s\)$/);
      return String(JSON.parse(d.original)['kibana.alert.uuid']);
    });
    expect(dead.length).toBeGreaterThan(0);
    expect(hook.delivered.length).toBeGreaterThan(0);
    // Every published alert went to the webhook or to the DLQ, exactly once.
    const both = [...dead, ...hook.delivered];
    expect(new Set(both).size).toBe(both.length);
    expect(new Set(both)).toEqual(new Set(rig.published.keys()));
    // Three attempts for every refused delivery.
    expect(hook.attempts).toBeGreaterThanOrEqual(3);
  });
});

// Redis faults under a flowing stream: a Redis that answers slowly (CLIENT PAUSE holds every
// client's commands for seconds at a time) and a Redis that restarts (persistent, as in
// production). The correlator and the alerter wait or retry; no alert is lost, none duplicated.
import Redis from 'ioredis';
import { sleep } from '../harness/src';
import { FaultRig, faultFleet } from './src/fault-rig';

jest.setTimeout(300_000);

async function expectNoLossNoDuplicate(rig: FaultRig, expected: Set<string>): Promise<void> {
  await rig.settle(expected.size);
  const outcome = rig.outcome(expected);
  expect(outcome.lost).toEqual([]);
  expect(outcome.duplicated).toEqual([]);
  expect(outcome.unexpected).toEqual([]);
  for (const s of [...rig.correlators, rig.alerter]) expect(s.proc.exitCode).toBeNull();
  expect(await rig.stop()).toEqual([0, 0]);
}

describe('fault: Redis', () => {
  it('answers slowly (CLIENT PAUSE 3 s, five times mid-stream): nothing lost or duplicated', async () => {
    const rig = new FaultRig({ name: 'redis-slow' });
    try {
      await rig.start();
      const events = faultFleet('sequent-faults-redis-slow');
      const expected = await rig.expected(events);
      const admin = new Redis(rig.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await admin.connect();
      let pauses = 0;
      await rig.stream(events, 200, async (chunk) => {
        if (chunk % 3 === 1 && pauses < 5) {
          expect(await admin.call('CLIENT', 'PAUSE', '3000', 'ALL')).toBe('OK');
          pauses++;
          await sleep(500);
        }
      });
      admin.disconnect();
      expect(pauses).toBe(5);
      await expectNoLossNoDuplicate(rig, expected);
    } finally {
      await rig.stop();
    }
  });

  it('restarts mid-stream: nothing lost or duplicated', async () => {
    const rig = new FaultRig({ name: 'redis-restart' });
    try {
      await rig.start();
      const events = faultFleet('sequent-faults-redis-restart');
      const expected = await rig.expected(events);
      await rig.stream(events, 200, async (chunk) => {
        if (chunk === 6) {
          await rig.redis.stop();
          await sleep(2_000);
          await rig.redis.restart();
        }
      });
      await expectNoLossNoDuplicate(rig, expected);
    } finally {
      await rig.stop();
    }
  });
});

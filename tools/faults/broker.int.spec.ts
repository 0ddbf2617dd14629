// Broker outage. The harness broker (librdkafka's mock cluster) cannot be restarted: its port is
// ephemeral and its log lives in memory, so a new broker is a different, empty cluster. What a
// real broker restart does to the clients — every connection stalls, requests time out, then
// the same broker answers again with its data — is reproduced by freezing the broker process
// (SIGSTOP) for 15 s mid-stream and resuming it (SIGCONT). The services must survive, recover,
// and lose or duplicate no alert.
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from '../harness/src';
import { FaultRig, faultFleet } from './src/fault-rig';

jest.setTimeout(300_000);

/** The pid of the broker this test process started (a direct child running kafka-test-broker). */
function brokerPid(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && cmd.includes('kafka-test-broker')) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error('no kafka-test-broker child of this process');
}

describe('fault: the broker goes away and comes back', () => {
  const rig = new FaultRig({ name: 'broker' });
  afterAll(() => rig.stop());

  it('services survive a 15 s broker outage mid-stream, resume, and lose or duplicate nothing', async () => {
    await rig.start();
    const pid = brokerPid();
    const events = faultFleet('sequent-faults-broker');
    const expected = await rig.expected(events);
    const half = Math.floor(events.length / 2);
    await rig.stream(events.slice(0, half));
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(15_000);
      for (const s of [...rig.correlators, rig.alerter]) expect(s.proc.exitCode).toBeNull();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await rig.stream(events.slice(half));
    await rig.settle(expected.size);
    const outcome = rig.outcome(expected);
    expect(outcome.lost).toEqual([]);
    expect(outcome.duplicated).toEqual([]);
    expect(outcome.unexpected).toEqual([]);
    for (const s of [...rig.correlators, rig.alerter]) {
      expect(s.proc.exitCode).toBeNull();
      expect(await rig.ready(s)).toBe(200);
    }
    expect(await rig.stop()).toEqual([0, 0]);
  });
});

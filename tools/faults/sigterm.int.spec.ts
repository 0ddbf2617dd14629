// SIGTERM while batches are in flight: the correlator and the alerter finish the batch in hand,
// commit, and exit 0; their replacements pick up from the committed offsets. No alert is lost and
// none is published twice (compared with an in-process hunt of the same events).
import { FaultRig, faultFleet } from './src/fault-rig';

jest.setTimeout(300_000);

describe('fault: SIGTERM during a batch', () => {
  const rig = new FaultRig({ name: 'sigterm' });
  afterAll(() => rig.stop());

  it('exits 0 on SIGTERM mid-stream, and the restarted services lose and duplicate nothing', async () => {
    await rig.start();
    const events = faultFleet('sequent-faults-sigterm');
    const expected = await rig.expected(events);
    expect(expected.size).toBeGreaterThan(20);
    const exits: Array<[string, number | null]> = [];
    await rig.stream(events, 200, async (chunk) => {
      if (chunk === 5) {
        exits.push(['correlator', await rig.correlators[0].stop('SIGTERM', 30_000)]);
        rig.correlators[0] = await rig.startCorrelator();
      }
      if (chunk === 12) {
        exits.push(['alerter', await rig.alerter.stop('SIGTERM', 30_000)]);
        rig.alerter = await rig.startAlerter();
      }
    });
    expect(exits).toEqual([
      ['correlator', 0],
      ['alerter', 0],
    ]);
    await rig.settle(expected.size);
    const outcome = rig.outcome(expected);
    expect(outcome.lost).toEqual([]);
    expect(outcome.duplicated).toEqual([]);
    expect(outcome.unexpected).toEqual([]);
    expect(await rig.stop()).toEqual([0, 0]);
  });
});

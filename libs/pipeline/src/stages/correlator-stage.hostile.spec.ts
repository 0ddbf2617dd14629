// Event times the fuzz suite (tools/fuzz) found blinding a partition: an event claiming to be far
// in the future moved the watermark past every real event, and a threshold rule never fired.
import { MemoryStateStore } from '@sequent/engine';
import { CorrelatorStage } from './correlator-stage';
import { batch, ruleEngine } from './correlator-stage.testing';

const NOW = Date.UTC(2026, 0, 1, 0, 1, 0);

const event = (name: string, time: unknown) => ({
  '@timestamp': time,
  _index: 'logs-endpoint.events.process-default',
  event: { category: ['process'], type: ['start'], id: `${name}-${String(time)}` },
  host: { id: 'h1' },
  process: { name },
});

function stage(maxFutureMs?: number): CorrelatorStage {
  return new CorrelatorStage({
    engine: ruleEngine(),
    store: new MemoryStateStore(),
    candidatesTopic: 'alerts.candidates',
    reorder: { allowedLatenessMs: 1000 },
    now: () => NOW,
    ...(maxFutureMs === undefined ? {} : { maxFutureMs }),
  });
}

const candidates = (r: Awaited<ReturnType<CorrelatorStage['handleBatch']>>) =>
  r.outputs.flatMap((o) => o.records);

describe('CorrelatorStage with event times far in the future', () => {
  it('dead-letters an event timed beyond the clock plus one day, and the sequence after it still alerts', async () => {
    const s = stage();
    const r = await s.handleBatch(
      batch(
        [
          event('x', '9999-12-31T23:59:59.999Z'),
          event('x', Date.UTC(2026, 0, 3)),
          event('a', '2026-01-01T00:00:00.000Z'),
          event('b', '2026-01-01T00:00:02.000Z'),
          event('c', '2026-01-01T00:00:10.000Z'),
        ],
        0,
      ),
    );
    expect(r.dlq.map((d) => [d.reason, d.source?.offset])).toEqual([
      ['timestamp_in_future', '0'],
      ['timestamp_in_future', '1'],
    ]);
    expect(r.dlq[0].error).toMatch(/9999-12-31T23:59:59.999Z is more than 86400000 ms ahead/);
    expect(candidates(r)).toHaveLength(1);
    expect(s.partitions.get('ecs.events:0')?.watermark).toBe(Date.UTC(2026, 0, 1, 0, 0, 9));
  });

  it('keeps events within the allowed skew, and takes any time when the check is off', async () => {
    const within = await stage().handleBatch(batch([event('a', NOW + 3_600_000)], 0));
    expect(within.dlq).toEqual([]);
    const off = await stage(0).handleBatch(batch([event('a', '9999-12-31T23:59:59.999Z')], 0));
    expect(off.dlq).toEqual([]);
  });
});

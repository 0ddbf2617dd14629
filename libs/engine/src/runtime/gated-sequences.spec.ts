import { hunt } from '../hunt';
import { MemoryStateStore } from '../state/memory-state-store';
import { loadedRule } from '../testing/loaded-rule';
import { seededRandom } from '../testing/seeded-random';
import { DetectionEngine } from './detection-engine';
import { PartitionProcessor } from './partition-processor';

/**
 * Gated sequence rules (filed in the index by their starting stage only) are tried on other
 * events only while a partial waits for a later stage, only on events of that stage's
 * category, and without testing their starting stages again. These tests check the routing
 * and that it never changes what the rules find.
 */
const T0 = Date.parse('2026-01-01T00:00:00Z');

function ev(t: number, id: string, category: string, name: string, host = 'h1') {
  return {
    '@timestamp': new Date(T0 + t).toISOString(),
    event: { id, category: [category], type: ['start'] },
    host: { id: host },
    process: { name },
    ...(category === 'network' ? { destination: { ip: '8.8.8.8' } } : {}),
    ...(category === 'file' ? { file: { name } } : {}),
  };
}

let ids = 0;
function rule(query: string) {
  ids++;
  return loadedRule(query, { rule_id: `gated-${ids}`, name: `gated ${ids}` });
}

/** Evaluations of the one rule after each event, fed one by one in time order. */
async function evaluationsPerEvent(query: string, events: unknown[]): Promise<number[]> {
  const engine = new DetectionEngine([rule(query)]);
  expect(engine.runtimes[0].gated).toBe(true);
  const p = await PartitionProcessor.open(engine, new MemoryStateStore(), {
    partition: 'p',
    allowedLatenessMs: 0,
    maxBuffered: 10,
  });
  const counts: number[] = [];
  for (const [offset, event] of events.entries()) {
    const before = engine.runtimes[0].stats.evaluations;
    await p.processBatch([{ event, offset }]);
    counts.push(engine.runtimes[0].stats.evaluations - before);
  }
  return counts;
}

describe('gated sequence rules', () => {
  it('are tried only on events of the categories of the stages their partials wait for', async () => {
    const counts = await evaluationsPerEvent(
      'sequence by host.id with maxspan=1m [process where process.name == "apt"] [file where true] [network where true]',
      [
        ev(0, 'ls', 'process', 'ls'), // nothing pending, not apt: not tried
        ev(1000, 'apt', 'process', 'apt'), // selected by the index
        ev(2000, 'net-early', 'network', 'nc'), // the partial waits for a file event: not tried
        ev(3000, 'sh', 'process', 'sh'), // nor a process one
        ev(4000, 'file', 'file', 'x'), // tried: advances to the network stage
        ev(5000, 'sh2', 'process', 'sh'), // waits for network now: not tried
        ev(6000, 'net', 'network', 'nc'), // tried: completes
        ev(7000, 'net-after', 'network', 'nc'), // nothing pending any more
      ],
    );
    // (zero lateness: each event is evaluated as it arrives)
    expect(counts).toEqual([0, 1, 0, 0, 1, 0, 1, 0]);
  });

  it('find exactly what the unfiltered engine finds, over random streams', async () => {
    const rules = [
      'sequence by host.id with maxspan=20s [process where process.name == "apt"] [file where true] [network where true]',
      'sequence by host.id with maxspan=20s [process where process.name == "apt"] [process where true] until [file where process.name == "rm"]',
      'sequence by host.id with maxspan=30s [process where process.name == "apt"] ![file where process.name == "rm"] [network where true]',
      'sequence by host.id with maxspan=30s [process where process.name == "apt"] [any where process.name == "sh"] with runs=2 [network where true]',
      'sequence by host.id with maxspan=30s [process where process.name == "apt"] [network where true] ![file where true]',
      'sequence by host.id with maxspan=30s [process where process.name == "apt"] by process.name [process where true] by process.name',
      'sequence with maxspan=15s [process where process.name in ("apt", "nc")] [process where process.name == "apt"] [network where true]',
    ].map(rule);
    const names = ['apt', 'sh', 'nc', 'rm', 'ls'];
    const categories = ['process', 'file', 'network'];
    let found = 0;
    for (let round = 0; round < 40; round++) {
      const random = seededRandom(20261130 + round);
      const events: unknown[] = [];
      let t = 0;
      for (let i = 0; i < 120; i++) {
        t += Math.floor(random() * 4000);
        const category = categories[Math.floor(random() * categories.length)];
        const name = names[Math.floor(random() * names.length)];
        const host = random() < 0.5 ? 'h1' : 'h2';
        events.push(ev(t, `e${i}`, category, name, host));
      }
      const alerts = async (filtered: boolean) =>
        (
          await hunt(
            rules,
            events,
            filtered ? { now: () => 0 } : { guards: false, literalHints: false, now: () => 0 },
          )
        ).alerts
          .map(
            (a) =>
              `${a['kibana.alert.rule.rule_id']}:${a['kibana.alert.ancestors'].map((x) => x.id).join('+')}`,
          )
          .sort();
      const reference = await alerts(false);
      expect(await alerts(true)).toEqual(reference);
      found += reference.length;
    }
    // The streams do complete sequences (else the comparison would prove little).
    expect(found).toBeGreaterThan(100);
  });
});

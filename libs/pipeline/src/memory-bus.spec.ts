import { murmur2, partitionForKey } from './bus';
import { MemoryBus } from './memory-bus';
import type { BusBatch } from './bus';

// kafkajs' own murmur2: the services partition with it, so the embedded bus must agree.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2');

describe('partitioning', () => {
  it('matches kafkajs murmur2 for keys of every length', () => {
    for (const key of ['', 'a', 'ab', 'abc', 'host-1', 'ffffffff-0000-4000-8000-000000000001', 'é漢字']) {
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(Buffer.from(key)));
    }
  });
  it('sends one key to one partition', () => {
    const p = partitionForKey('host-7', 6, 0);
    for (let i = 0; i < 10; i++) expect(partitionForKey('host-7', 6, i)).toBe(p);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(6);
  });
});

describe('MemoryBus', () => {
  it('delivers per partition in offset order and commits after the handler', async () => {
    const bus = new MemoryBus({ events: 3 });
    const seen: BusBatch[] = [];
    await bus.consume({
      groupId: 'g',
      topics: ['events'],
      onBatch: async (b) => {
        seen.push(b);
      },
    });
    const records = Array.from({ length: 30 }, (_, i) => ({ key: `host-${i % 5}`, value: String(i) }));
    await bus.produce('events', records);
    await bus.drain();
    const all = seen.flatMap((b) => b.records);
    expect(all).toHaveLength(30);
    for (const b of seen) {
      const offsets = b.records.map((r) => Number(r.offset));
      expect(offsets).toEqual([...offsets].sort((a, c) => a - c));
      for (const r of b.records) expect(r.partition).toBe(partitionForKey(r.key, 3, 0));
    }
    // Values of one key keep their order.
    const host0 = all.filter((r) => r.key === 'host-0').map((r) => Number(r.value.toString()));
    expect(host0).toEqual([0, 5, 10, 15, 20, 25]);
  });

  it('chains stages: a handler that produces is drained too', async () => {
    const bus = new MemoryBus();
    const out: string[] = [];
    await bus.consume({
      groupId: 'a',
      topics: ['in'],
      onBatch: async (b) =>
        bus.produce(
          'out',
          b.records.map((r) => ({ value: r.value.toString() + '!' })),
        ),
    });
    await bus.consume({
      groupId: 'b',
      topics: ['out'],
      onBatch: async (b) => {
        out.push(...b.records.map((r) => r.value.toString()));
      },
    });
    await bus.produce('in', [{ value: 'x' }, { value: 'y' }]);
    await bus.drain();
    expect(out).toEqual(['x!', 'y!']);
  });

  it('assigns and revokes partitions', async () => {
    const bus = new MemoryBus({ t: 2 });
    const calls: string[] = [];
    const sub = await bus.consume({
      groupId: 'g',
      topics: ['t'],
      onBatch: async () => undefined,
      onAssign: async (t, p) => {
        calls.push(`assign ${t}/${p}`);
      },
      onRevoke: async (t, p) => {
        calls.push(`revoke ${t}/${p}`);
      },
    });
    await sub.stop();
    expect(calls).toEqual(['assign t/0', 'assign t/1', 'revoke t/0', 'revoke t/1']);
  });
});

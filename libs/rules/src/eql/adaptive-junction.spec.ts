import { compileKql } from '../kql';
import { adaptiveJunction, REORDER_EVERY } from './adaptive-junction';
import { compileEqlCondition } from './index';

/** An event whose fields count how often they are read. */
function counted(values: Record<string, unknown>): { event: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values))
    Object.defineProperty(event, k, {
      enumerable: true,
      get: () => {
        reads++;
        return v;
      },
    });
  return { event, reads: () => reads };
}

describe('adaptiveJunction', () => {
  it('learns to test first the part that settles it', () => {
    let aCalls = 0;
    let bCalls = 0;
    const a = () => (aCalls++, true); // always holds: never settles an `and`
    const b = () => (bCalls++, false); // settles it every time
    const and = adaptiveJunction([a, b], false);
    for (let i = 0; i < REORDER_EVERY; i++) expect(and(null)).toBe(false);
    expect([aCalls, bCalls]).toEqual([REORDER_EVERY - 1, REORDER_EVERY]);
    aCalls = 0;
    for (let i = 0; i < 1000; i++) expect(and(null)).toBe(false);
    expect(aCalls).toBe(0);
  });

  it('gives what a fixed-order junction gives, for random parts over random inputs', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
    for (let trial = 0; trial < 20; trial++) {
      // Each part: true when the input falls in its own random band.
      const bands = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => {
        const lo = rand();
        return [lo, lo + rand() * (1 - lo)] as const;
      });
      const parts = bands.map(
        ([lo, hi]) =>
          (x: unknown) =>
            (x as number) >= lo && (x as number) < hi,
      );
      const and = adaptiveJunction(parts, false);
      const or = adaptiveJunction(parts, true);
      let agreed = 0;
      const n = 5 * REORDER_EVERY;
      for (let i = 0; i < n; i++) {
        const x = rand();
        if (and(x) === parts.every((p) => p(x)) && or(x) === parts.some((p) => p(x))) agreed++;
      }
      expect(agreed).toBe(n);
    }
    expect(adaptiveJunction([], false)(null)).toBe(true);
    expect(adaptiveJunction([], true)(null)).toBe(false);
  });

  it('EQL and KQL conditions learn their order and keep their answers', () => {
    const eql = compileEqlCondition('always == "x" and rare == "y"');
    const kql = compileKql('always: x and rare: y');
    for (const test of [eql, kql]) {
      const miss = counted({ always: 'x', rare: 'n' });
      for (let i = 0; i < REORDER_EVERY; i++) expect(test(miss.event)).toBe(false);
      // Written order: `always` is read first on every event, then `rare` settles it.
      expect(miss.reads()).toBeGreaterThanOrEqual(2 * REORDER_EVERY - 1);
      const after = counted({ always: 'x', rare: 'n' });
      for (let i = 0; i < 1000; i++) expect(test(after.event)).toBe(false);
      // Learned order: `rare` first, and nothing else is needed.
      expect(after.reads()).toBe(1000);
      expect(test({ always: 'x', rare: 'y' })).toBe(true);
    }
  });
});

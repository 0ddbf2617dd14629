import { ReorderBuffer } from './reorder-buffer';

const e = (t: number, id: string) => ({ '@timestamp': t, id });
const ids = (rs: Array<{ event: unknown }>) => rs.map((r) => (r.event as { id: string }).id);

describe('ReorderBuffer', () => {
  it('releases in event-time order once the watermark passes', () => {
    const b = new ReorderBuffer({ allowedLatenessMs: 100, maxBuffered: 1000 });
    b.push(e(1000, 'a'));
    b.push(e(950, 'b'));
    expect(b.drain()).toEqual([]);
    b.push(e(1100, 'c')); // watermark 1000: a and b go
    expect(ids(b.drain())).toEqual(['b', 'a']);
    expect(b.watermark).toBe(1000);
    expect(ids(b.flush())).toEqual(['c']);
  });

  it('evaluates a late event at once and counts it', () => {
    const b = new ReorderBuffer({ allowedLatenessMs: 0, maxBuffered: 1000 });
    b.push(e(1000, 'a'));
    b.push(e(2000, 'b'));
    expect(ids(b.drain())).toEqual(['a', 'b']);
    b.push(e(1500, 'late'));
    const out = b.drain();
    expect(ids(out)).toEqual(['late']);
    expect(out[0].late).toBe(true);
    expect(b.stats.late).toBe(1);
  });

  it('is bounded: the oldest leaves early when full, counted', () => {
    const b = new ReorderBuffer({ allowedLatenessMs: 1_000_000, maxBuffered: 2 });
    b.push(e(3, 'c'));
    b.push(e(1, 'a'));
    b.push(e(2, 'b'));
    expect(ids(b.drain())).toEqual(['a']);
    expect(b.stats.forced).toBe(1);
    expect(b.size).toBe(2);
  });

  it('orders equal times by tiebreaker, then arrival; untimed events are counted', () => {
    const b = new ReorderBuffer({ allowedLatenessMs: 10, maxBuffered: 100, tiebreakerField: 'seq' });
    b.push({ '@timestamp': 5, seq: 2, id: 'x' });
    b.push({ '@timestamp': 5, seq: 1, id: 'y' });
    b.push({ id: 'untimed' });
    expect(ids(b.flush())).toEqual(['y', 'x', 'untimed']);
    expect(b.stats.untimed).toBe(1);
  });

  it('snapshot / restore keeps the buffered events and the clock', () => {
    const b = new ReorderBuffer({ allowedLatenessMs: 100, maxBuffered: 100 });
    b.push(e(1000, 'a'));
    b.push(e(1200, 'b'));
    b.drain();
    const s = JSON.parse(JSON.stringify(b.snapshot()));
    const c = new ReorderBuffer({ allowedLatenessMs: 100, maxBuffered: 100 });
    c.restore(s);
    expect(c.watermark).toBe(1100);
    c.push(e(950, 'late'));
    expect(c.stats.late).toBe(1);
    expect(ids(c.flush())).toEqual(['late', 'b']);
  });
});

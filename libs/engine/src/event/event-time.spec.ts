import fc from 'fast-check';
import { parseEventTime } from './event-time';

/** What parseEventTime answered for text before its digit-by-digit path (the reference). */
function viaDateParse(v: string): number | null {
  if (/^\d{1,16}$/.test(v)) return Number(v);
  const ms = Date.parse(v.replace(/\.(\d{3})\d+/, '.$1'));
  return Number.isNaN(ms) ? null : ms;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('parseEventTime on ISO text', () => {
  it('reads the canonical UTC form exactly as Date.parse does, valid or not', () => {
    const stamp = fc
      .record({
        year: fc.oneof(fc.integer({ min: 1970, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 61 }),
        second: fc.integer({ min: 0, max: 61 }),
        fraction: fc.oneof(
          fc.constant(''),
          fc.stringMatching(/^\.[0-9]{0,12}$/),
          fc.constantFrom('.x', '.1a'),
        ),
        zone: fc.constantFrom('Z', 'Z', 'Z', '+00:00', 'z', ''),
      })
      .map(
        (t) =>
          `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction}${t.zone}`,
      );
    fc.assert(
      fc.property(stamp, (v) => {
        expect(parseEventTime(v)).toBe(viaDateParse(v));
      }),
      { seed: 20261130, numRuns: 20_000 },
    );
  });

  it('knows leap years and month lengths (and leaves the odd cases to Date.parse)', () => {
    expect(parseEventTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    // V8 reads February 29 of a common year as March 1: whatever it answers is the answer.
    expect(parseEventTime('2023-02-29T00:00:00Z')).toBe(Date.parse('2023-02-29T00:00:00Z'));
    expect(parseEventTime('2000-02-29T12:00:00.5Z')).toBe(Date.UTC(2000, 1, 29, 12, 0, 0, 500));
    expect(parseEventTime('2026-04-01T08:00:00.123456789Z')).toBe(Date.UTC(2026, 3, 1, 8, 0, 0, 123));
  });
});

// Timestamps the fuzz suite (tools/fuzz) sent that moved a partition's watermark out of reach.
import { parseEventTime } from './event-time';

describe('parseEventTime with hostile values', () => {
  it.each([1e300, -1e300, 7.2e16, 8.64e15 + 1, '9999999999999999', [1e300]])(
    'reads %p, beyond the range of a Date, as no time',
    (value) => {
      expect(parseEventTime(value)).toBeNull();
    },
  );

  it('keeps the edges of the Date range and ordinary epoch milliseconds', () => {
    expect(parseEventTime(8.64e15)).toBe(8.64e15);
    expect(parseEventTime(-8.64e15)).toBe(-8.64e15);
    expect(parseEventTime(1768467600000)).toBe(1768467600000);
    expect(parseEventTime('1768467600000')).toBe(1768467600000);
    expect(parseEventTime('+275760-09-13T00:00:00.000Z')).toBe(8.64e15);
  });
});

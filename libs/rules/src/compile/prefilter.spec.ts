import { parseLookbackMs, parseTimeSpanMs, thresholdWindowMs } from './duration';
import { categoriesFromKql, categoriesFromStages } from './prefilter';

describe('categoriesFromKql', () => {
  it.each([
    ['host.os.type:linux and event.category:process and event.type:start', ['process']],
    ['event.category : "network" and process.name:nc', ['network']],
    ['event.category:(process or network) and x:y', ['network', 'process']],
    ['event.category:(process or network) and event.category:process', ['process']],
    ['event.category:Process', ['process']],
  ])('%s → %j', (query, categories) => {
    expect(categoriesFromKql(query)).toEqual({ categories });
  });

  it.each([
    'event.category:process or process.name:x',
    'not event.category:process and a:b',
    'event.category:proc* and a:b',
    '(event.category:process and a:b) or c:d',
    'a:b and event.category:(process and network)',
    'process.name:"a or b"',
    'event.category:"pro',
    'event.category:(process or network',
    'a:b',
  ])('gives no hint for %s', (query) => {
    expect(categoriesFromKql(query)).toEqual({});
  });
});

describe('categoriesFromStages', () => {
  it('unions stage categories and gives up on any', () => {
    expect(categoriesFromStages(['process', 'network', 'process'])).toEqual({
      categories: ['network', 'process'],
    });
    expect(categoriesFromStages(['process', null])).toEqual({});
    expect(categoriesFromStages(['process', 'any'])).toEqual({});
    expect(categoriesFromStages([])).toEqual({});
  });
});

describe('durations', () => {
  it('parses spans and date math', () => {
    expect(parseTimeSpanMs('5m')).toBe(300_000);
    expect(parseTimeSpanMs('1h')).toBe(3_600_000);
    expect(parseTimeSpanMs('now-5m')).toBeUndefined();
    expect(parseLookbackMs('now-9m')).toBe(540_000);
    expect(parseLookbackMs('now-7d')).toBe(7 * 86_400_000);
    expect(parseLookbackMs('now-119m')).toBe(119 * 60_000);
    expect(parseLookbackMs('9m')).toBeUndefined();
    expect(parseLookbackMs('now-5x')).toBeUndefined();
  });

  it('uses the look-back as threshold window, never shorter than the interval', () => {
    expect(thresholdWindowMs('now-9m', '5m')).toBe(540_000);
    expect(thresholdWindowMs('now-1m', '5m')).toBe(300_000);
    expect(thresholdWindowMs(undefined, undefined)).toBe(360_000);
  });
});

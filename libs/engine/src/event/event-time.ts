/**
 * Event time: the timestamp field (default `@timestamp`) as epoch milliseconds. Accepts ISO
 * 8601 text (any number of fraction digits), epoch milliseconds as a number or digit string.
 * Returns null when the event has no readable time.
 */
import { compileFieldGetter } from '@sequent/ecs';

export const DEFAULT_TIMESTAMP_FIELD = '@timestamp';

const FRACTION = /\.(\d{3})\d+/;

/** The range of a JavaScript Date (±100,000,000 days around the epoch). A number beyond it is no
 * time at all, and read as one it would drag a partition's watermark out of reach forever. */
const MAX_TIME_MS = 8.64e15;

function inDateRange(ms: number): number | null {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : null;
}

export function parseEventTime(value: unknown): number | null {
  if (Array.isArray(value)) return value.length > 0 ? parseEventTime(value[0]) : null;
  if (typeof value === 'number') return inDateRange(value);
  if (typeof value !== 'string' || value === '') return null;
  if (/^\d{1,16}$/.test(value)) return inDateRange(Number(value));
  // Date.parse accepts at most millisecond precision everywhere; Elastic writes nanoseconds.
  const ms = Date.parse(value.replace(FRACTION, '.$1'));
  return Number.isNaN(ms) ? null : ms;
}

/** A compiled reader of one event's time. */
export function eventTimeReader(field: string = DEFAULT_TIMESTAMP_FIELD): (event: unknown) => number | null {
  const get = compileFieldGetter(field);
  return (event) => parseEventTime(get(event));
}

export const eventTime = eventTimeReader();

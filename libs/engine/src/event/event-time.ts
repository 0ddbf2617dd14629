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
  const canonical = parseCanonicalUtc(value);
  if (canonical !== null) return canonical;
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

/**
 * The form nearly every event carries, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read digit by digit
 * (Date.parse after the fraction regex costs ten times more). Anything else, and any field out
 * of range (month 13, February 30, hour 24, leap seconds), returns null and takes the general
 * path, so the answer is always Date.parse's.
 */
function parseCanonicalUtc(v: string): number | null {
  const n = v.length;
  if (n < 20 || v.charCodeAt(n - 1) !== 90 /* Z */) return null;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84) return null; // - - T
  if (v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return null; // : :
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  // (Date.UTC reads years below 100 as 19xx: those, like every odd case, take Date.parse.)
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return null;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  if (day > daysInMonth(year, month)) return null;
  let ms = 0;
  if (n > 20) {
    // `.` and 1 or more digits before the Z: milliseconds from the first three (truncated).
    if (v.charCodeAt(19) !== 46 || n === 21) return null;
    for (let i = 20; i < n - 1; i++) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      if (i < 23) ms += d * (i === 20 ? 100 : i === 21 ? 10 : 1);
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The number written by `count` ASCII digits at `at`; -1 when one is not a digit. */
function digits(v: string, at: number, count: number): number {
  let x = 0;
  for (let i = at; i < at + count; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    x = x * 10 + d;
  }
  return x;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

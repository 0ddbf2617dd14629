/**
 * Dates as Elasticsearch's `date` fields read them (UTC unless a zone is given): ISO 8601
 * (`strict_date_optional_time`), epoch milliseconds, and date math (`now-7d/d`,
 * `2025-01-01||+1d`).
 *
 * Elasticsearch rounds a partial date or a `/unit` rounding down or up depending on the
 * bound: `gte` and `lt` use the start (`2018-03-28` = 00:00:00.000), `gt` and `lte` the end
 * (23:59:59.999), and a term query on a date field is the range [start, end].
 */

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

type Unit = 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (h > 23 || m > 59) return undefined;
  return sign * (h * 60 + m) * 60_000;
}

/** An ISO 8601 date, missing parts filled with their lowest (or, `roundUp`, highest) value. */
export function parseIsoDate(text: string, roundUp = false): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] !== undefined ? Number(m[2]) : roundUp ? 12 : 1;
  if (month < 1 || month > 12) return undefined;
  const maxDay = daysInMonth(year, month);
  const day = m[3] !== undefined ? Number(m[3]) : roundUp ? maxDay : 1;
  if (day < 1 || day > maxDay) return undefined;
  const hour = m[4] !== undefined ? Number(m[4]) : roundUp ? 23 : 0;
  const minute = m[5] !== undefined ? Number(m[5]) : roundUp ? 59 : 0;
  const second = m[6] !== undefined ? Number(m[6]) : roundUp ? 59 : 0;
  const ms = m[7] !== undefined ? Number(m[7].padEnd(3, '0').slice(0, 3)) : roundUp ? 999 : 0;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = zoneOffsetMs(m[8]);
  if (offset === undefined) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}

/** A document's date value: ISO string, epoch-millis number or digit string. */
export function docDateMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const iso = parseIsoDate(v);
  if (iso !== undefined) return iso;
  if (/^-?\d{1,19}$/.test(v)) return Number(v);
  return undefined;
}

function addUnits(ms: number, n: number, unit: Unit): number {
  const d = new Date(ms);
  switch (unit) {
    case 'y':
      d.setUTCFullYear(d.getUTCFullYear() + n);
      return d.getTime();
    case 'M':
      d.setUTCMonth(d.getUTCMonth() + n);
      return d.getTime();
    case 'w':
      return ms + n * 7 * 86_400_000;
    case 'd':
      return ms + n * 86_400_000;
    case 'h':
      return ms + n * 3_600_000;
    case 'm':
      return ms + n * 60_000;
    case 's':
      return ms + n * 1000;
  }
}

function roundTo(ms: number, unit: Unit, up: boolean): number {
  const d = new Date(ms);
  let start: number;
  switch (unit) {
    case 'y':
      start = Date.UTC(d.getUTCFullYear(), 0, 1);
      break;
    case 'M':
      start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      break;
    case 'w': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      start = day - sinceMonday * 86_400_000;
      break;
    }
    case 'd':
      start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      break;
    case 'h':
      start = ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000);
      break;
    case 'm':
      start = ms - (((ms % 60_000) + 60_000) % 60_000);
      break;
    case 's':
      start = ms - (((ms % 1000) + 1000) % 1000);
      break;
  }
  return up ? addUnits(start, 1, unit) - 1 : start;
}

function unitOf(ch: string): Unit | undefined {
  if (ch === 'H') return 'h';
  return 'yMwdhms'.includes(ch) && ch.length === 1 ? (ch as Unit) : undefined;
}

/** True when the text uses date math (`now...` or `<date>||...`). */
export function isDateMath(text: string): boolean {
  return text.startsWith('now') || text.includes('||');
}

/**
 * Resolves a query-side date (ISO, epoch millis, or date math) to epoch ms; undefined when
 * it is not a date. `roundUp` picks the end of partial dates and `/unit` roundings.
 */
export function resolveDate(text: string, roundUp: boolean, nowMs: number): number | undefined {
  const t = text.trim();
  let anchor: number | undefined;
  let rest: string;
  if (t.startsWith('now')) {
    anchor = nowMs;
    rest = t.slice(3);
  } else {
    const bar = t.indexOf('||');
    const base = bar >= 0 ? t.slice(0, bar) : t;
    rest = bar >= 0 ? t.slice(bar + 2) : '';
    anchor = parseIsoDate(base, roundUp && rest === '');
    if (anchor === undefined && /^-?\d{1,19}$/.test(base)) anchor = Number(base);
    if (anchor === undefined) return undefined;
  }
  let ms = anchor;
  let i = 0;
  while (i < rest.length) {
    const op = rest[i];
    if (op === '/') {
      // Elasticsearch allows only a unit here; a count (`/1d`) is read as the unit alone.
      let j = i + 1;
      while (j < rest.length && rest[j] >= '0' && rest[j] <= '9') j++;
      const unit = unitOf(rest[j] ?? '');
      if (!unit) return undefined;
      ms = roundTo(ms, unit, roundUp);
      i = j + 1;
    } else if (op === '+' || op === '-') {
      let j = i + 1;
      while (j < rest.length && rest[j] >= '0' && rest[j] <= '9') j++;
      const n = j > i + 1 ? Number(rest.slice(i + 1, j)) : 1;
      const unit = unitOf(rest[j] ?? '');
      if (!unit) return undefined;
      ms = addUnits(ms, op === '+' ? n : -n, unit);
      i = j + 1;
    } else return undefined;
  }
  return ms;
}

/** True when the text looks like a date Elasticsearch would parse (for unmapped fields). */
export function looksLikeDate(text: string): boolean {
  return isDateMath(text) || ISO.test(text.trim());
}

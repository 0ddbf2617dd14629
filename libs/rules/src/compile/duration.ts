/**
 * Rule time settings: `interval` (`5m`), `from` / `history_window_start` (Elasticsearch date
 * math relative to now: `now-9m`, `now-7d`). Units as Kibana accepts them: s, m, h, d, and for
 * date math also w, M (30 days) and y (365 days), which is how the engine turns them into
 * fixed-length windows.
 */

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Fixed patterns (ours). */
const SPAN = /^(\d{1,9})([smhHdwMy])$/;
const DATE_MATH = /^now-(\d{1,9})([smhHdwMy])$/;

/** `5m` → 300000. Undefined when the text is not `<digits><unit>`. */
export function parseTimeSpanMs(text: string): number | undefined {
  const m = SPAN.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

/** `now-9m` → 540000 (the look-back). Undefined when not of the form `now-<n><unit>`. */
export function parseLookbackMs(text: string): number | undefined {
  const m = DATE_MATH.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

/** Kibana's defaults when a rule omits them. */
export const DEFAULT_FROM = 'now-6m';
export const DEFAULT_INTERVAL = '5m';

/**
 * The span one threshold evaluation covers: Kibana counts over the rule's look-back (`from`
 * up to now), and never less than one interval (a look-back shorter than the interval would
 * leave gaps, which Kibana warns about).
 */
export function thresholdWindowMs(from: string | undefined, interval: string | undefined): number {
  const lookback = parseLookbackMs(from ?? DEFAULT_FROM) ?? parseLookbackMs(DEFAULT_FROM)!;
  const every = parseTimeSpanMs(interval ?? DEFAULT_INTERVAL) ?? parseTimeSpanMs(DEFAULT_INTERVAL)!;
  return Math.max(lookback, every);
}

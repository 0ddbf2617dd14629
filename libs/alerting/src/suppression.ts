// Alert suppression as Kibana's detection engine does it, per rule:
// - `group_by` (1-3 fields): alerts of the rule with the same values of these fields are one
//   group; the first alert of a group is kept, later ones are folded into it;
// - `duration`: the group stays open for that long after the kept alert's time (event time
//   here, so replays suppress exactly as the first run did); without `duration` a group lives
//   for one rule execution, which for a streaming engine is one consumed batch;
// - `missing_fields_strategy`: `suppress` (default) groups alerts missing a field under a null
//   term, `doNotSuppress` publishes every such alert on its own;
// - the kept alert carries `kibana.alert.suppression.terms` ([{field, value}]), `.start` and
//   `.end` (earliest / latest original time of the group) and `.docs_count` (alerts folded in,
//   0 for the kept one alone), updated as later duplicates arrive.
import { getFieldValues } from '@sequent/ecs';
import type { SuppressionSpec } from './candidate';
import { F, type AlertDoc } from './fields';

export interface SuppressionTerm {
  field: string;
  value: unknown;
}

/** State of one open suppression group. */
export interface SuppressionRecord {
  /** kibana.alert.uuid of the kept alert. */
  uuid: string;
  instanceId: string;
  terms: SuppressionTerm[];
  /** Earliest / latest original time of the group (ms). */
  start: number;
  end: number;
  docsCount: number;
  /** The group is open for alerts with original time in [windowStart - duration, windowEnd). */
  windowStart: number;
  windowEnd: number;
  /** The kept alert as published (so an update can be published later). */
  doc: AlertDoc;
}

/**
 * One group's state after a batch: `record` is the batch's complete view; `opened` says the
 * batch opened the group, `folded` how many alerts it added. A shared store (several pods) can
 * apply the batch as a delta (`folded`) so concurrent batches do not lose each other's counts,
 * and keep a group another pod opened meanwhile (`opened`).
 */
export interface SuppressionWrite {
  key: string;
  record: SuppressionRecord;
  ttlMs: number;
  opened: boolean;
  folded: number;
}

export interface SuppressionStore {
  get(keys: string[]): Promise<Array<SuppressionRecord | null>>;
  put(items: SuppressionWrite[]): Promise<void>;
}

/** A field's term value: null when missing, the value when single, sorted values when many. */
export function termValue(doc: AlertDoc, field: string): unknown {
  const values = getFieldValues(doc, field).filter(
    (v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
  );
  if (values.length === 0) return null;
  if (values.length === 1) return values[0];
  return [...new Set(values)].sort((a, b) => String(a).localeCompare(String(b)));
}

export function suppressionTerms(doc: AlertDoc, spec: SuppressionSpec): SuppressionTerm[] {
  return spec.groupBy.map((field) => ({ field, value: termValue(doc, field) }));
}

/** Whether alerts with these terms are grouped at all (doNotSuppress leaves incomplete ones alone). */
export function isSuppressible(terms: SuppressionTerm[], spec: SuppressionSpec): boolean {
  return spec.missingFieldsStrategy === 'suppress' || terms.every((t) => t.value !== null);
}

/** 64-bit FNV-1a (two 32-bit lanes), hex: a stable, dependency-free id for a group. */
export function fnv64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193 + 2) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

export function suppressionKey(ruleKey: string, terms: SuppressionTerm[]): string {
  return `${ruleKey}:${fnv64(JSON.stringify(terms))}`;
}

export function openRecord(
  uuid: string,
  ruleKey: string,
  terms: SuppressionTerm[],
  time: number,
  durationMs: number | undefined,
  doc: AlertDoc,
): SuppressionRecord {
  return {
    uuid,
    instanceId: fnv64(`${ruleKey}\u0000${JSON.stringify(terms)}`),
    terms,
    start: time,
    end: time,
    docsCount: 0,
    windowStart: time,
    windowEnd: durationMs === undefined ? Number.MAX_SAFE_INTEGER : time + durationMs,
    doc,
  };
}

export function isInWindow(record: SuppressionRecord, time: number, durationMs: number | undefined): boolean {
  if (durationMs === undefined) return true;
  return time < record.windowEnd && time >= record.windowStart - durationMs;
}

/** Folds one more alert (original time `time`) into the group. */
export function foldInto(record: SuppressionRecord, time: number): void {
  record.docsCount++;
  record.start = Math.min(record.start, time);
  record.end = Math.max(record.end, time);
  writeSuppressionFields(record.doc, record);
}

/** Writes the suppression fields onto the kept alert (flattened keys, like the rest). */
export function writeSuppressionFields(doc: AlertDoc, record: SuppressionRecord): void {
  doc[F.instanceId] = record.instanceId;
  doc[F.suppressionTerms] = record.terms;
  doc[F.suppressionStart] = new Date(record.start).toISOString();
  doc[F.suppressionEnd] = new Date(record.end).toISOString();
  doc[F.suppressionDocsCount] = record.docsCount;
}

/** In-memory store (embedded wiring, tests). TTLs are honoured against an injected clock. */
export class MemorySuppressionStore implements SuppressionStore {
  private readonly records = new Map<string, { record: SuppressionRecord; expires: number }>();
  constructor(private readonly clock: () => number = Date.now) {}

  async get(keys: string[]): Promise<Array<SuppressionRecord | null>> {
    const now = this.clock();
    return keys.map((k) => {
      const e = this.records.get(k);
      if (!e || e.expires <= now) return null;
      return structuredClone(e.record);
    });
  }

  async put(items: SuppressionWrite[]): Promise<void> {
    const now = this.clock();
    for (const { key, record, ttlMs } of items)
      this.records.set(key, { record: structuredClone(record), expires: now + ttlMs });
  }

  get size(): number {
    return this.records.size;
  }
}

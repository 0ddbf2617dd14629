/**
 * The state-store interface: what the engine persists, in which shape, and the one atomic
 * write per batch that the delivery protocol of DESIGN.md rests on.
 *
 * Two kinds of state:
 * - partition state (reorder buffer, pending sequences, threshold windows, the last applied
 *   offset, alerts not yet acknowledged as produced): owned by the one pod that holds the
 *   partition, loaded on assignment, written once per batch;
 * - new_terms history: global (a term seen on any partition is not new anywhere), read per
 *   batch for the terms the batch needs and written with the batch.
 *
 * Every value is plain JSON data. Keys are strings built by the engine: `<ruleKey>\u001f<key>`.
 */
import type { AlertDocument } from '../alerts/alert-document';
import type { BufferedEvent, ReorderSnapshot } from '../ordering/reorder-buffer';

/** A source event as state remembers it (not the whole event). */
export interface EventRef {
  id: string;
  index: string | null;
  time: number;
}

/** One partial sequence: the events of its completed stages. */
export interface PartialSequence {
  start: number;
  events: EventRef[];
}

/** The pending sequences of one rule for one join key (serializable). `stages[i]` holds the
 * partial sequence whose last filled stage is i. Opaque to the store. */
export type SequenceState = unknown;

export interface ThresholdGroupState {
  windowStart: number;
  count: number;
  /** Distinct values seen per cardinality field (kept only up to the needed count). */
  distinct: Record<string, string[]>;
  alerted: boolean;
}

/** When a term (or tuple) was seen: earliest and latest event time. */
export interface TermRecord {
  first: number;
  last: number;
}

export interface PartitionClock {
  maxEventTime: number | null;
  lastReleasedTime: number | null;
  nextSeq: number;
}

/** Everything a pod needs to resume a partition. */
export interface PartitionSnapshot {
  /** Last offset whose effects are in this state; null when nothing was applied yet. */
  offset: string | null;
  clock: PartitionClock;
  buffered: BufferedEvent[];
  sequences: Array<[string, SequenceState]>;
  thresholds: Array<[string, ThresholdGroupState]>;
  /** Alerts written with their batch but not yet acknowledged as produced (an outbox): a pod
   * that resumes the partition produces them again (ids are deterministic, the alerter dedupes). */
  pendingAlerts: AlertDocument[];
}

/** The changes one batch makes. `null` deletes a key. */
export interface StateChanges {
  offset: string | null;
  clock: PartitionClock;
  bufferAdded: BufferedEvent[];
  bufferRemoved: number[];
  sequences: Map<string, SequenceState | null>;
  thresholds: Map<string, ThresholdGroupState | null>;
  terms: Map<string, TermRecord>;
  /** The batch's alerts, kept until `ackAlerts`. */
  alerts: AlertDocument[];
  /** Retention hints (ms of event time) the store may turn into TTLs, per state kind and rule key. */
  ttlMs: { sequences: Map<string, number>; thresholds: Map<string, number>; terms: Map<string, number> };
}

export interface StateStore {
  loadPartition(partition: string): Promise<PartitionSnapshot>;
  /** new_terms history for the given term keys (absent = never seen or expired). */
  getTerms(keys: readonly string[]): Promise<Map<string, TermRecord>>;
  /** Writes a batch's changes and its offset atomically. */
  commit(partition: string, changes: StateChanges): Promise<void>;
  /** The alerts committed so far for the partition have been produced. */
  ackAlerts(partition: string): Promise<void>;
  /** Forgets a partition's state (tests, reset). */
  dropPartition(partition: string): Promise<void>;
}

export function emptySnapshot(): PartitionSnapshot {
  return {
    offset: null,
    clock: { maxEventTime: null, lastReleasedTime: null, nextSeq: 0 },
    buffered: [],
    sequences: [],
    thresholds: [],
    pendingAlerts: [],
  };
}

export function clockOf(s: ReorderSnapshot): PartitionClock {
  return { maxEventTime: s.maxEventTime, lastReleasedTime: s.lastReleasedTime, nextSeq: s.nextSeq };
}

export const KEY_SEPARATOR = '\u001f';

export function stateKey(ruleKey: string, key: string): string {
  return ruleKey + KEY_SEPARATOR + key;
}

export function splitStateKey(full: string): [string, string] {
  const i = full.indexOf(KEY_SEPARATOR);
  return i < 0 ? [full, ''] : [full.slice(0, i), full.slice(i + 1)];
}

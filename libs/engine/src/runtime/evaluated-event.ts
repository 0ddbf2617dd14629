/**
 * One event on its way through the rules, and its reference (id, index, time), made when a
 * rule first keeps or reports the event: most events open no sequence and raise no alert, and
 * an event's id costs field reads (a hash when it has none).
 */
import { eventId } from '../event/event-id';
import { eventIndex } from '../event/event-index';
import type { EventRef } from '../state/state-store';
import type { RuleRuntime } from './rule-runtime';

export interface EvaluatedEvent {
  event: unknown;
  index: string | null;
  time: number;
  /** Filled by `refOf` on first use. */
  ref: EventRef | null;
  /** The new_terms terms found while prefetching their history (`termKeys`), per rule
   * (empty: the rule's condition did not hold), so evaluation does not compute them again. */
  terms?: Map<RuleRuntime, Array<{ tuple: string[]; key: string }>>;
}

/** An event released for evaluation at event time `time`: its index name now, its ref later. */
export function evaluatedEvent(event: unknown, time: number): EvaluatedEvent {
  return { event, index: eventIndex(event), time, ref: null };
}

/** The event's reference: the same object on every call for one event. */
export function refOf(e: EvaluatedEvent): EventRef {
  return (e.ref ??= { id: eventId(e.event), index: e.index, time: e.time });
}

// The alerter's decisions for one consumed batch of candidates, with every piece of state
// behind an injected store (Redis in the service, memory in the embedded wiring):
//
//   parse/validate -> dedupe on kibana.alert.uuid -> risk (mappings, building block)
//   -> suppression (fold into an open group) -> per-rule rate cap -> publish
//
// Nothing is written while deciding. `commit()` writes the dedupe marks, the suppression
// groups, the rate-cap counts and the entity risk, and the caller runs it only after the
// alerts were acknowledged by the broker: a crash before that replays the batch and decides
// the same way again; a crash after publishing but before commit can publish twice (never
// lose), which is the lesser evil.
import { getFieldValues } from '@sequent/ecs';
import { parseCandidate, type Candidate, type RejectReason } from './candidate';
import {
  DEFAULT_ENTITY_RISK_OPTIONS,
  ENTITY_FIELDS,
  type EntityRef,
  type EntityRisk,
  type EntityRiskOptions,
  type EntityRiskStore,
  type EntityType,
  type RiskInput,
} from './entity-risk';
import { F, type AlertDoc, type Severity } from './fields';
import { mapRisk } from './risk-mapping';
import {
  foldInto,
  isInWindow,
  isSuppressible,
  openRecord,
  suppressionKey,
  suppressionTerms,
  writeSuppressionFields,
  type SuppressionRecord,
  type SuppressionStore,
} from './suppression';

export interface DedupeStore {
  /** For each id, whether it was already handled. */
  seen(uuids: string[]): Promise<boolean[]>;
  markPublished(uuids: string[]): Promise<void>;
}

export interface RateCapStore {
  /** Current counts of the given (rule, window) keys. */
  counts(keys: string[]): Promise<number[]>;
  add(items: Array<{ key: string; n: number; ttlMs: number }>): Promise<void>;
}

export interface AlertingStores {
  dedupe: DedupeStore;
  suppression: SuppressionStore;
  rateCap: RateCapStore;
  entityRisk: EntityRiskStore;
}

export interface AlertingConfig {
  /** Larger candidates are rejected (`too_large`). */
  maxCandidateBytes: number;
  /** Alerts per rule per rate window when the rule sets no `max_signals` (Kibana's default: 100). */
  defaultMaxSignals: number;
  /** Length of the rate-cap window (wall clock). */
  rateWindowMs: number;
  entityRisk: EntityRiskOptions;
  /** Whether building-block alerts count toward entity risk (off: they are not shown as alerts). */
  buildingBlocksInRisk: boolean;
  /** Extra lifetime of a suppression group's state beyond its window (late duplicates). */
  suppressionTtlSlackMs: number;
}

export const DEFAULT_ALERTING_CONFIG: AlertingConfig = {
  maxCandidateBytes: 1_048_576,
  defaultMaxSignals: 100,
  rateWindowMs: 60_000,
  entityRisk: DEFAULT_ENTITY_RISK_OPTIONS,
  buildingBlocksInRisk: false,
  suppressionTtlSlackMs: 3_600_000,
};

export interface PublishedAlert {
  uuid: string;
  doc: AlertDoc;
  /** True when this re-publishes an alert kept earlier, with updated suppression fields. */
  update: boolean;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  riskScore: number;
  buildingBlock: boolean;
  originalTime: number;
}

export interface BatchItem<R> {
  ref: R;
  value: Uint8Array | string;
}

export interface BatchOutcome<R> {
  /** In first-seen order; at most one entry per uuid (the latest version). */
  alerts: PublishedAlert[];
  rejects: Array<{ ref: R; reason: RejectReason; error: string }>;
  /** Candidates already published (or seen twice in this batch). */
  duplicates: number;
  /** Alerts folded into a kept alert, by rule id. */
  suppressed: Map<string, number>;
  /** Alerts dropped by the rate cap, by rule id. */
  dropped: Map<string, number>;
  /** Persists the batch's state; returns the entity risk of the entities it touched. */
  commit(): Promise<EntityRisk[]>;
}

const inc = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

/** The scalar string values of an entity field (bounded: an alert names at most 10). */
export function entityNames(doc: AlertDoc, type: EntityType): string[] {
  const names = getFieldValues(doc, ENTITY_FIELDS[type]).filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  return [...new Set(names)].slice(0, 10);
}

function published(c: Candidate, doc: AlertDoc, update: boolean): PublishedAlert {
  return {
    uuid: c.uuid,
    doc,
    update,
    ruleId: c.ruleId,
    ruleName: c.ruleName,
    severity: doc[F.severity] as Severity,
    riskScore: doc[F.riskScore] as number,
    buildingBlock: c.buildingBlock,
    originalTime: c.originalTime,
  };
}

export class AlertProcessor {
  constructor(
    private readonly stores: AlertingStores,
    private readonly config: AlertingConfig = DEFAULT_ALERTING_CONFIG,
  ) {}

  async process<R>(items: Array<BatchItem<R>>, now: number): Promise<BatchOutcome<R>> {
    const { config, stores } = this;
    const outcome: BatchOutcome<R> = {
      alerts: [],
      rejects: [],
      duplicates: 0,
      suppressed: new Map(),
      dropped: new Map(),
      commit: async () => [],
    };

    // 1. parse, and drop ids repeated inside the batch
    const fresh = new Map<string, Candidate>();
    for (const item of items) {
      const parsed = parseCandidate(item.value, config.maxCandidateBytes);
      if (!parsed.ok) outcome.rejects.push({ ref: item.ref, reason: parsed.reason, error: parsed.error });
      else if (fresh.has(parsed.candidate.uuid)) outcome.duplicates++;
      else fresh.set(parsed.candidate.uuid, parsed.candidate);
    }

    // 2. drop ids handled by earlier batches
    const uuids = [...fresh.keys()];
    const seen = await stores.dedupe.seen(uuids);
    const candidates = uuids.filter((_, i) => !seen[i]).map((u) => fresh.get(u) as Candidate);
    outcome.duplicates += uuids.length - candidates.length;

    // 3. risk, and the suppression groups / rate-cap windows the batch needs, in one read each
    const groupKey = new Map<Candidate, string>();
    for (const c of candidates) {
      const risk = mapRisk(c.doc, c.params, c.riskScore, c.severity);
      c.doc[F.riskScore] = risk.riskScore;
      c.doc[F.severity] = risk.severity;
      if (c.buildingBlock) c.doc[F.buildingBlockType] = c.params.building_block_type;
      if (c.suppression) {
        const terms = suppressionTerms(c.doc, c.suppression);
        if (isSuppressible(terms, c.suppression)) groupKey.set(c, suppressionKey(c.ruleKey, terms));
      }
    }
    const storedKeys = [
      ...new Set(
        candidates
          .filter((c) => groupKey.has(c) && c.suppression?.durationMs !== undefined)
          .map((c) => groupKey.get(c) as string),
      ),
    ];
    const storedGroups = new Map<string, SuppressionRecord | null>();
    (await stores.suppression.get(storedKeys)).forEach((r, i) => storedGroups.set(storedKeys[i], r));
    const bucket = Math.floor(now / config.rateWindowMs);
    const capKey = (c: Candidate) => `${c.ruleKey}:${bucket}`;
    const capKeys = [...new Set(candidates.map(capKey))];
    const capCounts = new Map<string, number>();
    (await stores.rateCap.counts(capKeys)).forEach((n, i) => capCounts.set(capKeys[i], n));
    const capAdded = new Map<string, number>();

    // 4. decide, in input order
    const out = new Map<string, PublishedAlert>();
    const groups = new Map<
      string,
      {
        record: SuppressionRecord;
        candidate: Candidate;
        durationMs?: number;
        /** Opened by this batch (else read from the store). */
        opened: boolean;
        /** Alerts this batch folded into it. */
        folded: number;
      }
    >();
    const dirtyGroups = new Set<string>();
    for (const c of candidates) {
      const key = groupKey.get(c);
      const durationMs = c.suppression?.durationMs;
      if (key !== undefined) {
        const open =
          groups.get(key) ??
          (() => {
            const stored = storedGroups.get(key);
            // The stored kept alert's candidate stands in for itself (same rule).
            return stored
              ? { record: stored, candidate: c, durationMs, opened: false, folded: 0 }
              : undefined;
          })();
        if (open && open.record.uuid !== c.uuid && isInWindow(open.record, c.originalTime, durationMs)) {
          foldInto(open.record, c.originalTime);
          // As Kibana does when it folds a duplicate into a kept alert.
          open.record.doc['kibana.alert.last_detected'] = new Date(now).toISOString();
          open.folded++;
          groups.set(key, open);
          if (durationMs !== undefined) dirtyGroups.add(key);
          inc(outcome.suppressed, c.ruleId);
          const kept = out.get(open.record.uuid);
          if (kept) kept.doc = open.record.doc;
          else
            out.set(open.record.uuid, {
              ...published(open.candidate, open.record.doc, true),
              uuid: open.record.uuid,
            });
          continue;
        }
      }
      // A new alert: subject to the rule's rate cap.
      const ck = capKey(c);
      const max = c.params.max_signals ?? config.defaultMaxSignals;
      const count = (capCounts.get(ck) ?? 0) + (capAdded.get(ck) ?? 0);
      if (count >= max) {
        inc(outcome.dropped, c.ruleId);
        continue;
      }
      inc(capAdded, ck);
      if (key !== undefined) {
        const record = openRecord(
          c.uuid,
          c.ruleKey,
          suppressionTerms(c.doc, c.suppression!),
          c.originalTime,
          durationMs,
          c.doc,
        );
        writeSuppressionFields(c.doc, record);
        groups.set(key, { record, candidate: c, durationMs, opened: true, folded: 0 });
        if (durationMs !== undefined) dirtyGroups.add(key);
      }
      out.set(c.uuid, published(c, c.doc, false));
    }
    outcome.alerts = [...out.values()];

    // 5. what commit() persists
    const handled = candidates.map((c) => c.uuid);
    const groupWrites = [...dirtyGroups].map((key) => {
      const g = groups.get(key)!;
      const ttlMs = (g.durationMs ?? 0) * 2 + config.suppressionTtlSlackMs;
      return { key, record: g.record, ttlMs, opened: g.opened, folded: g.folded };
    });
    const capWrites = [...capAdded].map(([key, n]) => ({ key, n, ttlMs: config.rateWindowMs * 2 }));
    const riskInputs: Array<{ entity: EntityRef; input: RiskInput }> = [];
    for (const a of outcome.alerts) {
      if (a.update || (a.buildingBlock && !config.buildingBlocksInRisk)) continue;
      const input: RiskInput = { alertId: a.uuid, riskScore: a.riskScore, time: a.originalTime };
      for (const type of ['host', 'user'] as const)
        for (const name of entityNames(a.doc, type)) riskInputs.push({ entity: { type, name }, input });
    }
    outcome.commit = async () => {
      await stores.suppression.put(groupWrites);
      await stores.rateCap.add(capWrites);
      const risk = riskInputs.length ? await stores.entityRisk.add(riskInputs, now) : [];
      // Last: until the ids are marked, a replay redoes the decisions above (idempotently).
      await stores.dedupe.markPublished(handled);
      return risk;
    };
    return outcome;
  }
}

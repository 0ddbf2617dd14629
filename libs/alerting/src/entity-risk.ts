// Entity risk per host.name and user.name, as the issue (and Elastic's entity risk scoring)
// defines it: the risk scores of the entity's alerts within the window (30 days by default),
// sorted from high to low, summed with weights 1/i^1.5 (i = 1, 2, ...), then normalized to
// 0-100 by the largest possible sum, 100 × ζ(1.5) ≈ 261.2.
//
// Levels: Unknown < 20 ≤ Low < 40 ≤ Moderate < 70 ≤ High < 90 ≤ Critical.
//
// Bounded: an entity keeps at most `maxInputs` alerts (the oldest are evicted first); with
// weights 1/i^1.5 the 1000th input adds at most 100/1000^1.5 ≈ 0.003 to the raw sum.
// Elastic's engine uses 2.5924 (the partial sum up to its 10,000-input cap) where we use ζ(1.5).

export type EntityType = 'host' | 'user';
export const ENTITY_FIELDS: Record<EntityType, string> = { host: 'host.name', user: 'user.name' };

export type RiskLevel = 'Unknown' | 'Low' | 'Moderate' | 'High' | 'Critical';

/** ζ(1.5), the Riemann zeta function at 1.5. */
export const ZETA_1_5 = 2.612375348685488;
/** The largest possible weighted sum: every input scored 100. */
export const MAX_RISK_SUM = 100 * ZETA_1_5;

export interface RiskInput {
  /** kibana.alert.uuid of the contributing alert (an alert counts once). */
  alertId: string;
  riskScore: number;
  /** Alert time (its original event time), ms since epoch. */
  time: number;
}

export interface EntityRef {
  type: EntityType;
  name: string;
}

export interface EntityRisk extends EntityRef {
  /** 0-100 */
  score: number;
  level: RiskLevel;
  /** The weighted sum before normalization. */
  rawScore: number;
  /** Alerts counted (inside the window). */
  inputs: number;
  /** The highest-scored inputs, most significant first (at most 10). */
  topInputs: RiskInput[];
}

export interface EntityRiskOptions {
  /** Only alerts at most this old (relative to `now`) count. */
  windowMs: number;
  /** At most this many inputs are kept per entity. */
  maxInputs: number;
}

export const DEFAULT_ENTITY_RISK_OPTIONS: EntityRiskOptions = {
  windowMs: 30 * 24 * 3600 * 1000,
  maxInputs: 1000,
};

export function riskLevel(score: number): RiskLevel {
  if (score >= 90) return 'Critical';
  if (score >= 70) return 'High';
  if (score >= 40) return 'Moderate';
  if (score >= 20) return 'Low';
  return 'Unknown';
}

/** Weighted sum of scores sorted high to low: Σ s_i / i^1.5. */
export function weightedRiskSum(scores: number[]): number {
  const sorted = [...scores].sort((a, b) => b - a);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] / Math.pow(i + 1, 1.5);
  return sum;
}

export function normalizeRiskSum(sum: number): number {
  return Math.min(100, (100 * sum) / MAX_RISK_SUM);
}

/** Inputs inside the window at `now` (inputs from the future count: clocks differ). */
export function inputsInWindow(inputs: RiskInput[], now: number, windowMs: number): RiskInput[] {
  return inputs.filter((i) => i.time > now - windowMs);
}

export function computeEntityRisk(
  entity: EntityRef,
  inputs: RiskInput[],
  now: number,
  options: EntityRiskOptions = DEFAULT_ENTITY_RISK_OPTIONS,
): EntityRisk {
  // One sort serves both the weighted sum (high to low) and the list of top inputs.
  const live = inputsInWindow(inputs, now, options.windowMs).sort(
    (a, b) => b.riskScore - a.riskScore || b.time - a.time,
  );
  let rawScore = 0;
  for (let i = 0; i < live.length; i++) rawScore += live[i].riskScore / Math.pow(i + 1, 1.5);
  const score = normalizeRiskSum(rawScore);
  return {
    ...entity,
    score,
    level: riskLevel(score),
    rawScore,
    inputs: live.length,
    topInputs: live.slice(0, 10),
  };
}

/**
 * Keeps an entity's input list bounded: drops inputs outside the window and, beyond
 * `maxInputs`, the oldest ones. Adding an alert already present replaces it (idempotent).
 */
export function mergeRiskInputs(
  existing: RiskInput[],
  added: RiskInput[],
  now: number,
  options: EntityRiskOptions,
): RiskInput[] {
  const byId = new Map<string, RiskInput>();
  for (const i of existing) byId.set(i.alertId, i);
  for (const i of added) byId.set(i.alertId, i);
  const live = inputsInWindow([...byId.values()], now, options.windowMs);
  if (live.length <= options.maxInputs) return live;
  return live.sort((a, b) => b.time - a.time).slice(0, options.maxInputs);
}

/** Where entity risk lives (Redis in the service, memory in the embedded wiring). */
export interface EntityRiskStore {
  /** Adds inputs to entities and returns the touched entities' new risk. */
  add(items: Array<{ entity: EntityRef; input: RiskInput }>, now: number): Promise<EntityRisk[]>;
  get(entity: EntityRef, now: number): Promise<EntityRisk | null>;
  /** The riskiest entities, highest first (optionally of one type). */
  top(limit: number, now: number, type?: EntityType): Promise<EntityRisk[]>;
}

export const entityKey = (e: EntityRef) => `${e.type}:${e.name}`;

/** In-memory store: the embedded wiring and tests. Bounded by `maxEntities` (lowest score evicted). */
export class MemoryEntityRiskStore implements EntityRiskStore {
  private readonly inputs = new Map<string, { entity: EntityRef; inputs: RiskInput[] }>();

  constructor(
    private readonly options: EntityRiskOptions = DEFAULT_ENTITY_RISK_OPTIONS,
    private readonly maxEntities = 100_000,
  ) {}

  async add(items: Array<{ entity: EntityRef; input: RiskInput }>, now: number): Promise<EntityRisk[]> {
    const grouped = new Map<string, { entity: EntityRef; added: RiskInput[] }>();
    for (const { entity, input } of items) {
      const k = entityKey(entity);
      const g = grouped.get(k) ?? { entity, added: [] };
      g.added.push(input);
      grouped.set(k, g);
    }
    const out: EntityRisk[] = [];
    for (const [k, { entity, added }] of grouped) {
      const merged = mergeRiskInputs(this.inputs.get(k)?.inputs ?? [], added, now, this.options);
      this.inputs.set(k, { entity, inputs: merged });
      out.push(computeEntityRisk(entity, merged, now, this.options));
    }
    if (this.inputs.size > this.maxEntities) {
      // Evict down to 90% of the bound, so the ranking runs once per many batches, not every one.
      const keep = Math.floor(this.maxEntities * 0.9);
      const ranked = [...this.inputs.entries()]
        .map(([k, v]) => [k, computeEntityRisk(v.entity, v.inputs, now, this.options).score] as const)
        .sort((a, b) => a[1] - b[1]);
      for (const [k] of ranked.slice(0, this.inputs.size - keep)) this.inputs.delete(k);
    }
    return out;
  }

  async get(entity: EntityRef, now: number): Promise<EntityRisk | null> {
    const v = this.inputs.get(entityKey(entity));
    return v ? computeEntityRisk(entity, v.inputs, now, this.options) : null;
  }

  async top(limit: number, now: number, type?: EntityType): Promise<EntityRisk[]> {
    return [...this.inputs.values()]
      .filter((v) => !type || v.entity.type === type)
      .map((v) => computeEntityRisk(v.entity, v.inputs, now, this.options))
      .filter((r) => r.inputs > 0)
      .sort((a, b) => b.score - a.score || entityKey(a).localeCompare(entityKey(b)))
      .slice(0, limit);
  }
}

/** The latest alert time seen: the "now" of entity risk on the event clock. */
export interface RiskWatermark {
  get(): Promise<number>;
  /** Moves the watermark to `time` if later; returns the watermark. */
  advance(time: number): Promise<number>;
}

export class MemoryRiskWatermark implements RiskWatermark {
  private value = 0;
  async get(): Promise<number> {
    return this.value;
  }
  async advance(time: number): Promise<number> {
    this.value = Math.max(this.value, time);
    return this.value;
  }
}

/**
 * Entity risk on the event clock: the window ends at the latest alert time seen instead of
 * the wall clock, so a replay of old telemetry (the bundled sample, a forensic backfill) still
 * scores its entities. Alert times more than `maxFutureMs` past the wall clock do not move it
 * (one bad timestamp would otherwise expire every entity).
 */
export class EventClockEntityRiskStore implements EntityRiskStore {
  constructor(
    private readonly inner: EntityRiskStore,
    private readonly watermark: RiskWatermark,
    private readonly wallClock: () => number = Date.now,
    private readonly maxFutureMs = 3_600_000,
  ) {}

  /** `_now` (wall clock) is ignored: the watermark is the clock. */
  async add(items: Array<{ entity: EntityRef; input: RiskInput }>, _now?: number): Promise<EntityRisk[]> {
    const limit = this.wallClock() + this.maxFutureMs;
    let latest = 0;
    for (const { input } of items) if (input.time <= limit && input.time > latest) latest = input.time;
    const now = await this.watermark.advance(latest);
    return this.inner.add(items, now);
  }

  async get(entity: EntityRef, _now?: number): Promise<EntityRisk | null> {
    return this.inner.get(entity, await this.watermark.get());
  }

  async top(limit: number, _now?: number, type?: EntityType): Promise<EntityRisk[]> {
    return this.inner.top(limit, await this.watermark.get(), type);
  }
}

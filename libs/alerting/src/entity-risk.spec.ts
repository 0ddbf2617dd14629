import {
  computeEntityRisk,
  EventClockEntityRiskStore,
  MemoryRiskWatermark,
  MAX_RISK_SUM,
  MemoryEntityRiskStore,
  mergeRiskInputs,
  normalizeRiskSum,
  riskLevel,
  weightedRiskSum,
  ZETA_1_5,
} from './entity-risk';
import { memoryAlertingStores } from './memory-stores';
import { AlertProcessor, DEFAULT_ALERTING_CONFIG } from './processor';
import { buildCandidate, type CandidateSpec } from './test-candidates';

// Weights 1/i^1.5, worked out by hand (i^1.5 = i * sqrt(i)):
//   i=1: 1/1            = 1
//   i=2: 1/(2*1.414214) = 0.353553
//   i=3: 1/(3*1.732051) = 0.192450
//   i=4: 1/(4*2)        = 0.125
//   i=5: 1/(5*2.236068) = 0.089443
//   i=6: 1/(6*2.449490) = 0.068041
//   i=7: 1/(7*2.645751) = 0.053995
//   i=8: 1/(8*2.828427) = 0.044194
//   i=9: 1/(9*3)        = 0.037037
//   i=10: 1/(10*3.162278) = 0.031623
//   sum of the ten weights = 1.995336
// Normalization: 100 * sum / (100 * ζ(1.5)) = sum / 2.612375.

describe('entity risk formula', () => {
  it('uses 100 × ζ(1.5) ≈ 261.2 as the largest possible sum', () => {
    expect(ZETA_1_5).toBeCloseTo(2.612375, 6);
    expect(MAX_RISK_SUM).toBeCloseTo(261.24, 2);
    // Many inputs of 100 approach (but never pass) 100.
    const many = weightedRiskSum(new Array(100_000).fill(100));
    expect(normalizeRiskSum(many)).toBeGreaterThan(99);
    expect(normalizeRiskSum(many)).toBeLessThanOrEqual(100);
  });

  it('sorts high to low before weighting', () => {
    // [21, 99] sorted is [99, 21]: 99 + 21 * 0.353553 = 99 + 7.424621 = 106.424621
    expect(weightedRiskSum([21, 99])).toBeCloseTo(106.4246, 3);
  });

  it('levels: Unknown < 20 ≤ Low < 40 ≤ Moderate < 70 ≤ High < 90 ≤ Critical', () => {
    expect([0, 19.99, 20, 39.99, 40, 69.99, 70, 89.99, 90, 100].map(riskLevel)).toEqual([
      'Unknown',
      'Unknown',
      'Low',
      'Low',
      'Moderate',
      'Moderate',
      'High',
      'High',
      'Critical',
      'Critical',
    ]);
  });

  it('keeps inputs bounded (oldest evicted) and idempotent per alert id', () => {
    const opts = { windowMs: 1_000_000, maxInputs: 3 };
    const inputs = [1, 2, 3, 4].map((t) => ({ alertId: `a${t}`, riskScore: 50, time: t * 10 }));
    const merged = mergeRiskInputs([], inputs, 100, opts);
    expect(merged.map((i) => i.alertId).sort()).toEqual(['a2', 'a3', 'a4']);
    const again = mergeRiskInputs(merged, [inputs[3]], 100, opts);
    expect(again).toHaveLength(3);
    // outside the window (time <= now - windowMs) is dropped
    expect(mergeRiskInputs(merged, [], 1_000_030, opts).map((i) => i.alertId)).toEqual(['a4']);
  });
});

describe('entity risk: worked example of 24 candidates through the processor', () => {
  const now = Date.parse('2026-03-01T00:00:00.000Z');
  const day = 24 * 3600 * 1000;
  const t = (daysAgo: number) => new Date(now - daysAgo * day).toISOString();
  const specs: CandidateSpec[] = [];
  // host web-1: ten alerts scored 99, 73, 73, 47, 47, 47, 21, 21, 21, 21 (alerts w1..w10)
  const web = [99, 73, 73, 47, 47, 47, 21, 21, 21, 21];
  const webUsers: Record<number, string> = { 0: 'alice', 1: 'bob', 2: 'alice', 3: 'alice' };
  web.forEach((score, i) => {
    const spec: CandidateSpec = {
      uuid: `w${i + 1}`,
      riskScore: score,
      host: 'web-1',
      user: webUsers[i],
      time: t(i + 1),
    };
    if (i === 2) {
      // w3: the rule says 21, but its risk_score_mapping reads 73 from the event.
      spec.riskScore = 21;
      spec.parameters = {
        risk_score_mapping: [{ field: 'event.risk_score', operator: 'equals', value: '' }],
      };
      spec.extra = { event: { risk_score: 73 } };
    }
    specs.push(spec);
  });
  // host db-1: ten alerts scored 100 (d1..d10), 29 days old: still inside the 30-day window
  for (let i = 1; i <= 10; i++) specs.push({ uuid: `d${i}`, riskScore: 100, host: 'db-1', time: t(29) });
  // Four that must not count for web-1:
  specs.push({ uuid: 'old', riskScore: 100, host: 'web-1', time: t(31) }); // older than 30 days
  specs.push({
    uuid: 'bb',
    riskScore: 99,
    host: 'web-1',
    time: t(1),
    parameters: { building_block_type: 'default' },
  }); // building block
  specs.push({ uuid: 'w1', riskScore: 99, host: 'web-1', user: 'alice', time: t(1) }); // duplicate of w1
  // a user-only alert
  specs.push({ uuid: 'c1', riskScore: 21, user: 'carol', time: t(2) });
  expect(specs).toHaveLength(24);

  it('matches the hand-computed scores', async () => {
    const stores = memoryAlertingStores({ clock: () => now });
    const processor = new AlertProcessor(stores, DEFAULT_ALERTING_CONFIG);
    const items = specs.map((s, i) => ({ ref: i, value: JSON.stringify(buildCandidate(s)) }));
    // two batches, so the store's incremental update is exercised
    const first = await processor.process(items.slice(0, 12), now);
    await first.commit();
    const second = await processor.process(items.slice(12), now);
    await second.commit();
    expect(first.alerts.length + second.alerts.length).toBe(23); // 24 minus the duplicate
    expect(second.duplicates).toBe(1);

    // web-1: sorted 99, 73, 73, 47, 47, 47, 21, 21, 21, 21
    //   99 * 1        = 99
    //   73 * 0.353553 = 25.809369
    //   73 * 0.192450 = 14.048850
    //   47 * 0.125    =  5.875
    //   47 * 0.089443 =  4.203821
    //   47 * 0.068041 =  3.197927
    //   21 * 0.053995 =  1.133895
    //   21 * 0.044194 =  0.928074
    //   21 * 0.037037 =  0.777777
    //   21 * 0.031623 =  0.664083
    //   sum           = 155.638796 -> 155.638796 / 2.612375 = 59.578 -> Moderate
    const web1 = await stores.entityRisk.get({ type: 'host', name: 'web-1' }, now);
    expect(web1?.inputs).toBe(10);
    expect(web1?.rawScore).toBeCloseTo(155.6388, 3);
    expect(web1?.score).toBeCloseTo(59.578, 2);
    expect(web1?.level).toBe('Moderate');

    // db-1: 100 * (sum of the ten weights) = 100 * 1.995336 = 199.5336 -> / 2.612375 = 76.380 -> High
    const db1 = await stores.entityRisk.get({ type: 'host', name: 'db-1' }, now);
    expect(db1?.rawScore).toBeCloseTo(199.5336, 3);
    expect(db1?.score).toBeCloseTo(76.38, 2);
    expect(db1?.level).toBe('High');

    // alice: w1 (99), w3 (73 via mapping), w4 (47): 99 + 73 * 0.353553 + 47 * 0.192450
    //   = 99 + 25.809369 + 9.04515 = 133.854519 -> / 2.612375 = 51.239 -> Moderate
    const alice = await stores.entityRisk.get({ type: 'user', name: 'alice' }, now);
    expect(alice?.rawScore).toBeCloseTo(133.8545, 3);
    expect(alice?.score).toBeCloseTo(51.239, 2);
    expect(alice?.level).toBe('Moderate');

    // bob: 73 -> 73 / 2.612375 = 27.944 -> Low;  carol: 21 / 2.612375 = 8.039 -> Unknown
    const bob = await stores.entityRisk.get({ type: 'user', name: 'bob' }, now);
    expect(bob?.score).toBeCloseTo(27.944, 2);
    expect(bob?.level).toBe('Low');
    const carol = await stores.entityRisk.get({ type: 'user', name: 'carol' }, now);
    expect(carol?.score).toBeCloseTo(8.039, 2);
    expect(carol?.level).toBe('Unknown');

    const top = await stores.entityRisk.top(3, now);
    expect(top.map((e) => `${e.type}:${e.name}`)).toEqual(['host:db-1', 'host:web-1', 'user:alice']);
    expect((await stores.entityRisk.top(10, now, 'user')).map((e) => e.name)).toEqual([
      'alice',
      'bob',
      'carol',
    ]);

    // Two days later d1..d10 (29 days old then 31) leave the window: db-1 drops to nothing.
    const later = await stores.entityRisk.get({ type: 'host', name: 'db-1' }, now + 2 * day);
    expect(later?.inputs).toBe(0);
    expect(later?.score).toBe(0);
  });

  it('computeEntityRisk lists the most significant inputs first', () => {
    const r = computeEntityRisk(
      { type: 'host', name: 'h' },
      [
        { alertId: 'a', riskScore: 21, time: now },
        { alertId: 'b', riskScore: 99, time: now },
      ],
      now,
    );
    expect(r.topInputs.map((i) => i.alertId)).toEqual(['b', 'a']);
  });

  it('the memory store evicts the lowest-scored entities beyond its bound (down to 90%)', async () => {
    const store = new MemoryEntityRiskStore(undefined, 10);
    // 11 hosts scored 5, 10, ..., 55: over the bound of 10, evicted down to 9 (the two lowest go)
    await store.add(
      Array.from({ length: 11 }, (_, i) => ({
        entity: { type: 'host' as const, name: `h${(i + 1) * 5}` },
        input: { alertId: String(i), riskScore: (i + 1) * 5, time: now },
      })),
      now,
    );
    const names = (await store.top(20, now)).map((e) => e.name);
    expect(names).toHaveLength(9);
    expect(names[0]).toBe('h55');
    expect(names).not.toContain('h5');
    expect(names).not.toContain('h10');
  });
});

describe('entity risk on the event clock', () => {
  it('windows by the latest alert time seen, not the wall clock', async () => {
    const wall = Date.parse('2026-11-30T00:00:00Z');
    const store = new EventClockEntityRiskStore(
      new MemoryEntityRiskStore(),
      new MemoryRiskWatermark(),
      () => wall,
    );
    const t = (iso: string) => Date.parse(iso);
    await store.add(
      [
        {
          entity: { type: 'host', name: 'h' },
          input: { alertId: 'a', riskScore: 99, time: t('2026-01-01T00:00:00Z') },
        },
        {
          entity: { type: 'host', name: 'h' },
          input: { alertId: 'b', riskScore: 73, time: t('2026-01-20T00:00:00Z') },
        },
        // a bogus timestamp a year ahead does not move the clock
        {
          entity: { type: 'host', name: 'x' },
          input: { alertId: 'c', riskScore: 21, time: t('2027-12-01T00:00:00Z') },
        },
      ],
      wall,
    );
    // watermark 2026-01-20: both alerts of h are inside 30 days: 99 + 73 * 0.353553 = 124.809369 -> 47.777
    expect((await store.get({ type: 'host', name: 'h' }, wall))?.score).toBeCloseTo(47.777, 2);
    // an alert on 2026-02-15 moves the watermark: a (Jan 1) is now 45 days old and leaves
    await store.add(
      [
        {
          entity: { type: 'user', name: 'u' },
          input: { alertId: 'd', riskScore: 47, time: t('2026-02-15T00:00:00Z') },
        },
      ],
      wall,
    );
    // h: only b (73): 73 / 2.612375 = 27.944
    expect((await store.get({ type: 'host', name: 'h' }, wall))?.score).toBeCloseTo(27.944, 2);
    expect((await store.top(5, wall)).map((e) => e.name)).toEqual(['h', 'u', 'x']);
  });
});

// The Redis stores behind the processor, across batches, against the harness Redis.
import {
  AlertProcessor,
  buildCandidate,
  DEFAULT_ALERTING_CONFIG,
  type AlertingStores,
  type CandidateSpec,
} from '@sequent/alerting';
import { createRedisClient, type RedisClient } from '@sequent/platform';
import { randomBytes } from 'node:crypto';
import type { StoredAlert } from '@sequent/pipeline';
import { RedisAlertDeduper } from './dedupe';
import {
  RedisEntityRiskStore,
  RedisRateCapStore,
  RedisRecentAlerts,
  RedisRiskWatermark,
  RedisSuppressionStore,
} from './redis-stores';

const url = process.env.SEQUENT_TEST_REDIS_URL;
if (!url) throw new Error('SEQUENT_TEST_REDIS_URL is not set: run through Jest (tools/harness global setup)');

const now = Date.parse('2026-03-01T00:00:00Z');
const at = (minute: number) => new Date(now + minute * 60_000).toISOString();

describe('Redis alerting stores (real Redis)', () => {
  let redis: RedisClient;
  const prefix = `stores-test-${randomBytes(3).toString('hex')}:`;
  let stores: AlertingStores;
  let processor: AlertProcessor;

  beforeAll(() => {
    redis = createRedisClient({
      url: url!,
      tls: false,
      sentinels: [],
      sentinelMasterName: 'm',
      clusterNodes: [],
      keyPrefix: prefix,
    });
    stores = {
      dedupe: new RedisAlertDeduper(redis, prefix, 3600),
      suppression: new RedisSuppressionStore(redis, prefix),
      rateCap: new RedisRateCapStore(redis, prefix),
      entityRisk: new RedisEntityRiskStore(redis, prefix, { windowMs: 30 * 86_400_000, maxInputs: 3 }, 2),
    };
    processor = new AlertProcessor(stores, DEFAULT_ALERTING_CONFIG);
  });
  afterAll(() => redis.quit());

  const run = async (specs: CandidateSpec[]) => {
    const o = await processor.process(
      specs.map((s) => ({ ref: s.uuid, value: JSON.stringify(buildCandidate(s)) })),
      now,
    );
    await o.commit();
    return o;
  };

  it('suppresses across batches through the stored group and publishes updates', async () => {
    const parameters = { alert_suppression: { group_by: ['host.name'], duration: { value: 10, unit: 'm' } } };
    const first = await run([{ uuid: 'k', ruleId: 'sup', host: 'a', time: at(0), parameters }]);
    expect(first.alerts.map((a) => [a.uuid, a.update])).toEqual([['k', false]]);
    const second = await run([
      { uuid: 's1', ruleId: 'sup', host: 'a', time: at(2), parameters },
      { uuid: 's2', ruleId: 'sup', host: 'a', time: at(3), parameters },
    ]);
    expect(second.alerts.map((a) => [a.uuid, a.update])).toEqual([['k', true]]);
    expect(second.alerts[0].doc['kibana.alert.suppression.docs_count']).toBe(2);
    const third = await run([{ uuid: 's3', ruleId: 'sup', host: 'a', time: at(4), parameters }]);
    expect(third.alerts[0].doc['kibana.alert.suppression.docs_count']).toBe(3);
    expect(third.alerts[0].doc['kibana.alert.suppression.end']).toBe(at(4));
    expect(third.suppressed.get('sup')).toBe(1);
    const keys = await redis.keys(`${prefix}alert:supp:*`);
    expect(keys).toHaveLength(1);
    expect(await redis.pttl(keys[0])).toBeGreaterThan(0);
  });

  it('two pods folding into one group concurrently keep both counts; a concurrent open keeps the first', async () => {
    const parameters = { alert_suppression: { group_by: ['host.name'], duration: { value: 10, unit: 'm' } } };
    const podA = new AlertProcessor(stores, DEFAULT_ALERTING_CONFIG);
    const podB = new AlertProcessor(stores, DEFAULT_ALERTING_CONFIG);
    const items = (specs: CandidateSpec[]) =>
      specs.map((s) => ({
        ref: s.uuid,
        value: JSON.stringify(buildCandidate({ ruleId: 'race', parameters, ...s })),
      }));
    // both pods open the group for host z at the same time: the first commit wins the key
    const openA = await podA.process(items([{ uuid: 'za', host: 'z', time: at(0) }]), now);
    const openB = await podB.process(items([{ uuid: 'zb', host: 'z', time: at(0) }]), now);
    await openA.commit();
    await openB.commit();
    // both pods then fold one alert each into it, deciding before either commits
    const foldA = await podA.process(items([{ uuid: 'z1', host: 'z', time: at(1) }]), now);
    const foldB = await podB.process(items([{ uuid: 'z2', host: 'z', time: at(2) }]), now);
    expect(foldA.alerts.map((a) => [a.uuid, a.update])).toEqual([['za', true]]);
    expect(foldB.alerts.map((a) => [a.uuid, a.update])).toEqual([['za', true]]);
    await foldA.commit();
    await foldB.commit();
    const next = await run([{ uuid: 'z3', ruleId: 'race', host: 'z', time: at(3), parameters }]);
    expect(next.alerts[0].uuid).toBe('za');
    expect(next.alerts[0].doc['kibana.alert.suppression.docs_count']).toBe(3);
    expect(next.alerts[0].doc['kibana.alert.suppression.end']).toBe(at(3));
  });

  it('caps a rule across batches', async () => {
    const parameters = { max_signals: 3 };
    const a = await run([0, 1].map((i) => ({ uuid: `c${i}`, ruleId: 'cap', parameters })));
    const b = await run([2, 3, 4].map((i) => ({ uuid: `c${i}`, ruleId: 'cap', parameters })));
    expect(a.alerts.length + b.alerts.length).toBe(3);
    expect(b.dropped.get('cap')).toBe(2);
  });

  it('keeps entity risk bounded per entity and on the leaderboard', async () => {
    const t = (m: number) => new Date(now - m * 60_000).toISOString();
    await run([
      { uuid: 'r1', ruleId: 'risk', riskScore: 10, host: 'h1', time: t(4) },
      { uuid: 'r2', ruleId: 'risk', riskScore: 90, host: 'h1', time: t(3) },
      { uuid: 'r3', ruleId: 'risk', riskScore: 50, host: 'h1', time: t(2) },
      { uuid: 'r4', ruleId: 'risk', riskScore: 20, host: 'h1', time: t(1) },
    ]);
    // maxInputs 3: the oldest (r1) is evicted; 90 + 50 * 0.353553 + 20 * 0.192450
    //   = 90 + 17.67765 + 3.849 = 111.52665 -> / 2.612375 = 42.692 Moderate
    const h1 = await stores.entityRisk.get({ type: 'host', name: 'h1' }, now);
    expect(h1?.inputs).toBe(3);
    expect(await redis.hlen(`${prefix}risk:in:host:h1`)).toBe(3);
    expect(h1?.score).toBeCloseTo(42.692, 2);
    await run([
      { uuid: 'r5', ruleId: 'risk', riskScore: 5, host: 'h2', time: t(1) },
      { uuid: 'r6', ruleId: 'risk', riskScore: 99, host: 'h3', time: t(1) },
    ]);
    // leaderboard bounded to 2 per type: h3 (99 -> 37.90), h1; h2 fell off
    const top = await stores.entityRisk.top(10, now, 'host');
    expect(top.map((e) => e.name)).toEqual(['h1', 'h3']);
    expect(await redis.zcard(`${prefix}risk:top:host`)).toBe(2);
  });

  it('the shared event clock only moves forward', async () => {
    const wm = new RedisRiskWatermark(redis, prefix);
    expect(await wm.get()).toBe(0);
    expect(await wm.advance(1_000)).toBe(1_000);
    expect(await wm.advance(500)).toBe(1_000);
    expect(await wm.advance(2_000)).toBe(2_000);
    expect(await wm.get()).toBe(2_000);
  });

  it('recent alerts: newest first, paged, filtered, bounded, updates replace', async () => {
    const recent = new RedisRecentAlerts(redis, prefix, 5);
    const mk = (uuid: string, ruleId = 'r'): StoredAlert => ({
      uuid,
      doc: { 'kibana.alert.uuid': uuid },
      update: false,
      ruleId,
      ruleName: 'R',
      severity: 'low',
      riskScore: 1,
      buildingBlock: false,
      originalTime: now,
      publishedAt: now,
    });
    await recent.add([mk('a'), mk('b', 'x'), mk('c')], now);
    await recent.add([mk('d', 'x'), mk('e'), mk('f')], now + 1);
    await recent.add([{ ...mk('c'), update: true }], now + 2);
    const all = await recent.list(0, 10, () => true);
    expect(all.alerts.map((a) => [a.uuid, a.update])).toEqual([
      ['c', true],
      ['f', false],
      ['e', false],
      ['d', false],
      ['b', false],
    ]);
    expect(all.next).toBeNull();
    const p1 = await recent.list(0, 2, () => true);
    expect(p1.alerts.map((a) => a.uuid)).toEqual(['c', 'f']);
    expect(p1.next).toBe(2);
    const p2 = await recent.list(p1.next!, 2, (a) => a.ruleId === 'x');
    expect(p2.alerts.map((a) => a.uuid)).toEqual(['d', 'b']);
    expect(await redis.hlen(`${prefix}{alerts}:recent:docs`)).toBe(5);
  });
});

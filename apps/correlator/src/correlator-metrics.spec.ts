import type { DetectionEngine } from '@sequent/engine';
import { Metrics, type RedisStateStore } from '@sequent/platform';
import { CorrelatorMetrics } from './correlator-metrics';

function fakeEngine(times: Record<string, number>): DetectionEngine {
  return {
    topRules: () =>
      Object.entries(times)
        .sort((a, b) => b[1] - a[1])
        .map(([name, timeMs]) => ({ rule_id: name, name, evaluations: 1, alerts: 0, timeMs })),
  } as unknown as DetectionEngine;
}

describe('CorrelatorMetrics', () => {
  it('observes the time of each rule since the last batch, top rules by name and the rest as other', async () => {
    const metrics = new Metrics({ service: 't', defaultMetrics: false });
    const store = { stats: { roundTrips: 0, roundTripMs: 0, errors: 0 } } as unknown as RedisStateStore;
    const m = new CorrelatorMetrics(metrics, store);
    const times: Record<string, number> = {};
    for (let i = 0; i < 12; i++) times[`r${i}`] = 100 * (i + 1); // r11 slowest
    const engine = fakeEngine(times);
    m.rules(engine);
    times.r11 += 50; // the next batch: only r11 ran
    m.rules(engine);
    const { values } = await metrics.registry.getSingleMetric('sequent_rule_evaluation_seconds')!.get();
    const sum = (rule: string) =>
      values.find(
        (v) => (v as { metricName?: string }).metricName?.endsWith('_sum') && v.labels.rule === rule,
      )?.value;
    const count = (rule: string) =>
      values.find(
        (v) => (v as { metricName?: string }).metricName?.endsWith('_count') && v.labels.rule === rule,
      )?.value;
    expect(sum('r11')).toBeCloseTo(1.25); // 1.2 s, then 0.05 s
    expect(count('r11')).toBe(2);
    expect(sum('other')).toBeCloseTo(0.3); // r0 (0.1 s) and r1 (0.2 s) are outside the top 10
    expect(new Set(values.map((v) => v.labels.rule)).size).toBe(11);
    // Error counters exist at zero before any error.
    const errors = await metrics.registry.getSingleMetric('sequent_redis_errors_total')!.get();
    expect(errors.values).toEqual([expect.objectContaining({ value: 0, labels: { op: 'state' } })]);
  });
});

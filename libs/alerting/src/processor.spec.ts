import { memoryAlertingStores } from './memory-stores';
import { AlertProcessor, DEFAULT_ALERTING_CONFIG, type AlertingStores } from './processor';
import { buildCandidate, type CandidateSpec } from './test-candidates';

const now = Date.parse('2026-03-01T00:00:00.000Z');
const at = (minute: number) => new Date(now + minute * 60_000).toISOString();
const item = (spec: CandidateSpec) => ({ ref: spec.uuid, value: JSON.stringify(buildCandidate(spec)) });

async function run(processor: AlertProcessor, specs: Array<CandidateSpec | string>, time = now) {
  const items = specs.map((s) => (typeof s === 'string' ? { ref: s, value: s } : item(s)));
  const outcome = await processor.process(items, time);
  await outcome.commit();
  return outcome;
}

describe('AlertProcessor: dedupe', () => {
  it('a replay sending every candidate twice yields each alert once', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const specs = Array.from({ length: 30 }, (_, i) => ({ uuid: `a${i}`, host: `h${i % 3}` }));
    const first = await run(processor, specs.slice(0, 20));
    // the replay re-sends everything, twice, interleaved with the 10 not yet seen
    const replay = await run(processor, [...specs, ...specs]);
    const published = [...first.alerts, ...replay.alerts].map((a) => a.uuid);
    expect(published).toHaveLength(30);
    expect(new Set(published).size).toBe(30);
    expect(first.duplicates).toBe(0);
    expect(replay.duplicates).toBe(50); // 20 already published + 30 repeated inside the batch
  });

  it('does not mark ids before commit(): an uncommitted batch is decided again', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const uncommitted = await processor.process([item({ uuid: 'x' })], now);
    expect(uncommitted.alerts).toHaveLength(1);
    const again = await run(processor, [{ uuid: 'x' }]);
    expect(again.alerts.map((a) => a.uuid)).toEqual(['x']);
    expect((await run(processor, [{ uuid: 'x' }])).alerts).toEqual([]);
  });
});

describe('AlertProcessor: suppression', () => {
  const byHost = (strategy: 'suppress' | 'doNotSuppress', duration?: { value: number; unit: string }) => ({
    alert_suppression: {
      group_by: ['host.name'],
      missing_fields_strategy: strategy,
      ...(duration ? { duration } : {}),
    },
  });

  it('duration window: folds duplicates into the kept alert across batches and publishes updates', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const parameters = byHost('suppress', { value: 5, unit: 'm' });
    const first = await run(processor, [
      { uuid: 'k1', host: 'a', time: at(0), parameters },
      { uuid: 's1', host: 'a', time: at(1), parameters },
      { uuid: 'k2', host: 'b', time: at(1), parameters },
    ]);
    expect(first.alerts.map((a) => [a.uuid, a.update])).toEqual([
      ['k1', false],
      ['k2', false],
    ]);
    expect(first.suppressed.get('rule-1')).toBe(1);
    const k1 = first.alerts[0].doc;
    expect(k1['kibana.alert.suppression.terms']).toEqual([{ field: 'host.name', value: 'a' }]);
    expect(k1['kibana.alert.suppression.docs_count']).toBe(1);
    expect(k1['kibana.alert.suppression.start']).toBe(at(0));
    expect(k1['kibana.alert.suppression.end']).toBe(at(1));
    expect(first.alerts[1].doc['kibana.alert.suppression.docs_count']).toBe(0);

    // Later batch: two more for host a inside the window, one after it (minute 5 = window end).
    const second = await run(processor, [
      { uuid: 's2', host: 'a', time: at(3), parameters },
      { uuid: 's3', host: 'a', time: at(4), parameters },
      { uuid: 'k3', host: 'a', time: at(5), parameters },
    ]);
    expect(second.alerts.map((a) => [a.uuid, a.update])).toEqual([
      ['k1', true],
      ['k3', false],
    ]);
    expect(second.suppressed.get('rule-1')).toBe(2);
    const updated = second.alerts[0].doc;
    expect(updated['kibana.alert.suppression.docs_count']).toBe(3);
    expect(updated['kibana.alert.suppression.start']).toBe(at(0));
    expect(updated['kibana.alert.suppression.end']).toBe(at(4));
    expect(updated['kibana.alert.last_detected']).toBe(new Date(now).toISOString());
    expect(second.alerts[1].doc['kibana.alert.suppression.docs_count']).toBe(0);

    // A replay of the whole stream changes nothing.
    const replay = await run(processor, [
      { uuid: 'k1', host: 'a', time: at(0), parameters },
      { uuid: 's2', host: 'a', time: at(3), parameters },
    ]);
    expect(replay.alerts).toEqual([]);
    expect(replay.duplicates).toBe(2);
  });

  it('per rule execution (no duration): groups live for one batch only', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const parameters = { alert_suppression: { group_by: ['host.name', 'user.name'] } };
    const first = await run(processor, [
      { uuid: 'a1', host: 'a', user: 'u', parameters },
      { uuid: 'a2', host: 'a', user: 'u', parameters },
      { uuid: 'a3', host: 'a', user: 'v', parameters },
      { uuid: 'a4', host: 'a', user: 'u', parameters },
    ]);
    expect(first.alerts.map((a) => a.uuid)).toEqual(['a1', 'a3']);
    expect(first.alerts[0].doc['kibana.alert.suppression.docs_count']).toBe(2);
    expect(first.alerts[0].doc['kibana.alert.suppression.terms']).toEqual([
      { field: 'host.name', value: 'a' },
      { field: 'user.name', value: 'u' },
    ]);
    expect(first.suppressed.get('rule-1')).toBe(2);
    const second = await run(processor, [{ uuid: 'a5', host: 'a', user: 'u', parameters }]);
    expect(second.alerts.map((a) => [a.uuid, a.update])).toEqual([['a5', false]]);
    expect(second.suppressed.size).toBe(0);
  });

  it('missing_fields_strategy suppress: alerts missing the field form one null group', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const parameters = byHost('suppress', { value: 1, unit: 'h' });
    const out = await run(processor, [
      { uuid: 'm1', parameters },
      { uuid: 'm2', parameters },
      { uuid: 'm3', parameters },
      { uuid: 'h1', host: 'x', parameters },
    ]);
    expect(out.alerts.map((a) => a.uuid)).toEqual(['m1', 'h1']);
    expect(out.alerts[0].doc['kibana.alert.suppression.terms']).toEqual([
      { field: 'host.name', value: null },
    ]);
    expect(out.alerts[0].doc['kibana.alert.suppression.docs_count']).toBe(2);
    expect(out.suppressed.get('rule-1')).toBe(2);
  });

  it('missing_fields_strategy doNotSuppress: every alert missing the field is published', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const parameters = byHost('doNotSuppress', { value: 1, unit: 'h' });
    const out = await run(processor, [
      { uuid: 'm1', parameters },
      { uuid: 'm2', parameters },
      { uuid: 'm3', parameters },
      { uuid: 'h1', host: 'x', parameters },
      { uuid: 'h2', host: 'x', parameters },
    ]);
    expect(out.alerts.map((a) => a.uuid)).toEqual(['m1', 'm2', 'm3', 'h1']);
    expect(out.alerts[0].doc['kibana.alert.suppression.docs_count']).toBeUndefined();
    expect(out.alerts[3].doc['kibana.alert.suppression.docs_count']).toBe(1);
    expect(out.suppressed.get('rule-1')).toBe(1);
  });

  it('groups per rule: the same terms under two rules are two groups', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const parameters = byHost('suppress');
    const out = await run(processor, [
      { uuid: 'r1a', ruleId: 'r1', host: 'a', parameters },
      { uuid: 'r2a', ruleId: 'r2', host: 'a', parameters },
      { uuid: 'r1b', ruleId: 'r1', host: 'a', parameters },
    ]);
    expect(out.alerts.map((a) => a.uuid)).toEqual(['r1a', 'r2a']);
    expect(out.suppressed.get('r1')).toBe(1);
  });
});

describe('AlertProcessor: rate cap, risk mapping, building blocks', () => {
  it('caps each rule at max_signals per window and counts the drops', async () => {
    let clock = now;
    const stores: AlertingStores = memoryAlertingStores({ clock: () => clock });
    const processor = new AlertProcessor(stores, { ...DEFAULT_ALERTING_CONFIG, rateWindowMs: 60_000 });
    const parameters = { max_signals: 3 };
    const specs = (prefix: string, n: number, ruleId = 'capped') =>
      Array.from({ length: n }, (_, i) => ({ uuid: `${prefix}${i}`, ruleId, parameters }));
    const first = await run(processor, [...specs('a', 2), ...specs('o', 4, 'other')], clock);
    expect(first.alerts.filter((a) => a.ruleId === 'capped')).toHaveLength(2);
    expect(first.dropped.get('other')).toBe(1);
    const second = await run(processor, specs('b', 4), clock);
    expect(second.alerts).toHaveLength(1); // 2 + 1 = 3 in this window
    expect(second.dropped.get('capped')).toBe(3);
    // next window: the cap resets; dropped ids stay handled (a replay does not resurrect them)
    clock = now + 60_000;
    const third = await run(processor, [...specs('b', 4), ...specs('c', 2)], clock);
    expect(third.alerts.map((a) => a.uuid)).toEqual(['c0', 'c1']);
    expect(third.duplicates).toBe(4);
  });

  it('applies risk_score_mapping and severity_mapping (most severe match wins)', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const parameters = {
      risk_score_mapping: [{ field: 'event.risk_score', operator: 'equals', value: '' }],
      severity_mapping: [
        { field: 'event.severity', operator: 'equals', value: '2', severity: 'high' },
        { field: 'process.name', operator: 'equals', value: 'nc', severity: 'critical' },
        { field: 'process.name', operator: 'equals', value: 'curl', severity: 'low' },
      ],
    };
    const out = await run(processor, [
      {
        uuid: 'a',
        riskScore: 21,
        severity: 'medium',
        parameters,
        extra: { event: { risk_score: 88, severity: 2 }, process: { name: 'nc' } },
      },
      {
        uuid: 'b',
        riskScore: 21,
        severity: 'medium',
        parameters,
        extra: { event: { risk_score: 188, severity: 2 } },
      },
      {
        uuid: 'c',
        riskScore: 21,
        severity: 'medium',
        parameters,
        extra: { event: { risk_score: '42' }, process: { name: 'curl' } },
      },
      { uuid: 'd', riskScore: 21, severity: 'medium', parameters },
    ]);
    expect(out.alerts.map((a) => [a.uuid, a.riskScore, a.severity])).toEqual([
      ['a', 88, 'critical'],
      ['b', 21, 'high'], // 188 is out of range: the rule's score stays
      ['c', 42, 'low'],
      ['d', 21, 'medium'],
    ]);
    expect(out.alerts[0].doc['kibana.alert.risk_score']).toBe(88);
    expect(out.alerts[0].doc['kibana.alert.severity']).toBe('critical');
  });

  it('keeps building-block alerts but flags them', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }));
    const out = await run(processor, [{ uuid: 'bb', parameters: { building_block_type: 'default' } }]);
    expect(out.alerts).toHaveLength(1);
    expect(out.alerts[0].buildingBlock).toBe(true);
    expect(out.alerts[0].doc['kibana.alert.building_block_type']).toBe('default');
  });
});

describe('AlertProcessor: bad candidates', () => {
  it('rejects with bounded reasons and keeps going', async () => {
    const processor = new AlertProcessor(memoryAlertingStores({ clock: () => now }), {
      ...DEFAULT_ALERTING_CONFIG,
      maxCandidateBytes: 4096,
    });
    const good = buildCandidate({ uuid: 'good' });
    const without = (field: string) => {
      const d = buildCandidate({ uuid: `no-${field}` });
      delete d[field];
      return JSON.stringify(d);
    };
    const noRule = buildCandidate({ uuid: 'norule' });
    for (const k of Object.keys(noRule)) if (k.startsWith('kibana.alert.rule.')) delete noRule[k];
    const out = await run(processor, [
      '{not json',
      '[1,2]',
      without('kibana.alert.uuid'),
      JSON.stringify(noRule),
      JSON.stringify({ ...good, 'kibana.alert.uuid': 'bad-score', 'kibana.alert.risk_score': 'high' }),
      JSON.stringify({ ...good, 'kibana.alert.uuid': 'bad-sev', 'kibana.alert.severity': 'urgent' }),
      JSON.stringify({
        ...good,
        'kibana.alert.uuid': 'bad-time',
        'kibana.alert.original_time': 'yesterday',
        '@timestamp': null,
      }),
      JSON.stringify({
        ...good,
        'kibana.alert.uuid': 'bad-params',
        'kibana.alert.rule.parameters': { max_signals: -1 },
      }),
      JSON.stringify({ ...good, 'kibana.alert.uuid': 'huge', padding: 'x'.repeat(5000) }),
      JSON.stringify(good),
    ]);
    expect(out.rejects.map((r) => r.reason)).toEqual([
      'invalid_json',
      'not_an_object',
      'missing_alert_uuid',
      'missing_rule',
      'invalid_field',
      'invalid_field',
      'invalid_field',
      'invalid_field',
      'too_large',
    ]);
    expect(out.rejects[7].error).toContain('max_signals');
    expect(out.alerts.map((a) => a.uuid)).toEqual(['good']);
  });
});

import { buildCandidate } from '@sequent/alerting';
import { EmbeddedPipeline } from '../../embedded';
import { EmbeddedAlerterStage } from './alerter-stage';

describe('EmbeddedAlerterStage (in-memory wiring)', () => {
  it('dedupes a replay, suppresses, and dead-letters bad candidates', async () => {
    const pipeline = new EmbeddedPipeline({ stages: [] });
    const stage = new EmbeddedAlerterStage({ bus: pipeline.bus });
    const alerter = new EmbeddedPipeline({
      bus: pipeline.bus,
      stages: [{ stage, inputTopics: ['alerts.candidates'], dlqTopic: 'alerts.dlq' }],
    });
    await alerter.start();
    const out: Array<{ topic: string; key: string | null }> = [];
    await alerter.tap(['alerts', 'alerts.dlq'], (r) => void out.push({ topic: r.topic, key: r.key }));
    const parameters = { alert_suppression: { group_by: ['host.name'] } };
    const candidates = [
      buildCandidate({ uuid: 'a', host: 'h1' }),
      buildCandidate({ uuid: 'b', host: 'h2', ruleId: 's', parameters }),
      buildCandidate({ uuid: 'c', host: 'h2', ruleId: 's', parameters }),
    ].map((d) => ({ key: d['kibana.alert.uuid'] as string, value: JSON.stringify(d) }));
    await alerter.feed('alerts.candidates', [...candidates, { key: 'x', value: '{oops' }]);
    await alerter.finish();
    await alerter.feed('alerts.candidates', candidates);
    await alerter.finish();
    await alerter.stop();
    expect(
      out
        .filter((o) => o.topic === 'alerts')
        .map((o) => o.key)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(out.filter((o) => o.topic === 'alerts.dlq')).toHaveLength(1);
    // one alert scored 47: 47 / 2.612375 = 17.99
    expect((await stage.stores.entityRisk.get({ type: 'host', name: 'h1' }, Date.now()))?.score).toBeCloseTo(
      17.99,
      2,
    );
    // Every alert is from 2026-01-01, months before the wall clock: the embedded wiring windows
    // entity risk by the alerts' own times, so they count (h1: a = 47; h2: b kept, c folded): 17.99
    expect((await stage.stores.entityRisk.get({ type: 'host', name: 'h2' }, Date.now()))?.score).toBeCloseTo(
      17.99,
      2,
    );
  });
});

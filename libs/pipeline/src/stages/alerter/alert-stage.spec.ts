import { AlertProcessor, buildCandidate, memoryAlertingStores, type AlertingStores } from '@sequent/alerting';
import { Metrics } from '@sequent/platform';
import { LocalAlertFeed } from './alert-feed';
import type { StoredAlert } from './alert-view';
import { createAlerterMetrics } from './alerter-metrics';
import { SinkError, type AlertSink } from './sinks';
import { AlertStage, UPDATE_HEADER } from './alert-stage';

const rec = (value: string, offset = 0) => ({
  topic: 'alerts.candidates',
  partition: 0,
  offset: String(offset),
  key: null,
  value: Buffer.from(value),
  headers: {},
  timestamp: 0,
});
/** The value of one sample of a metric (undefined when absent). */
async function sample(metrics: Metrics, name: string, labels: Record<string, string>, sampleName = name) {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const hit = values.find(
    (v) =>
      (v as { metricName?: string }).metricName === (sampleName === name ? undefined : sampleName) &&
      Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val),
  );
  return hit?.value;
}
const alert = (uuid: string, extra: Parameters<typeof buildCandidate>[0] = { uuid }) =>
  JSON.stringify(buildCandidate({ time: '2026-02-28T23:59:00.000Z', ...extra, uuid }));

class RecordingSink implements AlertSink {
  readonly delivered: StoredAlert[][] = [];
  failuresLeft: number;
  constructor(
    readonly name: string,
    failures = 0,
    private readonly retryable = true,
  ) {
    this.failuresLeft = failures;
  }
  accepts(a: StoredAlert) {
    return !a.update;
  }
  async deliver(alerts: StoredAlert[]) {
    if (this.failuresLeft-- > 0) throw new SinkError('HTTP 503', this.retryable);
    this.delivered.push(alerts);
  }
}

function setup(sinks: AlertSink[] = []) {
  const now = Date.parse('2026-03-01T00:00:00Z');
  const stores: AlertingStores = memoryAlertingStores({ clock: () => now });
  const metrics = new Metrics({ service: 'alerter', defaultMetrics: false });
  const m = createAlerterMetrics(metrics, { topN: 5, topEntities: (n) => stores.entityRisk.top(n, now) });
  const feed = new LocalAlertFeed();
  const dead: Array<{ reason: string; error: string }> = [];
  const stage = new AlertStage({
    processor: new AlertProcessor(stores),
    metrics: m,
    feed,
    sinks,
    retry: { attempts: 3, backoffMs: 0 },
    deadLetter: async (items) => {
      dead.push(...items.map((i) => ({ reason: i.reason, error: String(i.error) })));
    },
    clock: () => now,
  });
  return { stage, stores, metrics, feed, dead };
}

describe('AlertStage', () => {
  it('publishes each new id once, and records ids only after the alerts were produced', async () => {
    const { stage, stores } = setup();
    const result = await stage.process([rec(alert('a')), rec(alert('b')), rec(alert('a'))]);
    expect(result.outputs.map((o) => o.key)).toEqual(['a', 'b']);
    expect(await stores.dedupe.seen(['a', 'b'])).toEqual([false, false]);
    await result.onProduced?.();
    expect(await stores.dedupe.seen(['a', 'b'])).toEqual([true, true]);

    const replay = await stage.process([rec(alert('a')), rec(alert('c'))]);
    expect(replay.outputs.map((o) => o.key)).toEqual(['c']);
  });

  it('dead-letters bad candidates with reasons', async () => {
    const { stage } = setup();
    const result = await stage.process([rec('{'), rec('[]'), rec('{"kibana":{"alert":{"uuid":7}}}')]);
    expect(result.rejects.map((r) => r.reason)).toEqual([
      'invalid_json',
      'not_an_object',
      'missing_alert_uuid',
    ]);
    expect(result.outputs).toEqual([]);
  });

  it('reads nested and dotted uuid fields alike', async () => {
    const { stage } = setup();
    const dotted = buildCandidate({ uuid: 'd' });
    const nested = { ...buildCandidate({ uuid: 'x' }), kibana: { alert: { uuid: 'n' } } };
    delete (nested as Record<string, unknown>)['kibana.alert.uuid'];
    const result = await stage.process([rec(JSON.stringify(dotted)), rec(JSON.stringify(nested))]);
    expect(result.outputs.map((o) => o.key)).toEqual(['d', 'n']);
  });

  it('marks suppression updates with a header, counts metrics, feeds streams', async () => {
    const { stage, metrics, feed } = setup();
    const seen: StoredAlert[] = [];
    feed.subscribe((a) => seen.push(a));
    const parameters = { alert_suppression: { group_by: ['host.name'], duration: { value: 10, unit: 'm' } } };
    const first = await stage.process([rec(alert('k', { uuid: 'k', host: 'h', parameters }))]);
    await first.onProduced?.();
    const second = await stage.process([rec(alert('s', { uuid: 's', host: 'h', parameters }))]);
    expect(second.outputs).toHaveLength(1);
    expect(second.outputs[0].key).toBe('k');
    expect(second.outputs[0].headers).toEqual({ [UPDATE_HEADER]: 'true' });
    await second.onProduced?.();
    expect(seen.map((a) => [a.uuid, a.update])).toEqual([
      ['k', false],
      ['k', true],
    ]);
    expect(await sample(metrics, 'sequent_alerts_total', { rule: 'rule-1', severity: 'medium' })).toBe(1);
    expect(await sample(metrics, 'sequent_alerts_suppressed_total', { rule: 'rule-1' })).toBe(1);
    // 47 / 2.612375 = 17.99 (one alert scored 47)
    expect(
      await sample(metrics, 'sequent_entity_risk_score', { entity_type: 'host', entity: 'h' }),
    ).toBeCloseTo(17.99, 2);
    expect(
      await sample(
        metrics,
        'sequent_detection_latency_seconds',
        { basis: 'event_time' },
        'sequent_detection_latency_seconds_count',
      ),
    ).toBe(1);
  });

  it('retries a failing sink, then dead-letters its alerts and counts sink errors', async () => {
    const flaky = new RecordingSink('webhook:flaky', 2);
    const dead = new RecordingSink('webhook:dead', 99);
    const rejecting = new RecordingSink('webhook:400', 99, false);
    const { stage, metrics, dead: dlq } = setup([flaky, dead, rejecting]);
    const result = await stage.process([rec(alert('a')), rec(alert('b'))]);
    await result.onProduced?.();
    expect(flaky.delivered.map((b) => b.map((a) => a.uuid))).toEqual([['a', 'b']]);
    expect(dead.failuresLeft).toBe(99 - 3); // three attempts
    expect(rejecting.failuresLeft).toBe(99 - 1); // not retryable: one attempt
    expect(dlq.map((d) => d.reason)).toEqual(['sink_failed', 'sink_failed', 'sink_failed', 'sink_failed']);
    expect(dlq.map((d) => d.error)).toContain('webhook:dead: HTTP 503 after 3 attempt(s)');
    expect(dlq.map((d) => d.error)).toContain('webhook:400: HTTP 503 after 1 attempt(s)');
    expect(await sample(metrics, 'sequent_sink_errors_total', { sink: 'webhook:dead' })).toBe(2);
    expect(await sample(metrics, 'sequent_sink_errors_total', { sink: 'webhook:400' })).toBe(2);
    expect(await sample(metrics, 'sequent_sink_errors_total', { sink: 'webhook:flaky' })).toBe(0); // recovered within its retries: no error (the series exists from the start)
  });
});

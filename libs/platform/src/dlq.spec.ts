import { createDlqEnvelope, decodeDlqOriginal, DlqProducer } from './dlq';
import { Metrics } from './metrics';

describe('createDlqEnvelope', () => {
  it('carries the original bytes, stage, reason, error, time and source', () => {
    const original = Buffer.from([0x7b, 0xff, 0x00, 0x0a]);
    const envelope = createDlqEnvelope(
      {
        original,
        stage: 'ingest',
        reason: 'invalid_json',
        error: new SyntaxError('Unexpected token'),
        source: { topic: 'raw.ecs', partition: 2, offset: '41' },
      },
      new Date('2026-03-04T05:06:07Z'),
    );
    expect(envelope).toEqual({
      original: original.toString('base64'),
      stage: 'ingest',
      reason: 'invalid_json',
      error: 'Unexpected token',
      time: '2026-03-04T05:06:07.000Z',
      source: { topic: 'raw.ecs', partition: 2, offset: '41' },
    });
    expect(decodeDlqOriginal(envelope).equals(original)).toBe(true);
  });

  it('accepts a null value (tombstone) and bounds the error text', () => {
    const envelope = createDlqEnvelope({
      original: null,
      stage: 's',
      reason: 'empty',
      error: 'x'.repeat(5000),
    });
    expect(envelope.original).toBe('');
    expect(envelope.error.length).toBeLessThanOrEqual(2001);
    expect(envelope).not.toHaveProperty('source');
  });

  it('rejects reasons that would make unbounded metric labels', () => {
    expect(() =>
      createDlqEnvelope({ original: 'a', stage: 's', reason: 'Bad Reason: line 3', error: 'e' }),
    ).toThrow(/snake_case/);
  });
});

describe('DlqProducer', () => {
  const metricValue = async (metrics: Metrics, reason: string) =>
    (await metrics.dlqMessages.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  it('sends JSON envelopes to the topic and counts them by stage and reason', async () => {
    const sent: Array<{ topic: string; messages: Array<{ key?: string | null; value: string }> }> = [];
    const metrics = new Metrics({ service: 't', defaultMetrics: false });
    const dlq = new DlqProducer(
      { produce: async (topic, messages) => void sent.push({ topic, messages }) },
      'x.dlq',
      'correlator',
      metrics,
    );
    await dlq.send([
      {
        original: 'a',
        reason: 'invalid_json',
        error: 'e1',
        source: { topic: 't', partition: 0, offset: '1' },
      },
      { original: 'b', reason: 'invalid_json', error: 'e2' },
      { original: 'c', reason: 'not_an_object', error: 'e3' },
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe('x.dlq');
    const envelopes = sent[0].messages.map((m) => JSON.parse(m.value));
    expect(envelopes.map((e) => [e.stage, e.reason, decodeDlqOriginal(e).toString()])).toEqual([
      ['correlator', 'invalid_json', 'a'],
      ['correlator', 'invalid_json', 'b'],
      ['correlator', 'not_an_object', 'c'],
    ]);
    expect(sent[0].messages[0].key).toBe('t/0');
    expect(await metricValue(metrics, 'invalid_json')).toBe(2);
    expect(await metricValue(metrics, 'not_an_object')).toBe(1);
  });

  it('does not count messages the broker did not take', async () => {
    const metrics = new Metrics({ service: 't', defaultMetrics: false });
    const dlq = new DlqProducer(
      { produce: async () => Promise.reject(new Error('broker down')) },
      'x.dlq',
      'ingest',
      metrics,
    );
    await expect(dlq.send([{ original: 'a', reason: 'invalid_json', error: 'e' }])).rejects.toThrow(
      'broker down',
    );
    expect(await metricValue(metrics, 'invalid_json')).toBe(0);
  });
});

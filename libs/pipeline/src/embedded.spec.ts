import { decodeDlqOriginal, Metrics } from '@sequent/platform';
import type { BusBatch, BusRecord } from './bus';
import { EmbeddedPipeline } from './embedded';
import type { Stage, StageResult } from './stage';

/** Parses JSON; anything else goes to the DLQ with a reason. */
const parser: Stage = {
  name: 'ingest',
  async handleBatch(batch: BusBatch): Promise<StageResult> {
    const result: StageResult = { outputs: [{ topic: 'events', records: [] }], dlq: [] };
    for (const r of batch.records) {
      try {
        const doc = JSON.parse(r.value.toString());
        result.outputs[0].records.push({ key: String(doc.host), value: JSON.stringify(doc) });
      } catch (err) {
        result.dlq.push({
          original: r.value,
          reason: 'invalid_json',
          error: (err as Error).message,
          source: { topic: r.topic, partition: r.partition, offset: r.offset },
        });
      }
    }
    return result;
  },
};

/** Holds every event until the end of input, like a reorder buffer waiting for its watermark. */
function buffering(): Stage {
  const held: string[] = [];
  return {
    name: 'correlator',
    async handleBatch(batch) {
      for (const r of batch.records) held.push(r.value.toString());
      return { outputs: [], dlq: [] };
    },
    async flush() {
      const records = held.splice(0).map((value) => ({ key: null, value }));
      return { outputs: [{ topic: 'alerts', records }], dlq: [] };
    },
  };
}

async function counter(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return hit?.value ?? 0;
}

describe('EmbeddedPipeline', () => {
  it('runs stages in order on the memory bus, flushes buffered stages at the end, and dead-letters bad input', async () => {
    const metrics = new Metrics({ service: 'embedded-test' });
    const pipeline = new EmbeddedPipeline({
      metrics,
      stages: [
        { stage: parser, inputTopics: ['raw'], dlqTopic: 'ingest.dlq' },
        { stage: buffering(), inputTopics: ['events'], dlqTopic: 'correlator.dlq' },
      ],
    });
    const alerts: BusRecord[] = [];
    const dlq: BusRecord[] = [];
    await pipeline.start();
    await pipeline.tap(['alerts'], (r) => void alerts.push(r));
    await pipeline.tap(['ingest.dlq'], (r) => void dlq.push(r));

    await pipeline.feed('raw', [
      { value: '{"host":"a","n":1}' },
      { value: 'not json' },
      { value: '{"host":"b","n":2}' },
    ]);
    await pipeline.bus.drain();
    expect(alerts).toHaveLength(0); // still buffered
    await pipeline.finish();

    expect(alerts.map((r) => JSON.parse(r.value.toString()).n).sort()).toEqual([1, 2]);
    expect(dlq).toHaveLength(1);
    const envelope = JSON.parse(dlq[0].value.toString());
    expect(envelope).toMatchObject({ stage: 'ingest', reason: 'invalid_json' });
    expect(decodeDlqOriginal(envelope).toString()).toBe('not json');

    expect(await counter(metrics, 'sequent_messages_in_total', { stage: 'ingest' })).toBe(3);
    expect(
      await counter(metrics, 'sequent_dlq_messages_total', { stage: 'ingest', reason: 'invalid_json' }),
    ).toBe(1);
    expect(await counter(metrics, 'sequent_messages_out_total', { stage: 'correlator' })).toBe(2);
    await pipeline.stop();
  });
});

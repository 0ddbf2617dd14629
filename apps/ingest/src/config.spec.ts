import { ingestConfigSchema } from './config';

describe('ingest configuration', () => {
  it('reads per-source settings (SEQUENT_SOURCES) and rejects unknown formats', () => {
    const parsed = ingestConfigSchema.shape.sources.parse(
      JSON.parse(
        '[{"topic":"raw.auditd","format":"auditd","shape":"endpoint"},{"topic":"raw.ecs","format":"ecs","index":"logs-endpoint.events.process-default"}]',
      ),
    );
    expect(parsed).toEqual([
      { topic: 'raw.auditd', format: 'auditd', shape: 'endpoint' },
      {
        topic: 'raw.ecs',
        format: 'ecs',
        shape: 'integration',
        index: 'logs-endpoint.events.process-default',
      },
    ]);
    expect(() => ingestConfigSchema.shape.sources.parse([{ topic: 'x', format: 'csv' }])).toThrow();
  });
});

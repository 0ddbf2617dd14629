import { redactConfig } from '@sequent/platform';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { alerterConfigSchema, loadAlerterConfig } from './config';

const base = { SEQUENT_KAFKA_BROKERS: 'k:9092' };
const hooks = [{ name: 'slack', url: 'https://hooks.example/T/B/secret', format: 'slack' }];

describe('alerter config', () => {
  it('has safe defaults', () => {
    const c = loadAlerterConfig(base);
    expect(c.topics).toEqual({ candidates: 'alerts.candidates', alerts: 'alerts', dlq: 'alerts.dlq' });
    expect(c.grpc).toMatchObject({ enabled: true, port: 50051 });
    expect(c.risk).toMatchObject({ windowDays: 30, maxInputsPerEntity: 1000, metricsTopN: 10 });
    expect(c.sinks.webhooks).toEqual([]);
  });

  it('reads webhooks as JSON from the variable or a mounted file, and masks them', () => {
    const fromEnv = loadAlerterConfig({ ...base, SEQUENT_SINKS_WEBHOOKS: JSON.stringify(hooks) });
    expect(fromEnv.sinks.webhooks).toEqual(hooks);
    const dir = mkdtempSync(path.join(tmpdir(), 'alerter-config-'));
    writeFileSync(path.join(dir, 'hooks.json'), JSON.stringify(hooks) + '\n');
    const fromFile = loadAlerterConfig({
      ...base,
      SEQUENT_SINKS_WEBHOOKS_FILE: path.join(dir, 'hooks.json'),
    });
    expect(fromFile.sinks.webhooks).toEqual(hooks);
    expect(JSON.stringify(redactConfig(alerterConfigSchema, fromFile))).not.toContain('secret');
  });

  it('rejects a short auth token and bad webhooks without echoing them', () => {
    expect(() => loadAlerterConfig({ ...base, SEQUENT_GRPC_AUTH_TOKEN: 'short' })).toThrow(
      /SEQUENT_GRPC_AUTH_TOKEN/,
    );
    expect(() =>
      loadAlerterConfig({ ...base, SEQUENT_SINKS_WEBHOOKS: '[{"name":"x","url":"not a url"}]' }),
    ).toThrow(/SEQUENT_SINKS_WEBHOOKS/);
  });
});

// The input contract: alert documents exactly as libs/engine builds them (buildAlert) go
// through the alerter's processor, and the mappings/suppression read what the engine wrote.
import { buildAlert } from '@sequent/engine';
import type { RuleMeta } from '@sequent/rules';
import { memoryAlertingStores } from './memory-stores';
import { AlertProcessor } from './processor';

const rule = {
  rule_id: 'contract-rule',
  uuid: 'contract-uuid',
  name: 'Contract rule',
  description: 'd',
  type: 'eql',
  language: 'eql',
  version: 3,
  risk_score: 21,
  severity: 'low',
  risk_score_mapping: [{ field: 'event.risk_score', operator: 'equals', value: '' }],
  severity_mapping: [{ field: 'process.name', operator: 'equals', value: 'nc', severity: 'high' }],
  tags: [],
  threat: [],
  references: [],
  author: [],
  index: ['logs-*'],
  max_signals: 100,
  alert_suppression: {
    group_by: ['host.name'],
    duration: { value: 5, unit: 'm' },
    missing_fields_strategy: 'suppress',
  },
} as unknown as RuleMeta;

const now = Date.parse('2026-03-01T00:00:00Z');
const alertFor = (id: string, process: string, minute: number) =>
  buildAlert({
    rule,
    kind: 'eql',
    events: [{ id, index: 'logs-x', time: now + minute * 60_000 }],
    source: {
      '@timestamp': new Date(now + minute * 60_000).toISOString(),
      host: { name: 'web-1' },
      user: { name: 'alice' },
      process: { name: process },
      event: { risk_score: 64, ingested: new Date(now).toISOString() },
    },
    originalTime: now + minute * 60_000,
    now: now + minute * 60_000 + 1_000,
  });

it('processes engine-built alerts: mappings, suppression, entity risk', async () => {
  const stores = memoryAlertingStores({ clock: () => now });
  const processor = new AlertProcessor(stores);
  const docs = [alertFor('e1', 'nc', 0), alertFor('e2', 'curl', 1), alertFor('e3', 'nc', 9)];
  const outcome = await processor.process(
    docs.map((d, i) => ({ ref: i, value: JSON.stringify(d) })),
    now + 10 * 60_000,
  );
  expect(outcome.rejects).toEqual([]);
  await outcome.commit();
  // e2 falls into e1's 5-minute group; e3 (minute 9) opens a new one
  expect(outcome.alerts.map((a) => a.uuid)).toEqual([
    docs[0]['kibana.alert.uuid'],
    docs[2]['kibana.alert.uuid'],
  ]);
  expect(outcome.alerts[0]).toMatchObject({ riskScore: 64, severity: 'high', ruleId: 'contract-rule' });
  expect(outcome.alerts[0].doc['kibana.alert.suppression.docs_count']).toBe(1);
  // 64 + 64 * 0.353553 = 86.627392 -> / 2.612375 = 33.160
  const host = await stores.entityRisk.get({ type: 'host', name: 'web-1' }, now + 10 * 60_000);
  expect(host?.score).toBeCloseTo(33.16, 2);
});

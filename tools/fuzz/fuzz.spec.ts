// `npm test` runs a smaller seeded fuzz than `npm run fuzz` (same code, same checks): hostile
// messages of every family through ingest, correlator and alerter on the memory bus, with
// planted attacks mixed in. A failure prints the seed and the report; rerun it with
// `npm run fuzz -- --seed <seed> --count 10000`.
import { runEmbeddedFuzz } from './src/embedded';
import { formatReport } from './src/report';

jest.setTimeout(120_000);

const SEED = 20261130;

describe('fuzz (embedded pipeline, seeded)', () => {
  it('accounts for every hostile message, never crashes, keeps memory bounded and still detects the planted attacks', async () => {
    const report = await runEmbeddedFuzz({
      seed: SEED,
      count: 10_000,
      giants: 1,
      // A small per-rule key bound so the join-key flood proves eviction in seconds.
      joinKeys: 5_000,
      maxKeysPerRule: 1_000,
      maxRssMb: 1536,
    });
    const text = formatReport(report);
    expect(report.problems).toEqual([]);
    expect(text).toMatch(/^sent=\d+ processed=\d+ dlq=\d+ lost=0 crashes=0$/m);
    expect(report.processed + report.dlq).toBe(report.sent);
    expect(report.sent).toBe(report.hostile + report.fleetEvents + report.floodEvents);
    expect(report.hostile).toBeGreaterThanOrEqual(10_000);
    // Every family of hostile input was sent, and each stage dead-lettered some of it.
    for (const kind of [
      'ecs-wrong-types',
      'auditd-mutated',
      'sysmon-xml',
      'candidates',
      'giant-10MB',
      'giant-deep-10^4',
    ])
      expect(report.byKind[kind]).toBeGreaterThan(0);
    for (const stage of ['ingest', 'correlator', 'alerter'])
      expect(report.stages[stage].dlq).toBeGreaterThan(0);
    expect(report.stages.correlator.reasons.too_large).toBeGreaterThan(0);
    expect(report.evictions).toBeGreaterThanOrEqual(4_000);
    expect(report.planted).toBeGreaterThan(0);
    expect(report.detected).toBe(report.planted);
  });
});

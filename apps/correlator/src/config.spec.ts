import { loadCorrelatorConfig } from './config';

describe('correlator configuration', () => {
  const base = { SEQUENT_KAFKA_BROKERS: 'kafka:9092' };

  it('dead-letters events more than a day ahead of the clock by default, configurable, 0 for off', () => {
    expect(loadCorrelatorConfig(base).reorder.maxFutureMs).toBe(86_400_000);
    expect(
      loadCorrelatorConfig({ ...base, SEQUENT_REORDER_MAX_FUTURE_MS: '300000' }).reorder.maxFutureMs,
    ).toBe(300_000);
    expect(loadCorrelatorConfig({ ...base, SEQUENT_REORDER_MAX_FUTURE_MS: '0' }).reorder.maxFutureMs).toBe(0);
    expect(() => loadCorrelatorConfig({ ...base, SEQUENT_REORDER_MAX_FUTURE_MS: '-1' })).toThrow(
      /SEQUENT_REORDER_MAX_FUTURE_MS/,
    );
  });
});

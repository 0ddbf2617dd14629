import { loadedRule } from '../testing/loaded-rule';
import { DetectionEngine } from './detection-engine';

/**
 * The engine narrows each event's guard mask to the rules whose index patterns accept the
 * event's index before asking the rule index, so a rule of another data stream is neither a
 * candidate nor the reason for a field read.
 */
function rule(id: string, query: string, index: string[]) {
  return loadedRule(query, { rule_id: id, name: id, extra: { index } });
}

const rules = [
  rule('endpoint', 'process where event.type == "start" and process.name == "nc"', [
    'logs-endpoint.events.*',
  ]),
  rule('auditd', 'process where event.type == "start" and auditd.data.syscall == "execve"', [
    'logs-auditd_manager.auditd-*',
  ]),
  rule('both', 'process where event.type == "start" and process.name == "nc"', [
    'logs-endpoint.events.*',
    'logs-auditd_manager.auditd-*',
  ]),
];

const ENDPOINT = 'logs-endpoint.events.process-default';
const AUDITD = 'logs-auditd_manager.auditd-default';

describe('index patterns in the guard mask', () => {
  it("gives only the rules reading the event's index, and reads no field for the others", () => {
    const engine = new DetectionEngine(rules);
    let syscallReads = 0;
    const event = () => ({
      event: { category: ['process'], type: ['start'] },
      process: { name: 'nc' },
      auditd: {
        data: new Proxy(
          { syscall: 'execve' },
          {
            get(target, key, receiver) {
              if (key === 'syscall') syscallReads++;
              return Reflect.get(target, key, receiver);
            },
          },
        ),
      },
    });
    const ids = (index: string | null) => engine.candidates(event(), index).map((rt) => rt.meta.rule_id);
    expect(ids(ENDPOINT)).toEqual(['endpoint', 'both']);
    syscallReads = 0;
    expect(ids(ENDPOINT)).toEqual(['endpoint', 'both']);
    expect(syscallReads).toBe(0);
    expect(ids(AUDITD)).toEqual(['auditd', 'both']);
    expect(syscallReads).toBeGreaterThan(0);
    // No index (bare ECS events): every pattern accepts it.
    expect(ids(null)).toEqual(['endpoint', 'auditd', 'both']);
    expect(ids('logs-other-default')).toEqual([]);
  });

  it('stays exact past the index names kept per mask', () => {
    const engine = new DetectionEngine(rules);
    const event = { event: { category: ['process'], type: ['start'] }, process: { name: 'nc' } };
    for (let i = 0; i < 100; i++) {
      const index = i % 2 === 0 ? `logs-endpoint.events.x${i}-default` : `logs-y${i}-default`;
      const expected = i % 2 === 0 ? ['endpoint', 'both'] : [];
      expect(engine.candidates(event, index).map((rt) => rt.meta.rule_id)).toEqual(expected);
    }
  });
});

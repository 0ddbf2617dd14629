import { DEFAULT_ATTACKS, SCENARIO_KINDS, parseAttackSpec } from './attack-spec';

describe('parseAttackSpec', () => {
  it('reads kinds with optional counts', () => {
    expect(parseAttackSpec('apt_hook_shell:2, nping_scan')).toEqual([
      { kind: 'apt_hook_shell', count: 2 },
      { kind: 'nping_scan', count: 1 },
    ]);
    expect(parseAttackSpec('none')).toEqual([]);
  });

  it('rejects unknown kinds and bad counts with the valid choices', () => {
    expect(() => parseAttackSpec('rootkit')).toThrow(/unknown attack "rootkit".*apt_hook_shell/);
    expect(() => parseAttackSpec('apt_hook_shell:-1')).toThrow(/bad count/);
    expect(() => parseAttackSpec('apt_hook_shell:1:2')).toThrow(/unknown attack/);
    expect(() => parseAttackSpec('__proto__')).toThrow(/unknown attack/);
  });

  it('defaults to one of every scenario', () => {
    expect(DEFAULT_ATTACKS.map((a) => a.kind)).toEqual(SCENARIO_KINDS);
    expect(SCENARIO_KINDS.length).toBe(14);
  });
});

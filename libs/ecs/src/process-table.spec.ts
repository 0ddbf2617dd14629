import { entityId, ProcessTable } from './process-table';

describe('ProcessTable (bounded per-host process state)', () => {
  const info = (pid: number) => ({ pid, start: 't', entityId: entityId('h', pid, 't') });

  it('derives Defend-style entity ids: base64 of host-pid-start', () => {
    expect(Buffer.from(entityId('web-1', 42, '2026-01-01T00:00:00.000Z'), 'base64').toString()).toBe(
      'web-1-42-2026-01-01T00:00:00.000Z',
    );
  });

  it('evicts the least recently seen process per host, hosts beyond the limit, and beyond the total', () => {
    const t = new ProcessTable({ maxHosts: 2, maxProcessesPerHost: 3, maxProcesses: 5 });
    for (let pid = 1; pid <= 4; pid++) t.set('a', info(pid));
    expect(t.get('a', 1)).toBeUndefined();
    expect(t.size).toBe(3);
    t.get('a', 2); // touch
    t.set('b', info(1));
    t.set('b', info(2));
    t.set('b', info(3)); // total 6 > 5: host a (least recently active) gives way
    expect(t.size).toBe(5);
    t.set('c', info(1)); // third host: the least recently active host goes
    expect(t.size).toBeLessThanOrEqual(5);
    expect(t.get('c', 1)).toBeDefined();
    expect(t.evictions).toBeGreaterThan(0);
    t.delete('c', 1);
    expect(t.get('c', 1)).toBeUndefined();
  });
});

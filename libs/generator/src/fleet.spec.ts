import { generateFleet } from './fleet';
import { toNdjson } from './writers/ndjson';
import { TARGET_RULES } from './attacks';
import type { EcsEvent, FleetOptions } from './types';

const OPTIONS: FleetOptions = {
  seed: 42,
  hosts: 6,
  durationMs: 3 * 60 * 1000,
  startTime: '2026-02-01T00:00:00.000Z',
  eventsPerSecond: 4,
  attacks: [
    { kind: 'apt_hook_shell', count: 2 },
    { kind: 'apt_hook_netcon', count: 2 },
    { kind: 'apt_conf_file', count: 1 },
    { kind: 'dpkg_unusual_parent', count: 2 },
    { kind: 'nm_apt_hook_slow', count: 1 },
    { kind: 'nm_apt_hook_private_fetch', count: 1 },
    { kind: 'nm_aptget_hook', count: 1 },
  ],
};

const get = (e: EcsEvent, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      e,
    );

describe('generateFleet', () => {
  const fleet = generateFleet(OPTIONS);
  const byId = new Map(fleet.events.map((e) => [get(e, 'event.id') as string, e]));

  it('is a pure function of its options', () => {
    const again = generateFleet(OPTIONS);
    expect(toNdjson(again.events)).toBe(toNdjson(fleet.events));
    expect(again.labels).toEqual(fleet.labels);
    const other = generateFleet({ ...OPTIONS, seed: 43 });
    expect(toNdjson(other.events)).not.toBe(toNdjson(fleet.events));
  });

  it('produces roughly the requested volume, inside the window, in time order', () => {
    expect(fleet.events.length).toBeGreaterThan(OPTIONS.eventsPerSecond * 180 * 0.5);
    const start = Date.parse(OPTIONS.startTime as string);
    let previous = '';
    for (const e of fleet.events) {
      const ts = e['@timestamp'] as string;
      expect(ts >= previous).toBe(true);
      expect(Date.parse(ts)).toBeGreaterThanOrEqual(start);
      expect(Date.parse(ts)).toBeLessThan(start + OPTIONS.durationMs);
      previous = ts;
    }
  });

  it('gives every event a unique id and the Defend envelope', () => {
    expect(byId.size).toBe(fleet.events.length);
    for (const e of fleet.events) {
      expect(get(e, 'host.os.type')).toBe('linux');
      const category = (get(e, 'event.category') as string[])[0];
      expect(get(e, 'data_stream.dataset')).toBe(`endpoint.events.${category}`);
      expect(typeof get(e, 'process.entity_id')).toBe('string');
    }
  });

  it('only names parents that started earlier on the same host', () => {
    const started = new Map<string, string>(); // entity id -> host id
    for (const e of fleet.events) {
      const host = get(e, 'host.id') as string;
      const parent = get(e, 'process.parent.entity_id') as string | undefined;
      if (parent !== undefined) expect(started.get(parent)).toBe(host);
      if (get(e, 'event.action') === 'exec') started.set(get(e, 'process.entity_id') as string, host);
    }
    expect(started.size).toBeGreaterThan(100);
  });

  it('labels point at real events on the labelled host', () => {
    expect(fleet.labels).toHaveLength(OPTIONS.attacks.reduce((s, a) => s + a.count, 0));
    for (const label of fleet.labels) {
      expect(label.event_ids.length).toBeGreaterThan(0);
      for (const id of label.event_ids) expect(get(byId.get(id) as EcsEvent, 'host.id')).toBe(label.host_id);
    }
  });

  it('plants apt hook chains that fit the seed rules: apt -> sh -c, then a child within 5 s', () => {
    for (const label of fleet.labels.filter(
      (l) => l.scenario === 'apt_hook_shell' || l.scenario === 'apt_hook_netcon',
    )) {
      const [first, second] = label.event_ids.map((id) => byId.get(id) as EcsEvent);
      expect(get(first, 'process.parent.name')).toBe('apt');
      expect(get(first, 'process.args')).toContain('-c');
      expect(get(second, 'process.parent.entity_id')).toBe(get(first, 'process.entity_id'));
      const gap = Date.parse(second['@timestamp'] as string) - Date.parse(first['@timestamp'] as string);
      expect(gap).toBeLessThanOrEqual(5_000);
      if (label.scenario === 'apt_hook_netcon') {
        expect(get(second, 'event.action')).toBe('connection_attempted');
        expect(label.rule_id).toBe(TARGET_RULES.aptNetcon.id);
      }
    }
    const slow = fleet.labels.find((l) => l.scenario === 'nm_apt_hook_slow');
    const [a, b] = (slow?.event_ids ?? []).map((id) => byId.get(id) as EcsEvent);
    expect(Date.parse(b['@timestamp'] as string) - Date.parse(a['@timestamp'] as string)).toBeGreaterThan(
      5_000,
    );
  });

  it('gives each dpkg plant a parent executable never used by dpkg -i elsewhere', () => {
    const installs = fleet.events.filter(
      (e) =>
        get(e, 'process.name') === 'dpkg' &&
        (get(e, 'process.args') as string[]).some((a) => a === '-i' || a === '--install'),
    );
    const planted = new Set(
      fleet.labels.filter((l) => l.scenario === 'dpkg_unusual_parent').flatMap((l) => l.event_ids),
    );
    expect(installs.map((e) => get(e, 'event.id')).sort()).toEqual([...planted].sort());
    const parents = installs.map((e) => get(e, 'process.parent.executable'));
    expect(new Set(parents).size).toBe(parents.length);
  });

  it('plants the other corpus behaviours with the fields their rules test', () => {
    const corpus = generateFleet({
      ...OPTIONS,
      attacks: [
        { kind: 'nping_scan', count: 1 },
        { kind: 'selinux_disable', count: 1 },
        { kind: 'sudo_uid_bypass', count: 1 },
        { kind: 'pid_file_exec', count: 1 },
        { kind: 'nm_setenforce_enable', count: 1 },
      ],
    });
    const events = new Map(corpus.events.map((e) => [get(e, 'event.id') as string, e]));
    const first = (scenario: string): EcsEvent => {
      const label = corpus.labels.find((l) => l.scenario === scenario);
      return events.get(label?.event_ids[0] ?? '') as EcsEvent;
    };
    expect(get(first('nping_scan'), 'process.name')).toBe('nping');
    expect(get(first('selinux_disable'), 'process.args')).toEqual(['setenforce', '0']);
    expect(get(first('nm_setenforce_enable'), 'process.args')).toEqual(['setenforce', '1']);
    expect(get(first('sudo_uid_bypass'), 'process.args')).toContain('-u#-1');
    expect(get(first('pid_file_exec'), 'process.executable')).toBe('/var/run/crond.pid');
    expect(get(first('pid_file_exec'), 'user.id')).toBe('0');
    const labelKinds = corpus.labels.map((l) => `${l.scenario}:${l.kind}`);
    expect(labelKinds).toContain('nm_setenforce_enable:near_miss');
    expect(labelKinds).toContain('nping_scan:attack');
  });

  it('rejects bad options with a clear error', () => {
    expect(() => generateFleet({ ...OPTIONS, startTime: 'yesterday' })).toThrow(/invalid startTime/);
    expect(() => generateFleet({ ...OPTIONS, hosts: 0 })).toThrow(/hosts must be/);
    for (const kind of ['nope', 'constructor', '__proto__']) {
      expect(() => generateFleet({ ...OPTIONS, attacks: [{ kind: kind as never, count: 1 }] })).toThrow(
        /unknown attack kind/,
      );
    }
  });
});

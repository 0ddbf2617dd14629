/**
 * Round trip: a generated Defend-shaped fleet, written as raw auditd records and as Sysmon for
 * Linux syslog lines (libs/generator), normalized back through the ingest stage with
 * `shape: endpoint`, must give back what Defend recorded: the same actions, processes, parents,
 * destinations and files, and process/parent entity ids that chain.
 */
import { formatEvents, generateFleet } from '@sequent/generator';
import { getField, type Doc } from '@sequent/ecs';
import { SourceIngest } from '@sequent/pipeline';

const fleet = generateFleet({
  seed: 'ingest-roundtrip',
  hosts: 4,
  durationMs: 90_000,
  startTime: '2026-03-01T10:00:00.000Z',
  eventsPerSecond: 15,
  attacks: [{ kind: 'apt_hook_shell', count: 1 }],
});

function normalize(format: 'auditd' | 'sysmon-linux'): Doc[] {
  const source = new SourceIngest({ topic: format, format, shape: 'endpoint' });
  const res = source.lines(formatEvents(fleet.events, format), true);
  expect(res.rejects).toEqual([]);
  return res.outputs.map((o) => JSON.parse(String(o.value)) as Doc);
}

const key = (e: Doc) =>
  `${getField(e, 'host.name')}|${getField(e, '@timestamp')}|${getField(e, 'process.pid')}|${getField(e, 'event.action')}`;

describe.each(['auditd', 'sysmon-linux'] as const)(
  'generated fleet through %s and back (endpoint shape)',
  (format) => {
    const out = normalize(format);
    const original = new Map(fleet.events.map((e) => [key(e), e]));

    it('gives back the execs with their process and parent', () => {
      const execs = out.filter((e) => getField(e, 'event.action') === 'exec');
      expect(execs.length).toBeGreaterThan(50);
      let matched = 0;
      for (const e of execs) {
        const o = original.get(key(e));
        if (!o) continue;
        matched++;
        for (const f of [
          'process.name',
          'process.executable',
          'process.parent.pid',
          'process.working_directory',
          'host.os.type',
        ]) {
          expect([f, getField(e, f)]).toEqual([f, getField(o, f)]);
        }
        if (format === 'auditd') expect(getField(e, 'process.args')).toEqual(getField(o, 'process.args'));
        expect(getField(e, 'process.command_line')).toBe(getField(o, 'process.command_line'));
      }
      expect(matched).toBe(execs.length);
    });

    it('chains entity ids: a parent seen exec-ing names its children', () => {
      const byEntity = new Map(
        out
          .filter((e) => getField(e, 'event.action') === 'exec')
          .map((e) => [getField(e, 'process.entity_id'), e]),
      );
      let linked = 0;
      for (const e of byEntity.values()) {
        const parent = byEntity.get(getField(e, 'process.parent.entity_id'));
        if (!parent) continue;
        linked++;
        expect(getField(e, 'process.parent.pid')).toBe(getField(parent, 'process.pid'));
        expect(getField(e, 'process.parent.name')).toBe(getField(parent, 'process.name'));
      }
      expect(linked).toBeGreaterThan(0);
    });

    it('gives back connections and file changes', () => {
      const net = out.filter((e) => getField(e, 'event.action') === 'connection_attempted');
      expect(net.length).toBeGreaterThan(0);
      for (const e of net) {
        const o = fleet.events.find(
          (x) =>
            getField(x, 'process.pid') === getField(e, 'process.pid') &&
            getField(x, 'destination.ip') === getField(e, 'destination.ip'),
        );
        expect(o && getField(o, 'destination.port')).toBe(getField(e, 'destination.port'));
      }
      const files = out.filter(
        (e) =>
          getField(e, 'event.category') !== null &&
          (getField(e, 'event.category') as string[]).includes('file'),
      );
      expect(files.length).toBeGreaterThan(0);
      const paths = new Set(fleet.events.map((x) => getField(x, 'file.path')).filter((p) => p !== null));
      for (const e of files) expect(paths.has(getField(e, 'file.path') as string)).toBe(true);
    });
  },
);

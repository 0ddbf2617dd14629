import { hunt } from '../hunt';
import { loadedRule } from '../testing/loaded-rule';
import { DetectionEngine } from './detection-engine';
import { literalHintsOf } from './literal-hints';
import { RuleIndex } from './rule-index';

function rule(type: 'eql' | 'query', query: string, extra: Record<string, unknown> = {}) {
  return loadedRule(query, { type, rule_id: `r-${Math.abs(hashCode(query))}`, name: 'r', extra });
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

describe('literalHintsOf', () => {
  it('KQL: the most selective keyword conjunct', () => {
    const r = rule(
      'query',
      'host.os.type:linux and event.type:start and process.name:dpkg and process.args:("-i" or "--install")',
    );
    expect(literalHintsOf(r)).toEqual({
      keys: [{ field: 'process.name', caseInsensitive: false, values: ['dpkg'] }],
      gated: false,
    });
  });

  it('KQL: wildcard suffixes become prefixes; negations and free text give nothing', () => {
    expect(literalHintsOf(rule('query', 'process.name:python*'))?.keys).toEqual([
      { field: 'process.name', caseInsensitive: false, values: [], prefixes: ['python'] },
    ]);
    expect(literalHintsOf(rule('query', 'not process.name:dpkg'))).toBeUndefined();
    expect(literalHintsOf(rule('query', 'dpkg'))).toBeUndefined();
    expect(literalHintsOf(rule('query', 'process.name:dpkg or user.name:root'))).toBeUndefined();
  });

  it('KQL wildcards: the literal prefix, else suffix, else the longest literal run', () => {
    const keys = (q: string) => literalHintsOf(rule('query', q))?.keys;
    expect(
      keys('process.args:(*/.aws/credentials or "/etc/kubernetes/admin.conf" or */gcloud/* or /tmp/*x*)'),
    ).toEqual([
      { field: 'process.args', caseInsensitive: false, values: [], suffixes: ['/.aws/credentials'] },
      { field: 'process.args', caseInsensitive: false, values: ['/etc/kubernetes/admin.conf'] },
      { field: 'process.args', caseInsensitive: false, values: [], contains: ['/gcloud/'] },
      { field: 'process.args', caseInsensitive: false, values: [], prefixes: ['/tmp/'] },
    ]);
    // An escaped star is literal text; too short a run is no hint.
    expect(keys('process.name:*ab\\*cd*')?.[0].contains).toEqual(['ab*cd']);
    expect(keys('process.name:*ab*')).toBeUndefined();
    // Found through the index on any value ending in the suffix (and not on others).
    const r = rule('query', 'event.category:process and process.args:*/.aws/credentials');
    const index = new RuleIndex(new DetectionEngine([r]).runtimes);
    const event = (arg: string) => ({ event: { category: ['process'] }, process: { args: ['cat', arg] } });
    expect(index.candidates(event('/root/.aws/credentials'))).toHaveLength(1);
    expect(index.candidates(event('/root/.aws/config'))).toHaveLength(0);
  });

  it('EQL: ==, in, in~, : and like without wildcards, prefixes for trailing *', () => {
    const r = rule(
      'eql',
      'process where event.type == "start" and process.parent.name == "apt" and process.name in ("sh", "bash")',
    );
    expect(literalHintsOf(r)?.keys).toEqual([
      { category: 'process', field: 'process.parent.name', caseInsensitive: false, values: ['apt'] },
    ]);
    const p = rule('eql', 'process where process.name : ("python*", "perl")');
    expect(literalHintsOf(p)?.keys).toEqual([
      {
        category: 'process',
        field: 'process.name',
        caseInsensitive: true,
        values: ['perl'],
        prefixes: ['python'],
      },
    ]);
    // `.*` (hidden binaries) is the one single-character prefix kept.
    expect(literalHintsOf(rule('eql', 'process where process.name like (".*", "python*")'))?.keys).toEqual([
      {
        category: 'process',
        field: 'process.name',
        caseInsensitive: false,
        values: [],
        prefixes: ['.', 'python'],
      },
    ]);
    expect(literalHintsOf(rule('eql', 'process where process.name like "x*"'))).toBeUndefined();
    // `*sh`: a suffix too short to select anything; `*.cgi`: a suffix, when no prefix is there.
    expect(literalHintsOf(rule('eql', 'process where process.name like~ "*sh"'))).toBeUndefined();
    expect(
      literalHintsOf(rule('eql', 'process where process.parent.name like ("php-fpm*", "*.cgi", "*x?.fcgi")'))
        ?.keys,
    ).toEqual([
      {
        category: 'process',
        field: 'process.parent.name',
        caseInsensitive: false,
        values: [],
        prefixes: ['php-fpm'],
        suffixes: ['.cgi', '.fcgi'],
      },
    ]);
    expect(literalHintsOf(rule('eql', 'process where process.name like "*\\\\.cgi"'))).toBeUndefined();
    expect(literalHintsOf(rule('eql', 'process where process.executable like "/proc/*/fd/*"'))?.keys).toEqual(
      [
        {
          category: 'process',
          field: 'process.executable',
          caseInsensitive: false,
          values: [],
          prefixes: ['/proc/'],
        },
      ],
    );
    expect(literalHintsOf(rule('eql', 'process where not process.name == "sh"'))).toBeUndefined();
    expect(literalHintsOf(rule('eql', 'process where ?process.name == "sh"'))).toBeUndefined();
    expect(literalHintsOf(rule('eql', 'process where process.pid == "22"'))).toBeUndefined();
  });

  it('EQL: text a value must contain, when a pattern has neither prefix nor suffix', () => {
    const hint = (q: string) => literalHintsOf(rule('eql', q))?.keys;
    expect(hint('process where process.args like ("*containerd.sock*", "k8s.io")')).toEqual([
      {
        category: 'process',
        field: 'process.args',
        caseInsensitive: false,
        values: ['k8s.io'],
        contains: ['containerd.sock'],
      },
    ]);
    // The longest literal run between wildcards; `?` is a wildcard too.
    expect(hint('process where process.executable like~ ("?memfd:*", "*/x*bin/*")')).toEqual([
      {
        category: 'process',
        field: 'process.executable',
        caseInsensitive: true,
        values: [],
        contains: ['memfd:', 'bin/'],
      },
    ]);
    // Too short, or an escape: nothing.
    expect(hint('process where process.name like "*ab*"')).toBeUndefined();
    expect(hint('process where process.command_line : "*\\\\x41*"')).toBeUndefined();
    // Filed lower-cased: found on any value containing it, in any case.
    const r = rule('eql', 'process where process.command_line like~ "*/SECRETS/kubernetes.io*"');
    const index = new RuleIndex(new DetectionEngine([r]).runtimes);
    const event = (cmd: string) => ({ event: { category: ['process'] }, process: { command_line: cmd } });
    expect(index.candidates(event('cat /run/secrets/Kubernetes.io/token'))).toHaveLength(1);
    expect(index.candidates(event('cat /run/secrets/kubernetes.com/token'))).toHaveLength(0);
  });

  it('EQL regex: the literal text every match starts with', () => {
    const hint = (q: string) => literalHintsOf(rule('eql', q))?.keys;
    expect(hint('process where process.executable regex~ """/var/run/\\w+\\.(pid|lock)"""')).toEqual([
      {
        category: 'process',
        field: 'process.executable',
        caseInsensitive: true,
        values: [],
        prefixes: ['/var/run/'],
      },
    ]);
    // `php?`: the second p is optional, so every match starts with "ph".
    expect(hint('process where process.name regex """php?[0-9]?"""')).toEqual([
      { category: 'process', field: 'process.name', caseInsensitive: false, values: [], prefixes: ['ph'] },
    ]);
    // No prefix: a leading class, a top-level alternation, too short.
    expect(hint('process where process.name regex """[a-z]+sh"""')).toBeUndefined();
    expect(hint('process where process.name regex """bash|zsh"""')).toBeUndefined();
    expect(hint('process where process.name regex """p.*"""')).toBeUndefined();
    // Case-insensitive: RE2 folds ſ to s and the Kelvin sign to k, lower-casing does not.
    expect(hint('process where process.name regex~ """ssh.*"""')).toBeUndefined();
    expect(hint('process where process.name regex~ """kworker.*"""')).toBeUndefined();
    expect(hint('process where process.name regex """ssh.*"""')?.[0].prefixes).toEqual(['ssh']);
    // Filed lower-cased: an upper-case value still finds the rule, and matches it.
    const php = rule('eql', 'process where process.name regex~ """php.*"""');
    const engine = new DetectionEngine([php]);
    const event = { event: { category: ['process'] }, process: { name: 'PHP7.4' } };
    expect(new RuleIndex(engine.runtimes).candidates(event)).toHaveLength(1);
    expect(php.matcher.kind === 'eql' && php.matcher.eql.stages[0].condition(event)).toBe(true);
  });

  it('event.action hints only when they name no common action', () => {
    expect(literalHintsOf(rule('eql', 'process where event.action == "load_module"'))?.keys).toEqual([
      { category: 'process', field: 'event.action', caseInsensitive: false, values: ['load_module'] },
    ]);
    expect(
      literalHintsOf(rule('eql', 'process where event.action in ("exec", "load_module")')),
    ).toBeUndefined();
  });

  it('EQL sequences: every stage hinted, else gated on the starting stage', () => {
    const full = rule(
      'eql',
      'sequence by host.id [process where process.name == "a"] [process where process.name == "b"]',
    );
    expect(literalHintsOf(full)).toEqual({
      keys: [
        { category: 'process', field: 'process.name', caseInsensitive: false, values: ['a'] },
        { category: 'process', field: 'process.name', caseInsensitive: false, values: ['b'] },
      ],
      gated: false,
    });
    const gated = rule(
      'eql',
      'sequence by host.id [process where process.name == "a"] [network where not cidrmatch(destination.ip, "10.0.0.0/8")]',
    );
    expect(literalHintsOf(gated)).toEqual({
      keys: [{ category: 'process', field: 'process.name', caseInsensitive: false, values: ['a'] }],
      gated: true,
    });
    const unhinted = rule(
      'eql',
      'sequence by host.id [process where true] [process where process.name == "b"]',
    );
    expect(literalHintsOf(unhinted)).toBeUndefined();
  });

  it('keys carry their stage category, unless the rule reads categories elsewhere', () => {
    const q =
      'sequence by host.id [process where process.name == "tar"] [file where file.path : "/etc/cron*"] [any where process.name == "x"]';
    expect(literalHintsOf(rule('eql', q))?.keys.map((k) => [k.field, k.category])).toEqual([
      ['process.name', 'process'],
      ['file.path', 'file'],
      ['process.name', undefined],
    ]);
    const override = rule('eql', q, { event_category_override: 'event.type' });
    expect(literalHintsOf(override)?.keys.map((k) => k.category)).toEqual([undefined, undefined, undefined]);
  });
});

describe('the rule index with literal hints', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const ev = (t: number, id: string, fields: Record<string, unknown>) => ({
    '@timestamp': new Date(T0 + t).toISOString(),
    event: { id, category: [fields.category ?? 'process'] },
    host: { id: 'h1' },
    ...fields,
  });

  it('tries a rule only on events carrying its values, and a gated sequence while it is pending', async () => {
    const exec = rule('eql', 'process where process.name == "dpkg"');
    const seq = rule(
      'eql',
      'sequence by host.id with maxspan=10s [process where process.name == "apt"] [network where not cidrmatch(destination.ip, "10.0.0.0/8")]',
    );
    const engine = new DetectionEngine([exec, seq]);
    const index = new RuleIndex(engine.runtimes);
    expect(index.candidates(ev(0, 'a', { process: { name: 'ls' } }))).toEqual([]);
    expect(index.candidates(ev(0, 'a', { process: { name: 'dpkg' } })).map((r) => r.meta.query)).toEqual([
      exec.meta.query,
    ]);
    // dotted keys and arrays of objects reach the same index entries as nested objects
    const proc = { 'event.category': 'process' };
    expect(index.candidates({ ...proc, 'process.name': 'dpkg' }).length).toBe(1);
    expect(index.candidates({ ...proc, process: { name: ['x', 'dpkg'] } }).length).toBe(1);
    expect(index.candidates({ ...proc, process: [{ name: 'x' }, { name: 'dpkg' }] }).length).toBe(1);
    expect(index.candidates({ ...proc, process: { name: [['dpkg']] } }).length).toBe(1);
    // A `process where` stage cannot match an event of another category, or of none: the
    // field filed for it is not even read.
    expect(index.candidates({ event: { category: ['file'] }, process: { name: 'dpkg' } })).toEqual([]);
    expect(index.candidates({ process: { name: 'dpkg' } })).toEqual([]);
    expect(
      index.candidates({ event: { category: ['file', 'PROCESS'] }, process: { name: 'dpkg' } }).length,
    ).toBe(1);
    const events = [
      ev(0, 'net-before', { category: 'network', destination: { ip: '8.8.8.8' } }),
      ev(1000, 'apt', { process: { name: 'apt' } }),
      ev(2000, 'net-after', { category: 'network', destination: { ip: '8.8.4.4' } }),
      ev(60_000, 'net-late', { category: 'network', destination: { ip: '1.1.1.1' } }),
      ev(61_000, 'apt2', { process: { name: 'apt' } }),
      ev(62_000, 'net-private', { category: 'network', destination: { ip: '10.1.1.1' } }),
    ];
    const { alerts } = await hunt([exec, seq], events, { now: () => T0 });
    expect(alerts.map((a) => a['kibana.alert.ancestors'].map((x) => x.id))).toEqual([['apt', 'net-after']]);
  });
});

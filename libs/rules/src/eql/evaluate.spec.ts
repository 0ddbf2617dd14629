import { compileEql, compileEqlCondition, withFieldCache } from './index';

const doc = {
  '@timestamp': '2024-05-01T10:00:00.000Z',
  event: { category: ['process', 'host'], type: 'start' },
  process: {
    name: 'Bash',
    pid: 42,
    args: ['bash', '-c', 'curl http://x | sh'],
    command_line: 'bash -c "curl http://x | sh"',
    exit_code: 0,
    executable: 'C:\\Windows\\System32\\cmd.exe',
    parent: { name: 'sshd', pid: '7' },
  },
  source: { ip: '10.1.2.3' },
  user: { name: null },
  'host.name': 'web-1',
  flag: true,
  dotted_i: '\u0130X',
  version: '1.11.3',
};

const match = (condition: string, d: unknown = doc): boolean => compileEqlCondition(condition)(d);

describe('EQL evaluation semantics', () => {
  it.each([
    // == is case-sensitive; : is case-insensitive with wildcards
    ['process.name == "Bash"', true],
    ['process.name == "bash"', false],
    ['process.name != "bash"', true],
    ['process.name : "bash"', true],
    ['process.name : "BA*"', true],
    ['process.name : "b?sh"', true],
    ['process.name : "b?h"', false],
    ['process.name : ("zsh", "ba*")', true],
    ['dotted_i : "i\u{307}x"', true],
    ['process.executable : "c:\\\\windows\\\\*\\\\cmd.exe"', true],
    // like / like~ / regex / regex~ (anchored)
    ['process.name like "B*"', true],
    ['process.name like "b*"', false],
    ['process.name like~ "b*"', true],
    ['process.name regex "B.s."', true],
    ['process.name regex "as"', false],
    ['process.name regex ".*as.*"', true],
    ['process.name regex "bash"', false],
    ['process.name regex~ "bash"', true],
    ['process.name regex ("x", "Ba[st]h")', true],
    // in / in~ / not in
    ['process.name in ("Bash", "zsh")', true],
    ['process.name in ("bash", "zsh")', false],
    ['process.name in~ ("BASH", "zsh")', true],
    ['process.name not in ("zsh")', true],
    ['process.name not in~ ("BASH")', false],
    ['process.pid in (1, 42)', true],
    ['process.parent.pid in (7)', true],
    ['process.parent.pid == 7', true],
    // multi-valued fields: any value matches; != / not in mean "no value"
    ['process.args == "-c"', true],
    ['process.args : "CURL*"', true],
    ['process.args in ("-c", "-x")', true],
    ['process.args != "-c"', false],
    ['process.args != "-z"', true],
    ['not process.args in ("-c")', false],
    ['process.args not in ("-z")', true],
    ['startsWith(process.args, "cu")', true],
    ['length(process.args) == 2', true],
    // category is an exact any-match on event.category
    ['event.category == "host"', true],
    // comparisons and arithmetic
    ['process.pid > 41 and process.pid <= 42', true],
    ['process.pid / 5 == 8', true],
    ['process.pid / 5.0 == 8.4', true],
    ['process.pid % 5 == 2', true],
    ['-process.pid + 50 == 8', true],
    ['process.pid * 2 - 4 == 80', true],
    ['process.name >= "B" and process.name < "C"', true],
    ['version > "1.5.0"', true],
    ['@timestamp > "2024-05-01T09:59:59Z" and @timestamp < "2024-05-01T10:00:01Z"', true],
    ['@timestamp == "2024-05-01T10:00:00Z"', true],
    ['@timestamp == "2024-05-01T10:00:00.000000000Z"', true],
    ['@timestamp < "2024-05-01T10:00:00.000000001Z"', true],
    ['@timestamp == "2024-05-01T12:00:00+02:00"', true],
    ['flag == true', true],
    ['flag', true],
    ['not flag', false],
    // null semantics
    ['process.missing == null', true],
    ['process.missing != null', false],
    ['user.name == null', true],
    ['process.missing > 1', false],
    ['not (process.missing > 1)', true], // must_not(range): Query DSL, see condition.spec.ts
    ['not (process.missing > 1) or true', true],
    ['null == (process.missing > 1)', true],
    ['null == (process.pid > 1)', false],
    ['process.missing == "x" or process.pid == 42', true],
    ['process.missing in ("x")', false],
    ['process.missing not in ("x")', true], // must_not(terms)
    ['process.missing : "*"', false],
    ['?process.missing == null', true],
    ['?process.missing == ?other.missing', true],
    ['?process.missing != "x"', true],
    ['process.exit_code >= 0', true],
    ['process.exit_code == 0', true],
    // literal dotted keys
    ['host.name == "web-1"', true],
    // functions
    ['add(process.pid, 1) == 43 and subtract(process.pid, 2) == 40', true],
    ['multiply(process.pid, 2) == 84 and divide(process.pid, 4) == 10 and modulo(process.pid, 5) == 2', true],
    ['divide(process.pid, 4.0) == 10.5', true],
    ['between(process.executable, "System32\\\\", ".exe") == "cmd"', true],
    ['between~(process.executable, "system32\\\\", ".EXE") == "cmd"', true],
    ['between(process.executable, "\\\\", "\\\\", true) == "Windows\\\\System32"', true],
    ['between(process.executable, "\\\\", "\\\\") == "Windows"', true],
    ['cidrMatch(source.ip, "10.0.0.0/8")', true],
    ['cidrMatch(source.ip, "192.168.0.0/16", "10.1.2.0/24")', true],
    ['cidrMatch(source.ip, "192.168.0.0/16")', false],
    ['concat(process.name, "-", process.pid, "-", flag) == "Bash-42-true"', true],
    ['concat(process.name, process.missing) == null', true],
    ['endsWith(process.name, "sh") and not endsWith(process.name, "SH")', true],
    ['endsWith~(process.name, "SH")', true],
    ['indexOf(process.name, "a") == 1 and indexOf(process.name, "z") == null', true],
    ['indexOf~(process.name, "A", 1) == 1 and indexOf(process.name, "a", 2) == null', true],
    ['indexOf(process.name, "", 10) == null and indexOf(process.name, "", 2) == 2', true],
    ['length(process.name) == 4', true],
    [
      'number("0x2A") == 42 and number("2a", 16) == 42 and number(" -7 ") == -7 and number("4.5") == 4.5',
      true,
    ],
    ['number(process.parent.pid) == 7', true],
    ['startsWith(process.name, "Ba") and not startsWith(process.name, "ba")', true],
    ['startsWith~(process.name, "ba")', true],
    ['string(process.pid) == "42" and string(flag) == "true"', true],
    [
      'stringContains(process.command_line, "curl") and not stringContains(process.command_line, "CURL")',
      true,
    ],
    ['stringContains~(process.command_line, "CURL")', true],
    [
      'substring(process.name, 1) == "ash" and substring(process.name, -2) == "sh" and substring(process.name, 1, -1) == "as"',
      true,
    ],
    ['substring(process.name, 3, 1) == ""', true],
    ['startsWith(process.missing, "x") == null', true],
  ])('%s → %s', (condition, expected) => {
    expect(match(condition)).toBe(expected);
  });

  it('tests the category exactly, any-match on arrays, with `any` matching everything', () => {
    const q = compileEql('process where true');
    expect(q.stages[0].condition(doc)).toBe(true);
    expect(q.stages[0].condition({ event: { category: 'Process' } })).toBe(false);
    expect(q.stages[0].condition({})).toBe(false);
    expect(compileEql('any where true').stages[0].condition({})).toBe(true);
    expect(compileEqlCondition('host where true')(doc)).toBe(true);
    expect(compileEqlCondition('network where true')(doc)).toBe(false);
  });

  it('uses eventCategoryField when given', () => {
    const q = compileEql('process where true', { eventCategoryField: 'event_type' });
    expect(q.stages[0].condition({ event_type: 'process' })).toBe(true);
    expect(q.stages[0].condition({ event: { category: 'process' } })).toBe(false);
  });

  it('fills the compiled contract for sequences (keys: shared first, raw values; maxspan in ms)', () => {
    const q = compileEql(
      'sequence by host.id with maxspan=2s [process where true] by process.pid ![file where true] by process.pid [network where true] by process.pid with runs=2 until [process where event.type == "end"] by process.pid | tail 3',
      { timestampField: 'ts', tiebreakerField: 'seq' },
    );
    expect(q.kind).toBe('sequence');
    if (q.kind !== 'sequence') return;
    expect(q.maxspanMs).toBe(2000);
    expect(q.timestampField).toBe('ts');
    expect(q.tiebreakerField).toBe('seq');
    expect(q.pipes).toEqual([{ kind: 'tail', count: 3 }]);
    expect(q.stages.map((s) => [s.category, s.runs, s.missing])).toEqual([
      ['process', 1, false],
      ['file', 1, true],
      ['network', 2, false],
    ]);
    expect(q.stages[1].source).toBe('![file where true] by process.pid');
    const ev = { host: { id: 'h1' }, process: { pid: 5 }, event: { category: 'process', type: 'end' } };
    expect(q.stages[0].keys.map((k) => k(ev))).toEqual(['h1', 5]);
    expect(q.stages[0].keys.map((k) => k({}))).toEqual([null, null]);
    expect(q.until?.condition(ev)).toBe(true);
    expect(q.stages[0].optionalKeys).toBeUndefined();
    const opt = compileEql('sequence by ?a, b [x where true] by ?c [y where true] by d');
    expect(opt.stages.map((s) => s.optionalKeys)).toEqual([
      [true, false, true],
      [true, false, false],
    ]);
    const plain = compileEql('process where true');
    expect(plain.timestampField).toBe('@timestamp');
    expect(plain.tiebreakerField).toBeUndefined();
    expect(plain.stages[0].keys).toEqual([]);
  });

  it('accepts `<category> where` or a bare condition in compileEqlCondition', () => {
    expect(compileEqlCondition('process.pid == 42')(doc)).toBe(true);
    expect(compileEqlCondition('any where process.pid == 42')(doc)).toBe(true);
    expect(compileEqlCondition('file where process.pid == 42')(doc)).toBe(false);
    expect(() => compileEqlCondition('sequence [a where true] [b where true]')).toThrow(
      /not a \[sequence\] query/,
    );
    expect(() => compileEqlCondition('a == 1 | head 1')).toThrow(/extraneous input '\|'/);
  });

  it('never reads through the prototype chain', () => {
    const hostile = JSON.parse('{"__proto__": {"x": "1"}, "a": {}}');
    expect(match('__proto__.x == "1"', hostile)).toBe(false);
    expect(match('a.constructor != null', hostile)).toBe(false);
    expect(match('`constructor`.name == "Object"', {})).toBe(false);
  });

  it('compares date_nanos strings to the nanosecond and epoch milliseconds to ISO dates', () => {
    const t = (ts: unknown, q: string): boolean => match(q, { '@timestamp': ts });
    expect(t('1974-03-03T02:22:54.294365140Z', '@timestamp == "1974-03-03T02:22:54.294365140Z"')).toBe(true);
    expect(t('1974-03-03T02:22:54.294209140Z', '@timestamp == "1974-03-03T02:22:54.294365140Z"')).toBe(false);
    expect(t('1974-03-03T02:22:54.294209141Z', '@timestamp > "1974-03-03T02:22:54.294209140Z"')).toBe(true);
    expect(t('1974-03-02T19:53:16.510000000Z', '@timestamp == "1974-03-02T19:53:16.510Z"')).toBe(true);
    expect(t(1516116808349, '@timestamp == 1516116808349')).toBe(true);
    expect(t(1516116808349, '@timestamp < "2018-01-16T15:33:28.350Z"')).toBe(true);
    expect(t(1516116808349, '@timestamp == "2018-01-16T15:33:28.349Z"')).toBe(true);
    expect(t('2018-01-16T15:33:28.349Z', '@timestamp > 1516116808348')).toBe(true);
  });
});

describe('case-insensitive tests inside an event scope (lower-cased values shared per event)', () => {
  it('answer exactly as outside a scope', () => {
    const queries = [
      'process.name : "BASH"',
      'process.name : ("zsh", "bA*")',
      'process.args : "*CURL*"',
      'process.name in~ ("BASH", "sh")',
      'process.args in~ ("-C")',
      'process.pid : "42"',
      'process.exit_code in~ ("0")',
      'dotted_i : "i̇x"',
      'process.name like~ "b?sh"',
      'process.name : "bash" and process.args : "-c" and process.command_line : "*CURL*"',
      'not process.parent.name : "SSHD"',
    ];
    const docs = [doc, { ...doc, process: { ...doc.process, name: 'ZSH', args: ['ZSH', '-C'] } }, {}];
    for (const q of queries) {
      const c = compileEqlCondition(q);
      const outside = docs.map((d) => c(d));
      const inside = docs.map((d) => withFieldCache(() => [c(d), c(d)]));
      expect({ q, inside }).toEqual({ q, inside: outside.map((r) => [r, r]) });
    }
    expect(compileEqlCondition('process.name : "BASH"')(doc)).toBe(true);
  });
});

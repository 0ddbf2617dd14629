import fc from 'fast-check';
import { compileKql } from './compile';
import { KqlQueryError } from './values';
import { KqlSyntaxError } from './parser';
import { analyzeStandard } from './analyzer';

const match = (query: string, doc: unknown, mapping?: Record<string, unknown>, now?: number) =>
  compileKql(query, { mapping, now })(doc);

describe('compileKql without a mapping (detection-rules / in-memory semantics)', () => {
  const doc = {
    number: 1,
    boolean: true,
    ip: '192.168.16.3',
    string: 'hello world',
    string_list: ['hello world', 'example'],
    number_list: [1, 2, 3],
    boolean_list: [true, false],
    structured: [{ a: [{ b: 1 }] }],
  };

  it.each([
    ['number:1', true],
    ['number:"1"', true],
    ['boolean:false', false],
    ['number_list:4', false],
    ['boolean_list:(false and true)', true],
    ['boolean:(false and true)', false],
    ['number_list:(not 1)', false],
    ['string:("missing" or "hello world")', true],
    ['number:1 and boolean:false', false],
    ['number < 2', true],
    ['number > 2', false],
    ['ip:192.168.0.0/16', true],
    ['ip:10.0.0.0/8', false],
    ["string:'*'", false],
    ['string:hello*', true],
    ['string:*world', true],
    ['string:Hello*', false],
    ['string:hello?world', false],
    ['string:*', true],
    ['boolean_list:*', true],
    ['a:*', false],
    ['structured.a.b:1', true],
    ['structured:{ a:{ b:1 } }', true],
    ['"hello world"', true],
    ['hello*', true],
    ['1', true],
    ['goodbye*', false],
    ['not a:1', true],
  ])('%s -> %s', (query, expected) => {
    expect(match(query, doc)).toBe(expected);
  });

  it('matches keywords exactly and case-sensitively, literal dotted keys included', () => {
    expect(match('process.name:bash', { 'process.name': 'bash' })).toBe(true);
    expect(match('process.name:bash', { process: { name: 'Bash' } })).toBe(false);
    expect(match('process.name:"ba*"', { process: { name: 'ba*' } })).toBe(true);
    expect(match('process.name:"ba*"', { process: { name: 'bash' } })).toBe(false);
    expect(match('user: "John Doe"', { user: { name: 'John Doe' } })).toBe(false);
  });

  it('evaluates nested scopes per element', () => {
    const deltas = {
      deltas: [
        { action: 'ADD', role: 'roles/target' },
        { action: 'REMOVE', role: 'roles/other' },
      ],
    };
    expect(match('deltas:{ action:ADD and role:"roles/target" }', deltas)).toBe(true);
    expect(match('deltas:{ action:ADD and role:"roles/other" }', deltas)).toBe(false);
    expect(match('deltas.action:ADD and deltas.role:"roles/other"', deltas)).toBe(true);
  });

  it('compares ranges as numbers, dates or strings as the values allow', () => {
    expect(match('n >= 1000 and n <= 5000', { n: 2339 })).toBe(true);
    expect(match('n < 90', { n: { x: 1 } })).toBe(false);
    expect(match('s < m', { s: 'apple' })).toBe(true);
    const now = Date.parse('2025-01-15T12:00:00Z');
    expect(match('t >= now-7d and t <= now', { t: '2025-01-10T00:00:00.000Z' }, undefined, now)).toBe(true);
    expect(match('t >= now/d', { t: '2025-01-15T00:00:00Z' }, undefined, now)).toBe(true);
    expect(match('t > now/d', { t: '2025-01-15T23:00:00Z' }, undefined, now)).toBe(false);
  });

  it('reads Workflows array positions only when the Elasticsearch path finds nothing', () => {
    const users = { users: [{ name: 'Alice' }, { name: 'Bob' }] };
    expect(match('users[0].name: "Alice"', users)).toBe(true);
    expect(match('users.1.name: "Alice"', users)).toBe(false);
    expect(match('users.name: "Bob"', users)).toBe(true);
  });

  it('never reads through the prototype chain', () => {
    expect(match('constructor:*', {})).toBe(false);
    expect(match('__proto__.polluted:*', JSON.parse('{"__proto__": {"polluted": 1}}'))).toBe(false);
    expect(match('*:*', {})).toBe(true);
  });

  it('searches every field for free text and field-name wildcards', () => {
    expect(match('bash', { process: { parent: { name: 'bash' } } })).toBe(true);
    expect(match('process.*:bash', { process: { parent: { name: 'bash' } } })).toBe(true);
    expect(match('host.*:bash', { process: { parent: { name: 'bash' } } })).toBe(false);
    expect(match('*', { a: 1 })).toBe(true);
  });
});

describe('compileKql with a mapping (Elasticsearch kql query semantics)', () => {
  const mapping = {
    date_field: 'date',
    text_field: 'text',
    keyword_field: 'keyword',
    integer_field: 'integer',
    double_field: 'double',
  };
  const doc1 = {
    text_field: 'foo bar',
    integer_field: 1,
    double_field: 3.5,
    date_field: '2010-03-06T14:15:00',
    keyword_field: 'foo bar',
  };
  const doc42 = {
    text_field: 'foo baz',
    integer_field: 2,
    double_field: 18.9,
    date_field: '2018-03-28T20:30:00',
    keyword_field: 'foo baz',
  };
  const hits = (q: string) =>
    [doc1, doc42].filter((d) => match(q, d, mapping)).map((d) => (d === doc1 ? 1 : 42));

  it.each([
    ['', [1, 42]],
    ['*', [1, 42]],
    ['bar', [1]],
    ['foo bar', [1, 42]],
    ['"foo bar"', [1]],
    ['doc-42', []],
    ['2', [42]],
    ['3.5', [1]],
    ['no match', []],
    ['text_field: foo AND integer_field > 1', [42]],
    ['NOT text_field: baz', [1]],
    ['text_field: (foo bar)', [1, 42]],
    ['text_field: "foo bar"', [1]],
    ['text_field: bar*', [1]],
    ['text_field:Ba*', [1, 42]],
    ['integer_field: "2"', [42]],
    ['double_field: 18.9', [42]],
    ['keyword_field:foo bar', [1]],
    ['keyword_field: foo ba*', [1, 42]],
    ['keyword_field: Foo*', []],
    ['date_field: 2010-03-06', [1]],
    ['date_field: now', []],
    ['date_field: now/1d', []],
    ['date_field < 2018-03-28', [1]],
    ['date_field <= 2018-03-28', [1, 42]],
    ['date_field > 2010-03-06', [42]],
    ['date_field >= 2010-03-06', [1, 42]],
    ['date_field < now', [1, 42]],
    ['keyword_field > foo bar', [42]],
    ['*_field:*', [1, 42]],
  ])('%j hits %j', (query, expected) => {
    expect(hits(query)).toEqual(expected);
  });

  it('rejects values the field type cannot hold, as Elasticsearch does', () => {
    expect(() => compileKql('integer_field: foo', { mapping })).toThrow(KqlQueryError);
    expect(() => compileKql('date_field: foo', { mapping })).toThrow(KqlQueryError);
    expect(() => compileKql('integer_field: 1*', { mapping })).toThrow(KqlQueryError);
    expect(() => compileKql('ip: 10.0.0.256', { mapping: { ip: 'ip' } })).toThrow(KqlQueryError);
    expect(() => compileKql('k:{ a:1 }', { mapping: { k: 'keyword' } })).toThrow(KqlQueryError);
    expect(() => compileKql('foo:', { mapping })).toThrow(KqlSyntaxError);
    // Free text is lenient: fields whose type cannot hold the value are skipped.
    expect(hits('foo')).toEqual([1, 42]);
  });

  it('matches ip fields by address and CIDR block, IPv4-mapped IPv6 included', () => {
    const m = { ip: 'ip' };
    expect(match('ip:10.0.0.0/8', { ip: '10.1.2.3' }, m)).toBe(true);
    expect(match('ip:"10.1.2.3"', { ip: '::ffff:10.1.2.3' }, m)).toBe(true);
    expect(match('ip >= 10.0.0.10', { ip: '10.0.0.9' }, m)).toBe(false);
    expect(match('ip:2001\\:db8\\:\\:/32', { ip: '2001:db9::1' }, m)).toBe(false);
    expect(() => match('ip:2001:db8::/32', {}, m)).toThrow(KqlSyntaxError);
    expect(match('ip:"2001:db8::/32"', { ip: '2001:db8::1' }, m)).toBe(true);
  });

  it('uses constant_keyword values from the mapping and nested paths for field types', () => {
    const m = {
      c: 'constant_keyword (value "foo buzz" for every document)',
      courses: 'nested',
      'courses.name': 'text',
      'courses.credits': 'integer',
    };
    expect(match('c:*buzz', {}, m)).toBe(true);
    expect(match('c:bu*', {}, m)).toBe(false);
    const doc = {
      courses: [
        { name: 'Object Oriented Programming', credits: 3 },
        { name: 'Theory of Computation', credits: 4 },
      ],
    };
    expect(match('courses: { name: object oriented programming AND credits > 3 }', doc, m)).toBe(false);
    expect(match('courses.name: object oriented programming AND courses.credits > 3', doc, m)).toBe(true);
    expect(match('courses: { NOT name: object AND credits < 4 }', doc, m)).toBe(false);
  });
});

describe('analyzeStandard', () => {
  it('emits lower-case tokens without separators, ideographs one by one, the same on repeat', () => {
    expect(analyzeStandard('Ünïcode 東京 foo@Example.COM v1.2.3 out-of-tree')).toEqual([
      'ünïcode',
      '東',
      '京',
      'foo',
      'example.com',
      'v1.2.3',
      'out',
      'of',
      'tree',
    ]);
    expect(analyzeStandard('Ünïcode 東京 foo@Example.COM v1.2.3 out-of-tree')).toEqual(
      analyzeStandard('Ünïcode 東京 foo@Example.COM v1.2.3 out-of-tree'),
    );
    expect(analyzeStandard('  \t ')).toEqual([]);
  });

  it('splits and lower-cases like the standard analyzer', () => {
    expect(analyzeStandard("The Quick-Brown fox_1 3.5 foo.bar don't 1,000 a/b")).toEqual([
      'the',
      'quick',
      'brown',
      'fox_1',
      '3.5',
      'foo.bar',
      "don't",
      '1,000',
      'a',
      'b',
    ]);
  });
});

describe('field-name patterns with a mapping', () => {
  it('rejects a value one of the named mapped fields cannot hold, and searches the rest', () => {
    expect(() =>
      compileKql('common.* : "hello"', { mapping: { 'common.a': 'keyword', 'common.b': 'ip' } }),
    ).toThrow(KqlQueryError);
    const ok = compileKql('common.* : "hello"', {
      mapping: { 'common.a': 'keyword', 'common.b': 'keyword' },
    });
    expect(ok({ common: { b: 'hello' } })).toBe(true);
    expect(compileKql('*:hello', { mapping: { n: 'long' } })({ s: 'hello' })).toBe(true);
  });
});

describe('mapping forms', () => {
  it('reads Elasticsearch mapping objects (properties, multi-fields) and .keyword sub-fields of text', () => {
    const mapping = {
      properties: {
        msg: { type: 'text', fields: { raw: { type: 'keyword' } } },
        host: { properties: { ip: { type: 'ip' } } },
      },
    };
    expect(compileKql('msg:FOX', { mapping })({ msg: 'the fox' })).toBe(true);
    expect(compileKql('host.ip:10.0.0.0/8', { mapping })({ host: { ip: '10.9.9.9' } })).toBe(true);
    const dynamic = { another_field: 'text (dynamically mapped: text + .keyword)' };
    expect(compileKql('another_field.keyword:foo', { mapping: dynamic })({ another_field: 'foo' })).toBe(
      true,
    );
    expect(compileKql('another_field.keyword:Foo', { mapping: dynamic })({ another_field: 'foo' })).toBe(
      false,
    );
  });
});

describe('ECS defaults (rules)', () => {
  const ecs = (q: string, doc: unknown) => compileKql(q, { ecs: true })(doc);
  it('reads message as full text, x.text as the text of x, and IP fields as addresses', () => {
    const syslog = { message: 'kernel: [ 12.3] myprog[42] started with executable stack' };
    expect(ecs('message:"started with executable stack"', syslog)).toBe(true);
    expect(
      ecs('message:(segfault and (agetty or myprog))', { message: 'myprog[42]: segfault at 0 ip' }),
    ).toBe(true);
    expect(compileKql('message:"started with executable stack"')(syslog)).toBe(false);
    expect(
      ecs('process.command_line.text:"curl http"', { process: { command_line: 'sh -c Curl http://x' } }),
    ).toBe(true);
    expect(ecs('destination.ip:"::1"', { destination: { ip: '0:0:0:0:0:0:0:1' } })).toBe(true);
    expect(ecs('destination.ip:("FE80::/10" or 10.0.0.0/8)', { destination: { ip: 'fe80::1' } })).toBe(true);
  });

  it('falls back to exact matching where an ECS type cannot hold the value, instead of failing the rule', () => {
    expect(ecs('source.ip:10.*', { source: { ip: '10.1.1.1' } })).toBe(true);
    expect(ecs('@timestamp:yesterday', { '@timestamp': 'yesterday' })).toBe(true);
    expect(() => compileKql('source.ip:10.*', { ecs: true, mapping: { 'source.ip': 'ip' } })).toThrow(
      KqlQueryError,
    );
  });
});

describe('analyzeStandard ASCII fast path', () => {
  it('tokenizes ASCII exactly as the general path does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'B', '1', '_', '.', "'", ':', ',', ';', ' ', '-', '/', 'Z', '9'), {
          maxLength: 24,
        }),
        (cs) => {
          const ascii = cs.join('');
          // The same text with a non-ASCII character appended takes the general path.
          const general = analyzeStandard(ascii + ' \u00e9');
          expect([...analyzeStandard(ascii), 'é']).toEqual(general);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('PowerShell script block text (rules)', () => {
  it('matches phrases inside script blocks, as the Windows integration mapping makes Kibana do', () => {
    const q =
      'event.category:process and powershell.file.script_block_text : ("[convert]::toint16" or ("ConvertTo-SecureString" and "PtrToStringAuto"))';
    const doc = (text: string) => ({
      event: { category: 'process' },
      powershell: { file: { script_block_text: text } },
    });
    const rule = compileKql(q, { ecs: true });
    expect(rule(doc('$x = [Convert]::ToInt16($s, 2)'))).toBe(true);
    expect(
      rule(doc('$p = $s | ConvertTo-SecureString; [Runtime.InteropServices.Marshal]::PtrToStringAuto($b)')),
    ).toBe(true);
    expect(rule(doc('Get-ChildItem'))).toBe(false);
  });
});

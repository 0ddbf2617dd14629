import type { ExprNode, SequenceQueryNode } from './ast';
import { EqlSyntaxError, EqlVerificationError } from './errors';
import { parseEql } from './index';

/** The condition of an event query. */
const cond = (text: string): ExprNode => {
  const q = parseEql(text);
  if (q.kind !== 'event') throw new Error('not an event query');
  return q.filter.condition;
};

function syntaxError(text: string): EqlSyntaxError {
  try {
    parseEql(text);
  } catch (e) {
    if (e instanceof EqlSyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

function verificationError(text: string): EqlVerificationError {
  try {
    parseEql(text);
  } catch (e) {
    if (e instanceof EqlVerificationError) return e;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

describe('EQL parser: event queries', () => {
  it('reads the category, `any`, and quoted categories', () => {
    const q = parseEql('process where true');
    expect(q.kind === 'event' && q.filter.category).toBe('process');
    const any = parseEql('any where true');
    expect(any.kind === 'event' && any.filter.category).toBeNull();
    const quoted = parseEql('"my-event.category" where true');
    expect(quoted.kind === 'event' && quoted.filter.category).toBe('my-event.category');
    const raw = parseEql('"""6 category""" where true');
    expect(raw.kind === 'event' && raw.filter.category).toBe('6 category');
  });

  it('gives and/or/not their precedence (not > and > or), n-ary chains', () => {
    const e = cond('process where not a == 1 and b == 2 or c == 3');
    expect(e.kind).toBe('or');
    if (e.kind !== 'or') return;
    expect(e.operands[0].kind).toBe('and');
    const and = e.operands[0];
    if (and.kind !== 'and') return;
    expect(and.operands[0].kind).toBe('not');
    const chain = cond('any where a == 1 or a == 2 or a == 3 or a == 4');
    expect(chain.kind === 'or' && chain.operands.length).toBe(4);
  });

  it('parses every comparison operator and arithmetic with precedence', () => {
    for (const op of ['==', '!=', '<', '<=', '>', '>=']) {
      const e = cond(`any where a ${op} 1`);
      expect(e.kind === 'compare' && e.op).toBe(op);
    }
    const e = cond('any where 1 + 2 * 3 - -x % 2 == 7');
    expect(e.kind).toBe('compare');
    if (e.kind !== 'compare') return;
    expect(e.left.kind === 'arith' && e.left.op).toBe('-');
  });

  it('parses : , like, regex with their ~ forms and list forms', () => {
    const seq = cond('any where a : "x*"');
    expect(seq).toMatchObject({ kind: 'pattern', op: 'seq', caseInsensitive: true });
    const list = cond('any where a : ("x*", "y")');
    expect(list.kind === 'pattern' && list.patterns.map((p) => p.value)).toEqual(['x*', 'y']);
    expect(cond('any where a like "x"')).toMatchObject({ op: 'like', caseInsensitive: false });
    expect(cond('any where a like~ "x"')).toMatchObject({ op: 'like', caseInsensitive: true });
    expect(cond('any where a regex "x.*"')).toMatchObject({ op: 'regex', caseInsensitive: false });
    expect(cond('any where a regex~ ("x", "y")')).toMatchObject({ op: 'regex', caseInsensitive: true });
  });

  it('parses in, in~, not in, not in~', () => {
    expect(cond('any where a in (1, 2)')).toMatchObject({
      kind: 'in',
      negated: false,
      caseInsensitive: false,
    });
    expect(cond('any where a in~ ("x")')).toMatchObject({
      kind: 'in',
      negated: false,
      caseInsensitive: true,
    });
    expect(cond('any where a not in ("x")')).toMatchObject({
      kind: 'in',
      negated: true,
      caseInsensitive: false,
    });
    expect(cond('any where a not in~ ("x")')).toMatchObject({
      kind: 'in',
      negated: true,
      caseInsensitive: true,
    });
  });

  it('reads fields: dotted, optional, backticks (with `` escapes), keyword segments after a dot', () => {
    expect(cond('any where process.parent.name == "x"')).toMatchObject({
      left: { kind: 'field', path: 'process.parent.name', optional: false },
    });
    expect(cond('any where ?process.name == "x"')).toMatchObject({
      left: { kind: 'field', path: 'process.name', optional: true },
    });
    expect(cond('any where `my-field`.`6 x` == "x"')).toMatchObject({ left: { path: 'my-field.6 x' } });
    expect(cond('any where `a``b` == "x"')).toMatchObject({ left: { path: 'a`b' } });
    expect(cond('any where event.sequence == 1')).toMatchObject({ left: { path: 'event.sequence' } });
    expect(cond('any where @timestamp > 0')).toMatchObject({ left: { path: '@timestamp' } });
  });

  it('reads every literal form', () => {
    const lit = (t: string): unknown => {
      const e = cond(`any where a == ${t}`);
      return e.kind === 'compare' && e.right.kind === 'literal' ? [e.right.value, e.right.type] : e;
    };
    expect(lit('"a\\n\\t\\"\\\\b"')).toEqual(['a\n\t"\\b', 'keyword']);
    expect(lit('"\\u{41}\\u{1F600}"')).toEqual(['A\u{1F600}', 'keyword']);
    expect(lit('"""C:\\raw "quoted" \\n"""')).toEqual(['C:\\raw "quoted" \\n', 'keyword']);
    expect(lit('42')).toEqual([42, 'integer']);
    expect(lit('-42')).toEqual([-42, 'integer']);
    expect(lit('4.5')).toEqual([4.5, 'double']);
    expect(lit('.5')).toEqual([0.5, 'double']);
    expect(lit('1e3')).toEqual([1000, 'double']);
    expect(lit('2.5E-1')).toEqual([0.25, 'double']);
    expect(lit('9999999999')).toEqual([9999999999, 'long']);
    expect(lit('true')).toEqual([true, 'boolean']);
    expect(lit('false')).toEqual([false, 'boolean']);
    expect(lit('null')).toEqual([null, 'null']);
  });

  it('parses function calls, with ~ forms, and resolves names case-insensitively', () => {
    expect(cond('any where startsWith~(a, "x")')).toMatchObject({
      kind: 'call',
      name: 'startsWith',
      caseInsensitive: true,
    });
    expect(cond('any where CONCAT(a, "") == "x"')).toMatchObject({ left: { kind: 'call', name: 'CONCAT' } });
    for (const f of [
      'add(a, 1) == 2',
      'between(a, "x", "y") == "z"',
      'between~(a, "x", "y", true) == "z"',
      'cidrMatch(a, "10.0.0.0/8")',
      'concat(a, 1, true) == "x"',
      'divide(a, 2) == 1',
      'endsWith(a, "x")',
      'endsWith~(a, "x")',
      'indexOf(a, "x") == 1',
      'indexOf~(a, "x", 2) == 1',
      'length(a) == 1',
      'modulo(a, 2) == 1',
      'multiply(a, 2) == 1',
      'number(a) == 1',
      'number(a, 16) == 1',
      'startsWith(a, "x")',
      'string(a) == "1"',
      'stringContains(a, "x")',
      'stringContains~(a, "x")',
      'substring(a, 1) == "x"',
      'substring(a, 1, 2) == "x"',
      'subtract(a, 1) == 0',
    ])
      expect(() => parseEql(`any where ${f}`)).not.toThrow();
  });

  it('skips comments', () => {
    expect(() => parseEql('process where /* a /* nested */ comment */ true // trailing\n')).not.toThrow();
  });

  it('reads pipes head and tail', () => {
    expect(parseEql('any where true | head 5 | tail 2').pipes.map((p) => [p.kind, p.count])).toEqual([
      ['head', 5],
      ['tail', 2],
    ]);
  });
});

describe('EQL parser: sequences and samples', () => {
  const seq = (t: string): SequenceQueryNode => {
    const q = parseEql(t);
    if (q.kind !== 'sequence') throw new Error('not a sequence');
    return q;
  };

  it('reads shared and per-stage keys, maxspan, runs, until, missing events', () => {
    const q = seq(`sequence by host.id with maxspan=5m
      [process where true] by process.pid with runs=3
      ![file where true] by process.pid
      [network where true] by process.pid
      until [process where event.type == "end"] by process.pid`);
    expect(q.keys.map((k) => k.kind === 'field' && k.path)).toEqual(['host.id']);
    expect(q.maxspan).toEqual({ ms: 300_000, text: '5m' });
    expect(q.stages.map((s) => [s.filter.category, s.runs, s.missing, s.keys.length])).toEqual([
      ['process', 3, false, 1],
      ['file', 1, true, 1],
      ['network', 1, false, 1],
    ]);
    expect(q.until?.filter.category).toBe('process');
  });

  it('converts every maxspan unit to milliseconds', () => {
    const ms = (u: string): number | undefined =>
      seq(`sequence with maxspan=${u} [a where true] [b where true]`).maxspan?.ms;
    expect([ms('500ms'), ms('10s'), ms('2m'), ms('1h'), ms('1d')]).toEqual([
      500, 10_000, 120_000, 3_600_000, 86_400_000,
    ]);
  });

  it('rejects maxspan without a unit, with an unknown unit, decimal or zero, and by after with', () => {
    expect(syntaxError('sequence with maxspan=5 [a where true] [b where true]').message).toMatch(
      /No time unit specified, did you mean \[s\] as in \[5s\]/,
    );
    expect(syntaxError('sequence with maxspan=5y [a where true] [b where true]').message).toMatch(
      /Unrecognized time unit \[y\]/,
    );
    expect(syntaxError('sequence with maxspan=1.5h [a where true] [b where true]').message).toMatch(
      /Decimal time interval/,
    );
    expect(syntaxError('sequence with maxspan=0s [a where true] [b where true]').message).toMatch(
      /positive maxspan/,
    );
    expect(syntaxError('sequence with maxspan=5s by x [a where true] [b where true]').message).toMatch(
      /\[by\] before \[with\]/,
    );
  });

  it('rejects sequences with fewer than 2 queries, bad runs, inconsistent keys, missing-only', () => {
    expect(verificationError('sequence [a where true]').message).toMatch(/minimum of 2 queries, found \[1\]/);
    expect(() => parseEql('sequence [a where true] with runs=2')).not.toThrow();
    expect(verificationError('sequence [a where true] with runs=0 [b where true]').message).toMatch(
      /positive runs value/,
    );
    expect(verificationError('sequence [a where true] with runs=101 [b where true]').message).toMatch(
      /positive runs value/,
    );
    expect(syntaxError('sequence [a where true] with foo=2 [b where true]').message).toMatch(
      /Unrecognized option \[foo\], expecting \[runs\]/,
    );
    expect(verificationError('sequence [a where true] by x [b where true]').message).toMatch(
      /Inconsistent number of join keys specified; expected \[1\] but found \[0\]/,
    );
    expect(verificationError('sequence ![a where true] ![b where true]').message).toMatch(
      /positive event query/,
    );
  });

  it('reads samples', () => {
    const q = parseEql('sample by host [any where a > 0] by os [any where b > 0] by os');
    expect(q.kind).toBe('sample');
    expect(q.kind === 'sample' && q.stages.length).toBe(2);
    expect(verificationError('sample by host [any where true]').message).toMatch(/minimum of 2 queries/);
    expect(syntaxError('sample ![a where true] [b where true]').message).toMatch(/mismatched input '!\['/);
  });
});

describe('EQL parser: errors carry line and column', () => {
  it.each([
    ['process where', 1, 14, /mismatched input '<EOF>' expecting/],
    ['process where a ==', 1, 19, /mismatched input '<EOF>'/],
    ['process\n  where a == 1 b', 2, 16, /extraneous input 'b' expecting \{<EOF>, '\|'\}/],
    ['process where a = 1', 1, 17, /mismatched input '=' .*not =/],
    [
      "process where a == 'x'",
      1,
      20,
      /Use double quotes \["\] to define string literals, not single quotes \[']/,
    ],
    ['process where a == ?"x"', 1, 20, /Use triple double quotes/],
    ['process where a == "x', 1, 20, /token recognition error/],
    ['process where a == "\\q"', 1, 20, /token recognition error/],
    ['process where a # 1', 1, 17, /token recognition error at: '#'/],
    ['process where a < b < c', 1, 21, /extraneous input '<'/],
    ['process where a == 1 | unique a', 1, 24, /Unsupported pipe \[unique\]/],
    ['process where a == 1 | count', 1, 24, /Pipe \[count\] is not supported/],
    ['process where a == 1 | frobnicate', 1, 24, /Unrecognized pipe \[frobnicate\]/],
    ['process where a == 1 | head -1', 1, 29, /expects a positive integer but found \[-1\]/],
    ['process where a == 1 | head', 1, 22, /expects exactly one argument but found \[0\]/],
    ['process where a[0] == 1', 1, 17, /Array indexes are not supported/],
    ['process where descendant of [process where true]', 1, 15, /Process relationships are not supported/],
    ['join [a where true] [b where true]', 1, 1, /join/],
    ['where true', 1, 1, /mismatched input 'where'/],
    ['process where "\\u{zz}" == a', 1, 16, /Unicode sequence/],
  ])('%s', (text, line, column, message) => {
    const e = syntaxError(text);
    expect(e.message).toMatch(message);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message.startsWith(`line ${line}:${column}: `)).toBe(true);
  });
});

describe('EQL verifier', () => {
  it.each([
    ['any where foo(a)', /Unknown function \[foo\]/],
    ['any where wildcard(a, "x*")', /Unknown function \[wildcard\]/],
    ['any where add~(a, 1) == 2', /does not support case-insensitive/],
    ['any where startsWith(a)', /expects exactly 2 arguments/],
    ['any where substring(a)', /expects 2 to 3 arguments/],
    ['any where concat()', /expects at least 1 argument/],
    [
      'any where startsWith(1, "a")',
      /first argument of \[startsWith\(1, "a"\)\] must be \[string\], found value \[1\] type \[integer\]/,
    ],
    ['any where add("a", 1) == 2', /first argument of \[add\("a", 1\)\] must be \[numeric\]/],
    ['any where length(5) == 1', /argument of \[length\(5\)\] must be \[string\]/],
    ['any where cidrMatch(ip, "not-a-cidr")', /valid CIDR/],
    ['any where cidrMatch(ip, other_field)', /must be a constant/],
    ['any where a == 1 + "x"', /must be \[numeric\]/],
    ['any where 1 == "1"', /must be \[numeric\], found value \["1"\] type \[keyword\]/],
    ['any where a : 5', /must be \[string\]/],
    ['any where a like 5', /must be \[string\]/],
    ['any where a regex "("', /Invalid regex pattern/],
    ['any where not "x"', /argument of \[not "x"\] must be \[boolean\]/],
    ['any where 1', /Condition expression needs to be boolean, found \[INTEGER\]/],
    ['sequence [a where true] by x * 2 [b where true] by y', /Join keys must be fields, found \[x \* 2\]/],
    ['sample by length(x) [a where true] [b where true]', /Join keys must be fields/],
    [
      'any where process.name == process.parent.name',
      /Comparisons against fields are not \(currently\) supported/,
    ],
    ['any where length(a) == length(b)', /Comparisons against fields/],
  ])('%s', (text, message) => {
    const e = verificationError(text);
    expect(e.message).toMatch(message);
    expect(e.line).toBe(1);
  });

  it('accepts what Elasticsearch accepts around those rules', () => {
    for (const q of [
      'any where ?x == ?y',
      'any where modulo(11, 10) == serial_event_id',
      'any where process.name',
      'any where null == (exit_code > -1)',
      'any where number("0x32", 16) == 50',
      'any where concat(a, 1, 2.5, true, null) == "x"',
      'any where indexOf(a, "x", null) == null',
      'any where between(a, "x", "y", true) : "z*"',
    ])
      expect(() => parseEql(q)).not.toThrow();
  });
});

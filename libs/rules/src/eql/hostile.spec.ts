/**
 * Hostile queries: huge text, deep nesting, catastrophic regular expressions and wildcards,
 * 10^5-item `in` lists. Each must give a clear error or finish: inputs are sized so that a
 * backtracking or quadratic implementation would run into the test timeout (no timing asserts).
 */
import fc from 'fast-check';
import { EqlError } from './errors';
import {
  EqlSyntaxError,
  EqlVerificationError,
  MAX_NESTING,
  MAX_QUERY_LENGTH,
  compileEql,
  compileEqlCondition,
  parseEql,
} from './index';

function error(text: string): Error {
  try {
    parseEql(text);
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}

describe('EQL hostile input', () => {
  it('rejects a query longer than 1 MiB with a clear error', () => {
    const text = 'process where a == "' + 'x'.repeat(MAX_QUERY_LENGTH) + '"';
    const e = error(text);
    expect(e).toBeInstanceOf(EqlSyntaxError);
    expect(e.message).toMatch(/too large/);
  });

  it('compiles a valid query just under 1 MiB (10^5 values in `in`) and matches fast', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => `"v${i}"`);
    const text = `process where process.name in (${values.join(',')})`;
    expect(text.length).toBeLessThan(MAX_QUERY_LENGTH);
    const cond = compileEql(text).stages[0].condition;
    const hit = { event: { category: 'process' }, process: { name: 'v99999' } };
    const miss = { event: { category: 'process' }, process: { name: 'nope' } };
    expect(cond(hit)).toBe(true);
    expect(cond(miss)).toBe(false);
    // 10^5 lookups in a 10^5-value list: a linear scan (10^10 comparisons) would time the test out.
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (cond(i % 2 ? hit : miss)) hits++;
    expect(hits).toBe(50_000);
  });

  it('also handles 10^5 numeric and case-insensitive values', () => {
    const nums = Array.from({ length: 100_000 }, (_, i) => String(i)).join(',');
    expect(compileEqlCondition(`pid in (${nums})`)({ pid: 99_999 })).toBe(true);
    expect(compileEqlCondition(`pid in (${nums})`)({ pid: '512' })).toBe(true);
    const strs = Array.from({ length: 100_000 }, (_, i) => `"V${i}"`).join(',');
    expect(compileEqlCondition(`name in~ (${strs})`)({ name: 'v77' })).toBe(true);
    expect(compileEqlCondition(`name : (${strs})`)({ name: 'v77' })).toBe(true);
  });

  it.each([
    ['parentheses', (n: number) => 'process where ' + '('.repeat(n) + 'true' + ')'.repeat(n)],
    ['not', (n: number) => 'process where ' + 'not '.repeat(n) + 'true'],
    ['unary minus', (n: number) => 'process where ' + '-'.repeat(n) + '1 == 1'],
    ['function calls', (n: number) => 'process where ' + 'length('.repeat(n) + 'a' + ')'.repeat(n) + ' == 1'],
    ['arithmetic chain', (n: number) => 'process where a' + ' + a'.repeat(n) + ' == 1'],
    ['in nesting', (n: number) => 'process where ' + 'a in ('.repeat(n) + '1' + ')'.repeat(n)],
  ])('rejects nesting deeper than the limit (%s) without overflowing the stack', (_name, build) => {
    expect(() => parseEql(build(MAX_NESTING - 10))).not.toThrow(/too deeply nested/);
    for (const n of [MAX_NESTING + 1, 100_000]) {
      const e = error(build(n));
      expect(e).toBeInstanceOf(EqlSyntaxError);
      expect(e.message).toMatch(/too deeply nested/);
    }
  });

  it('handles a 5·10^4-term `or` chain (n-ary, no deep tree)', () => {
    const text = 'process where ' + Array.from({ length: 50_000 }, (_, i) => `a == ${i}`).join(' or ');
    const cond = compileEql(text).stages[0].condition;
    expect(cond({ event: { category: 'process' }, a: 49_999 })).toBe(true);
    expect(cond({ event: { category: 'process' }, a: -1 })).toBe(false);
  });

  it('runs catastrophic regular expressions in linear time (RE2)', () => {
    const cond = compileEqlCondition('a regex "(a+)+$" or b regex~ "(x|x)*y" or c regex "(.*a){20}"');
    // A backtracking engine would not finish this before the test times out.
    expect(cond({ a: 'a'.repeat(100_000) + 'b', b: 'x'.repeat(100_000), c: 'a'.repeat(30) + 'b' })).toBe(
      false,
    );
    expect(cond({ a: 'aaaa' })).toBe(true);
  });

  it('rejects regular expressions RE2 cannot run (backreferences, too large) as verification errors', () => {
    expect(error('any where a regex "(a)\\\\1"')).toBeInstanceOf(EqlVerificationError);
    expect(error('any where a regex "((a{1000}){1000}){1000}"')).toBeInstanceOf(EqlVerificationError);
  });

  it('matches pathological wildcards in bounded time', () => {
    const pattern = '*a'.repeat(50) + '*b';
    const cond = compileEqlCondition(`a : "${pattern}" or a like "${pattern}"`);
    expect(cond({ a: 'a'.repeat(100_000) })).toBe(false);
    expect(cond({ a: 'a'.repeat(60) + 'b' })).toBe(true);
  });

  it('treats rule text as data: quotes, backslashes and code-like strings are literal', () => {
    const cond = compileEqlCondition('a == "\\"); process.exit(1); (\\"" and b : "${constructor}*"');
    expect(cond({ a: '"); process.exit(1); ("', b: '${constructor}x' })).toBe(true);
    expect(cond({ a: 'x', b: '${constructor}x' })).toBe(false);
  });

  it('never throws on odd event shapes', () => {
    const cond = compileEql(
      'process where a.b : "x*" and length(c) > 1 and d > 1 and cidrMatch(e, "10.0.0.0/8")',
    ).stages[0].condition;
    for (const ev of [
      null,
      undefined,
      42,
      'str',
      [],
      [1, 2],
      { a: [[[{ b: 'x' }]]] },
      { a: { b: { c: 1 } } },
      { c: {}, d: [], e: 'nope' },
      Object.create(null),
    ])
      expect(() => cond(ev)).not.toThrow();
  });
});

describe('EQL fuzzing', () => {
  // Token soup from the language's own vocabulary: whatever it is, the compiler either
  // compiles it or throws an EqlError (with a line and a column), never anything else.
  const vocabulary = [
    'process',
    'any',
    'where',
    'sequence',
    'sample',
    'by',
    'with',
    'maxspan',
    '=',
    'runs',
    'until',
    'and',
    'or',
    'not',
    'in',
    'in~',
    'like',
    'like~',
    'regex',
    'regex~',
    ':',
    '==',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    '+',
    '-',
    '*',
    '/',
    '%',
    '(',
    ')',
    '[',
    ']',
    '![',
    ',',
    '|',
    'head',
    'tail',
    '?',
    '.',
    'a',
    'b.c',
    '`x y`',
    '"s"',
    '"*x?"',
    '"""r"""',
    '1',
    '2.5',
    '5s',
    'true',
    'false',
    'null',
    'length',
    'startsWith~',
    'concat',
    'between',
    'cidrMatch',
    '"10.0.0.0/8"',
    '\n',
    '/*',
    '*/',
    '//',
    "'",
    '"',
    '\\',
    '~',
    '#',
  ];
  it('compiles or throws EqlError on arbitrary token sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 40 }), (tokens) => {
        const text = tokens.join(' ');
        try {
          const c = compileEql(text);
          for (const s of c.stages) s.condition({ a: 1, b: { c: 'x' }, event: { category: 'process' } });
        } catch (e) {
          if (!(e instanceof EqlError)) throw e;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('finds its way through near-valid queries', () => {
    const base =
      'sequence by a with maxspan=5s [process where a : "x*" and length(b.c) > 1] by b.c [any where not a in (1, 2)] by b.c | head 3';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: base.length }),
        fc.integer({ min: 0, max: 5 }),
        fc.string({ maxLength: 3 }),
        (at, del, ins) => {
          const text = base.slice(0, at) + ins + base.slice(at + del);
          try {
            compileEql(text);
          } catch (e) {
            if (!(e instanceof EqlError)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

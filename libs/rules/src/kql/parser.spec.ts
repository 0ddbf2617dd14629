import fc from 'fast-check';
import { KqlSyntaxError, parseKql } from './parser';
import { toNeutralAst } from './ast';

const ast = (q: string) => toNeutralAst(parseKql(q));
const is = (field: string | null, value: string, wildcard = false, quoted = false) => ({
  op: 'is',
  field,
  value,
  wildcard,
  quoted,
});

describe('parseKql: Kibana grammar', () => {
  it('reads empty and whitespace-only queries as match-all, and *:* too', () => {
    expect(ast('')).toEqual({ op: 'match_all' });
    expect(ast('  \n')).toEqual({ op: 'match_all' });
    expect(ast('*:*')).toEqual({ op: 'match_all' });
  });

  it('gives and precedence over or, flattens chains and keeps case-insensitive keywords', () => {
    expect(ast('a:1 OR b:2 And c:3 or d:4')).toEqual({
      op: 'or',
      args: [is('a', '1'), { op: 'and', args: [is('b', '2'), is('c', '3')] }, is('d', '4')],
    });
    expect(ast('NOT a:1')).toEqual({ op: 'not', arg: is('a', '1') });
  });

  it('keeps whitespace inside unquoted values and trims their ends', () => {
    expect(ast('process.name : foo bar ')).toEqual(is('process.name', 'foo bar'));
    expect(ast('foo bar')).toEqual(is(null, 'foo bar'));
  });

  it('expands value lists over their field', () => {
    expect(ast('f:(a or b and not c)')).toEqual({
      op: 'or',
      args: [is('f', 'a'), { op: 'and', args: [is('f', 'b'), { op: 'not', arg: is('f', 'c') }] }],
    });
  });

  it('reads wildcards, exists, ranges, nested and quoted values', () => {
    expect(ast('f:*a\\*b*')).toEqual(is('f', '*a\\*b*', true));
    expect(ast('f:*')).toEqual({ op: 'exists', field: 'f' });
    expect(ast('f:"*"')).toEqual(is('f', '*', false, true));
    expect(ast('bytes >= 10')).toEqual({ op: 'range', field: 'bytes', cmp: 'gte', value: '10' });
    expect(ast('a:{ b:{ c:1 } }')).toEqual({
      op: 'nested',
      path: 'a',
      query: { op: 'nested', path: 'b', query: is('c', '1') },
    });
    expect(ast('"a b": "x \\" y"')).toEqual(is('a b', 'x " y', false, true));
    expect(ast('machine*:osx')).toEqual(is('machine*', 'osx'));
  });

  it('unescapes special characters, keywords, whitespace and unicode escapes', () => {
    expect(ast('f:a\\:b\\(c\\)\\<\\>\\{\\}\\"\\\\')).toEqual(is('f', 'a:b(c)<>{}"\\'));
    expect(ast('f:foo \\and bar \\OR baz')).toEqual(is('f', 'foo and bar OR baz'));
    expect(ast('f:a\\tb\\u0041')).toEqual(is('f', 'a\tbA'));
    // Kibana tries \n before the escaped keyword, so "\not" is a newline then "ot".
    expect(ast('f:x \\not y')).toEqual(is('f', 'x \not y'));
  });

  it('reads an unquoted field named null as no field (Kibana builds a null literal)', () => {
    expect(ast(' null :b')).toEqual(is(null, 'b'));
    expect(ast('"null":b')).toEqual(is('null', 'b'));
  });

  it('reads true, false and null unquoted as keywords but keeps their text', () => {
    const node = parseKql('f:true');
    expect(node).toMatchObject({ type: 'is', value: { text: 'true', keyword: 'true' } });
  });

  it.each([
    ['response:', 'Expected "(", "{", value, whitespace but end of input found.\nresponse:\n---------^'],
    [
      'response:200 or ',
      'Expected "(", NOT, field name, value but end of input found.\nresponse:200 or \n----------------^',
    ],
    ['response:(200 or )', 'Expected "(", NOT, value but ")" found.\nresponse:(200 or )\n-----------------^'],
    [
      'response:200 and not ',
      'Expected "(", field name, value but end of input found.\nresponse:200 and not \n---------------------^',
    ],
    [
      'response:(200 and not )',
      'Expected "(", value but ")" found.\nresponse:(200 and not )\n----------------------^',
    ],
    ['foo:"ba ', 'Expected "(", "{", value, whitespace but """ found.\nfoo:"ba \n----^'],
    ['foo:"ba "r"', 'Expected AND, OR, end of input but "r" found.\nfoo:"ba "r"\n---------^'],
    ['foo:ba:r', 'Expected AND, OR, end of input but ":" found.\nfoo:ba:r\n------^'],
    ['foo > ', 'Expected literal, whitespace but end of input found.\nfoo > \n------^'],
    ['< 1000', 'Expected "(", NOT, end of input, field name, value, whitespace but "<" found.\n< 1000\n^'],
    // Found by differential fuzzing against the peggy-compiled grammar (result cache on).
    ['(c ', 'Expected ")", ":", "<", "<=", ">", ">=", AND, OR but end of input found.\n(c \n---^'],
    ['a:(b', 'Expected ")", AND, OR but end of input found.\na:(b\n----^'],
  ])("rejects %j with Kibana's message", (query, message) => {
    let error: unknown;
    try {
      parseKql(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KqlSyntaxError);
    expect((error as KqlSyntaxError).message).toBe(message);
    expect((error as KqlSyntaxError).offset).toBe(message.split('\n')[2].length - 1);
  });

  it('rejects what Kibana rejects where other KQL dialects differ', () => {
    expect(() => parseKql('field: *not this*')).toThrow(KqlSyntaxError);
    expect(() => parseKql('f: not v')).toThrow(KqlSyntaxError);
    expect(() => parseKql('NOT(a:b)')).toThrow(KqlSyntaxError);
  });

  it('stays fast and bounded on deep or long input', () => {
    const deep = '('.repeat(100) + 'foo' + ')'.repeat(100);
    expect(ast(deep)).toEqual(is(null, 'foo'));
    expect(() => parseKql('('.repeat(5000))).toThrow(KqlSyntaxError);
    const long = Array.from({ length: 2000 }, (_, i) => `f${i}:v${i}`).join(' or ');
    expect((ast(long) as { args: unknown[] }).args).toHaveLength(2000);
  });
});

describe('parseKql on arbitrary input', () => {
  const alphabet = [
    'a',
    'b',
    ' ',
    ':',
    '(',
    ')',
    '{',
    '}',
    '"',
    '\\',
    '*',
    '<',
    '>',
    '=',
    'and',
    'or',
    'not',
    'AND',
    '\n',
  ];

  it('either parses or throws KqlSyntaxError with an in-range offset', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }).map((xs) => xs.join('')),
        ),
        (q) => {
          try {
            parseKql(q);
          } catch (e) {
            expect(e).toBeInstanceOf(KqlSyntaxError);
            const err = e as KqlSyntaxError;
            expect(err.offset).toBeGreaterThanOrEqual(0);
            expect(err.offset).toBeLessThanOrEqual(q.length);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

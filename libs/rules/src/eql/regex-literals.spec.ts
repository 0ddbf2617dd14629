import fc from 'fast-check';
import { compileEqlRegex } from './regex';
import { regexLiterals, regexPrefilter } from './regex-literals';

describe('regexLiterals', () => {
  it('finds the required prefix and the longest required run of literal text', () => {
    expect(regexLiterals('/var/run/\\w+\\.(pid|lock|reboot)')).toMatchObject({
      prefix: '/var/run/',
      required: '/var/run/',
    });
    expect(regexLiterals('php?[0-9]?\\.?[0-9]{0,2}')).toEqual({ prefix: 'ph', required: 'ph', runs: ['ph'] });
    expect(regexLiterals('.*[0-9]{1,3}\\.[0-9]{1,3}:[0-9]{1,5}.*')).toEqual({
      prefix: '',
      required: '.',
      runs: ['.', ':'],
    });
    expect(regexLiterals('.*--config=/tmp/ab+c.*')).toEqual({
      prefix: '',
      required: '--config=/tmp/ab',
      runs: ['--config=/tmp/ab', 'c'],
    });
    expect(regexLiterals('^abc$')).toEqual({ prefix: 'abc', required: 'abc', runs: ['abc'] });
    expect(regexLiterals('a{2}bc')).toEqual({ prefix: 'a', required: 'bc', runs: ['a', 'bc'] });
  });

  it('gives nothing when unsure', () => {
    for (const p of [
      'a|b',
      'abc|',
      '(?i)abc',
      'a\\Qb\\E',
      'a\\x41b',
      '\\pLabc',
      'a{x}',
      '*a',
      'a**',
      '[[:alpha:]]x',
      'é',
      'ab)',
    ])
      expect(regexLiterals(p)).toEqual({ prefix: '', required: '', runs: [] });
    expect(regexLiterals('a(b|c)d')).toEqual({ prefix: 'a', required: 'a', runs: ['a', 'd'] });
    expect(regexLiterals('x?y*z{0,3}')).toEqual({ prefix: '', required: '', runs: [] });
  });
});

describe('regexPrefilter', () => {
  it('is false only where the regex cannot match (random patterns and texts, both cases)', () => {
    const atom = fc.oneof(
      fc.constantFrom('a', 'b', 'c', 'A', 'B', 's', 'k', ':', '/', '-', '1', ' ', '}', ']'),
      fc.constantFrom(
        '\\.',
        '\\d',
        '\\w',
        '\\s',
        '\\W',
        '\\-',
        '.',
        '[a-c]',
        '[^a]',
        '[]a]',
        '(ab|c)',
        '(a)',
        '^',
        '$',
      ),
    );
    const quant = fc.constantFrom('', '', '', '*', '+', '?', '{0,2}', '{1,3}', '{2}', '*?', '+?', '{1,}');
    const pattern = fc
      .array(fc.tuple(atom, quant), { minLength: 1, maxLength: 7 })
      .map((parts) => parts.map(([a, q]) => a + q).join(''));
    const text = fc
      .array(
        fc.constantFrom(
          'a',
          'b',
          'c',
          'A',
          'B',
          'S',
          'K',
          's',
          'k',
          ':',
          '/',
          '-',
          '1',
          ' ',
          '.',
          '}',
          ']',
          'ſ',
          'K',
        ),
        {
          maxLength: 12,
        },
      )
      .map((cs) => cs.join(''));
    let checked = 0;
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 8 }), fc.boolean(), (p, texts, ci) => {
        let re: (t: string) => boolean;
        try {
          re = compileEqlRegex(p, ci);
        } catch {
          return; // RE2 rejects it: no prefilter is ever built for it
        }
        const pre = regexPrefilter(p, ci);
        if (!pre) return;
        for (const t of texts) {
          if (re(t)) {
            checked++;
            expect({ p, ci, t, pre: pre(t) }).toEqual({ p, ci, t, pre: true });
          }
        }
      }),
      { numRuns: 20_000 },
    );
    expect(checked).toBeGreaterThan(100);
  });

  it('answers the corpus shapes without the regex', () => {
    const pid = regexPrefilter('/var/run/\\w+\\.(pid|lock|reboot)', true)!;
    expect(pid('/usr/bin/bash')).toBe(false);
    expect(pid('/VAR/RUN/x.pid')).toBe(true);
    // Non-ASCII text goes to RE2 (whose case folding reads ſ as s).
    expect(pid('/var/ſun/x')).toBe(true);
    const tunnel = regexPrefilter('.*[0-9]{1,3}\\.[0-9]{1,3}:[0-9]{1,5}.*', false)!;
    expect(tunnel('ls -la')).toBe(false);
    // Both runs, in order.
    expect(tunnel('python3.10 app.py')).toBe(false);
    expect(tunnel('ssh -L 1.2:3')).toBe(true);
    expect(regexPrefilter('.*', false)).toBeUndefined();
  });
});

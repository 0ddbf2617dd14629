import fc from 'fast-check';
import { MatchRunner, runMatchCase } from './match-case';
import { compileEqlCondition } from '../eql';

describe('MatchRunner', () => {
  const runner = new MatchRunner({ eql: (q) => compileEqlCondition(q) });

  it('answers KQL and EQL cases, with mapping (or schema), kuery and now', () => {
    expect(runner.run({ id: 'a', language: 'KQL', query: 'a:1', doc: { a: 1 } })).toEqual({
      id: 'a',
      match: true,
    });
    expect(
      runner.run({
        id: 'b',
        language: 'kuery',
        query: 'm:fox',
        doc: { m: 'The Fox' },
        schema: { m: 'text' },
      }),
    ).toEqual({
      id: 'b',
      match: true,
    });
    expect(
      runner.run({
        id: 'c',
        language: 'kql',
        query: 't >= now-1d',
        doc: { t: '2025-01-14T13:00:00Z' },
        now: '2025-01-15T12:00:00Z',
      }),
    ).toEqual({ id: 'c', match: true });
    expect(runner.run({ id: 'd', language: 'eql', query: 'any where a == 1', doc: { a: 1 } })).toEqual({
      id: 'd',
      match: true,
    });
  });

  it('reports rejected queries and malformed cases as errors, keeping the id', () => {
    expect(runner.run({ id: 1, language: 'kql', query: 'a:(b', doc: {} })).toMatchObject({
      id: 1,
      error: expect.stringContaining('Expected'),
    });
    expect(runner.run({ id: 2, language: 'eql', query: 'a ==', doc: {} })).toMatchObject({
      id: 2,
      error: expect.any(String),
    });
    expect(runner.run({ id: 3, language: 'kql', query: 5, doc: {} })).toEqual({
      id: 3,
      error: '"query" must be a string',
    });
    expect(runner.run({ id: 4, language: 'kql', query: 'a:1', doc: [] })).toEqual({
      id: 4,
      error: '"doc" must be a JSON object',
    });
    expect(runner.run({ id: 5, language: 'kql', query: 'a:1', doc: {}, now: 'soon' })).toMatchObject({
      id: 5,
      error: expect.any(String),
    });
    expect(runOnce({ id: 6, language: 'eql', query: 'a == 1', doc: {} })).toEqual({
      id: 6,
      error: 'EQL is not available in this build',
    });
    expect(runner.run(null)).toEqual({ id: null, error: 'a case must be a JSON object' });
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.string(),
        fc.constantFrom('kql', 'eql', 'x'),
        fc.jsonValue(),
        (anything, query, language, doc) => {
          const r1 = runner.run(anything);
          const r2 = runner.run({ id: 'x', language, query, doc });
          for (const r of [r1, r2]) expect('match' in r || 'error' in r).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

function runOnce(input: unknown) {
  return runMatchCase(input);
}

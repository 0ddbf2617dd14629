// Found by the rule-file fuzz (tools/fuzz/rules.fuzz.spec.ts): a rule whose field is a list nested
// 10^4 deep overflowed the stack while its validation error was being written.
import { loadRulesFromText } from '../loader/load';
import { describeValue } from './issues';

const deepList = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));

describe('describeValue with values too deep to print', () => {
  it('describes a 10^4-deep list and object by their top level', () => {
    expect(describeValue(deepList(10_000))).toBe('a list of 1');
    const deepObject = JSON.parse('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000));
    expect(describeValue(deepObject)).toBe('an object with keys a');
  });

  it('lets the loader report such a rule instead of throwing', () => {
    const line = JSON.stringify({ rule_id: 'deep', type: 'query', language: 'kuery', query: 'a:b' }).replace(
      '"a:b"',
      '['.repeat(10_000) + ']'.repeat(10_000),
    );
    const result = loadRulesFromText(line, 'deep.ndjson', 'ndjson');
    expect(result.rules).toEqual([]);
    expect(result.reports).toHaveLength(1);
    expect(result.reports[0].status).toBe('failed');
  });
});

/**
 * Missing fields under Elasticsearch's Query DSL translation (condition.ts): field-vs-constant
 * predicates are two-valued (a missing field does not match, so its negation does), script
 * predicates (functions, arithmetic, optional fields) keep three-valued logic.
 */
import { compileEql, compileEqlCondition } from './index';

/** An event with none of the fields the queries below test, except `present`. */
const empty = { event: { category: 'file' }, present: 'abc', n: 5 };
const match = (condition: string, doc: unknown = empty): boolean => compileEqlCondition(condition)(doc);

describe('EQL conditions over missing fields (Query DSL translation)', () => {
  it('reproduces the finding: `not x in (...)` matches an event without x, as Elasticsearch returns it', () => {
    const q = compileEql('file where not file.extension in ("swp")', {});
    expect(q.stages[0].condition({ event: { category: 'file' } })).toBe(true);
    expect(q.stages[0].condition({ event: { category: 'file' }, file: { extension: 'swp' } })).toBe(false);
    expect(q.stages[0].condition({ event: { category: 'file' }, file: { extension: 'conf' } })).toBe(true);
  });

  it.each([
    // == → term: no match; not → must_not: match
    ['missing == "a"', false],
    ['not missing == "a"', true],
    ['"a" == missing', false],
    ['not "a" == missing', true],
    // != → must_not(term): match; not != → must_not(must_not(term)): no match
    ['missing != "a"', true],
    ['not missing != "a"', false],
    ['missing != 1', true],
    // ranges
    ['missing < 5', false],
    ['not missing < 5', true],
    ['not missing >= 5', true],
    // in / not in → terms / must_not(terms)
    ['missing in ("a", "b")', false],
    ['missing not in ("a", "b")', true],
    ['not missing in ("a", "b")', true],
    ['not missing not in ("a", "b")', false],
    ['missing in~ ("A")', false],
    ['missing not in~ ("A")', true],
    // : → case-insensitive term / wildcard
    ['missing : "a"', false],
    ['not missing : "a"', true],
    ['missing : "a*"', false],
    ['not missing : "a*"', true],
    ['not missing : ("a", "b*")', true],
    // like / regex → wildcard / regexp
    ['missing like "a*"', false],
    ['not missing like "a*"', true],
    ['not missing like~ "A*"', true],
    ['missing regex "a.*"', false],
    ['not missing regex "a.*"', true],
    ['not missing regex~ "A.*"', true],
    // and / or / not combine two-valued
    ['not (missing == "a" or other == "b")', true],
    ['not (missing == "a" and present == "abc")', true],
    ['not missing == "a" and present == "abc"', true],
    ['not (not missing == "a")', false],
    ['missing == "a" or not other in ("x")', true],
    // translated functions: startsWith → prefix, endsWith / stringContains → wildcard, cidrMatch → terms
    ['startsWith(missing, "a")', false],
    ['not startsWith(missing, "a")', true],
    ['not startsWith~(missing, "A")', true],
    ['not endsWith(missing, "a")', true],
    ['not stringContains(missing, "a")', true],
    ['not stringContains~(missing, "A")', true],
    ['not cidrMatch(missing, "10.0.0.0/8")', true],
    // BooleanFunctionEqualsElimination: f == false → not f
    ['startsWith(missing, "a") == false', true],
    ['startsWith(missing, "a") != true', true],
    ['startsWith(missing, "a") == true', false],
    // scripts stay three-valued: not null is null → no match
    ['length(missing) > 2', false],
    ['not length(missing) > 2', false],
    ['not length(missing) == 2', false],
    ['not length(missing) != 2', false],
    ['not (missing * 2 == 2)', false],
    ['not (missing + 1.5 == 2)', false],
    ['not (missing + n == 2)', false],
    // ... except `x ± integer CMP integer`, which Elasticsearch rewrites to `x CMP integer` (a term/range)
    ['missing + 1 == 2', false],
    ['not (missing + 1 == 2)', true],
    ['not (1 - missing < 2)', true],
    ['not (-missing == 2)', true],
    ['not (missing + 1 + 2 > 2)', true],
    ['not substring(missing, 1) == "x"', false],
    ['not between(missing, "a", "b") : "x"', false],
    ['not concat(missing, "x") == "x"', false],
    ['not startsWith(concat(missing, "a"), "a")', false],
    // ... but a bool around a script leaf is a bool query: must_not(should[script(null), term]) matches
    ['not (length(missing) > 2 or missing == "a")', true],
    // presence tests are two-valued (exists)
    ['missing == null', true],
    ['missing != null', false],
    ['not missing == null', false],
    ['not missing != null', true],
    ['length(missing) == null', true],
    ['not length(missing) == null', false],
    // optional fields keep their behaviour (a missing ?x is the null literal)
    ['?missing == null', true],
    ['?missing != "a"', true],
    ['not ?missing == "a"', true],
    ['?missing == "a"', false],
  ])('on an event without the field: %s → %s', (condition, expected) => {
    expect(match(condition)).toBe(expected);
  });

  it.each([
    // the same queries where the field is present behave as before
    ['present == "abc"', true],
    ['not present == "abc"', false],
    ['present != "abc"', false],
    ['present not in ("abc")', false],
    ['not present : "AB*"', false],
    ['not present like "ab*"', false],
    ['not present regex "a.c"', false],
    ['not startsWith(present, "ab")', false],
    ['not length(present) > 2', false],
    ['not length(present) > 5', true],
    ['not n < 3', true],
    ['not n > 3', false],
    ['not (n + 1 == 6)', false],
    ['not (10 - n < 6)', false],
  ])('on an event with the field: %s → %s', (condition, expected) => {
    expect(match(condition)).toBe(expected);
  });

  it('multi-valued fields: != and not in hold when no value matches, and when the field is missing', () => {
    const doc = { args: ['a', 'b'] };
    expect(match('args != "a"', doc)).toBe(false);
    expect(match('args != "c"', doc)).toBe(true);
    expect(match('not args in ("b")', doc)).toBe(false);
    expect(match('args not in ("c")', doc)).toBe(true);
    expect(match('args not in ("c")', { args: [] })).toBe(true);
    expect(match('args not in ("c")', { args: null })).toBe(true);
  });

  it('keeps the category test outside the negation', () => {
    const q = compileEql('file where not file.extension in ("swp")');
    expect(q.stages[0].condition({ event: { category: 'process' } })).toBe(false);
    expect(q.stages[0].condition({})).toBe(false);
  });

  it('sequences and samples use the same translation per stage', () => {
    const q = compileEql(
      'sequence by host.id [process where not process.name in ("apt")] [file where not file.extension : "swp"]',
    );
    expect(q.stages[0].condition({ event: { category: 'process' } })).toBe(true);
    expect(q.stages[1].condition({ event: { category: 'file' } })).toBe(true);
  });
});

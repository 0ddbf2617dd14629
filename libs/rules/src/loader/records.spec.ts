import { parseRuleText } from './files';
import { classifyObject } from './records';
import { salvageIdentity } from './parse-toml';

describe('classifyObject', () => {
  it.each([
    [{ rule_id: 'r', type: 'query' }, 'rule'],
    [{ exported_count: 3, exported_rules_count: 2 }, 'export_summary'],
    [{ exported_exception_list_count: 1, exported_exception_list_item_count: 4 }, 'export_summary'],
    [{ item_id: 'i', list_id: 'l', entries: [] }, 'exception_item'],
    [{ list_id: 'l', type: 'detection', namespace_type: 'single' }, 'exception_list'],
    [{ list_id: 'endpoint_list', type: 'endpoint', namespace_type: 'agnostic' }, 'exception_list'],
    [{ id: 'c', type: 'action', attributes: {} }, 'ignored'],
    [{ name: 'no rule_id' }, 'rule'],
  ])('%j is a %s', (obj, kind) => {
    expect(classifyObject(obj).kind).toBe(kind);
  });
});

describe('parseRuleText', () => {
  it('guesses the format when the extension does not tell', () => {
    expect(parseRuleText('[metadata]\n[rule]\nname = "x"\n', 'f').records[0]).toMatchObject({
      kind: 'rule',
      pathPrefix: 'rule',
    });
    expect(parseRuleText('[{"rule_id": "a"}, {"rule_id": "b"}]', 'f').records.map((r) => r.source)).toEqual([
      'f#0',
      'f#1',
    ]);
    expect(parseRuleText('{"rule_id": "a"}\n{"rule_id": "b"}\n', 'f').records.map((r) => r.source)).toEqual([
      'f:1',
      'f:2',
    ]);
    expect(parseRuleText('{\n  "rule_id": "a"\n}\n', 'f').records.map((r) => r.source)).toEqual(['f']);
  });
});

describe('salvageIdentity', () => {
  it('reads rule_id, name and type from lines of a file that does not parse', () => {
    expect(
      salvageIdentity(`[rule]\nname = 'Broken "one"'\nrule_id = "abc"\ntype = "eql"\nquery = '''\n`),
    ).toEqual({
      name: 'Broken "one"',
      rule_id: 'abc',
      type: 'eql',
    });
  });
});

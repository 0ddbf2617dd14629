import { exceptionItemSchema, type ExceptionItem } from '../schema/exception-schema';
import { compileExceptionItem, compileExceptionItems } from './compile-exceptions';
import { parseValueList, type ValueList } from './value-lists';

function item(entries: unknown[], extra: Record<string, unknown> = {}): ExceptionItem {
  return exceptionItemSchema.parse({
    item_id: 'i1',
    list_id: 'l1',
    name: 'n',
    description: 'd',
    entries,
    ...extra,
  });
}

const doc = {
  host: { os: { type: 'linux', name: 'Ubuntu' }, name: 'web-01', ip: ['10.1.2.3', '192.168.0.5'] },
  process: {
    name: 'apt',
    executable: '/usr/bin/apt',
    pid: 42,
    args: ['apt', 'install', 'curl'],
    command_line: 'apt install curl',
  },
  user: { name: 'root' },
  file: {
    Ext: {
      code_signature: [
        { subject_name: 'Elastic', trusted: true },
        { subject_name: 'Acme', trusted: false },
      ],
    },
  },
};

describe('exception entries', () => {
  it.each([
    // [description, entry, matches doc]
    [
      'match included, equal',
      { type: 'match', field: 'process.name', operator: 'included', value: 'apt' },
      true,
    ],
    [
      'match included, other value',
      { type: 'match', field: 'process.name', operator: 'included', value: 'dpkg' },
      false,
    ],
    [
      'match is case-sensitive',
      { type: 'match', field: 'process.name', operator: 'included', value: 'APT' },
      false,
    ],
    [
      'match on a number field',
      { type: 'match', field: 'process.pid', operator: 'included', value: '42' },
      true,
    ],
    [
      'match on any array value',
      { type: 'match', field: 'process.args', operator: 'included', value: 'curl' },
      true,
    ],
    [
      'match excluded, equal',
      { type: 'match', field: 'process.name', operator: 'excluded', value: 'apt' },
      false,
    ],
    [
      'match excluded, other',
      { type: 'match', field: 'process.name', operator: 'excluded', value: 'dpkg' },
      true,
    ],
    [
      'match excluded, missing field',
      { type: 'match', field: 'nope', operator: 'excluded', value: 'x' },
      true,
    ],
    [
      'match_any included',
      { type: 'match_any', field: 'user.name', operator: 'included', value: ['bob', 'root'] },
      true,
    ],
    [
      'match_any included, none',
      { type: 'match_any', field: 'user.name', operator: 'included', value: ['bob'] },
      false,
    ],
    [
      'match_any excluded',
      { type: 'match_any', field: 'user.name', operator: 'excluded', value: ['bob', 'root'] },
      false,
    ],
    [
      'match_any excluded, none',
      { type: 'match_any', field: 'user.name', operator: 'excluded', value: ['bob'] },
      true,
    ],
    ['exists included', { type: 'exists', field: 'process.args', operator: 'included' }, true],
    [
      'exists included, missing',
      { type: 'exists', field: 'process.parent.name', operator: 'included' },
      false,
    ],
    ['exists excluded', { type: 'exists', field: 'process.args', operator: 'excluded' }, false],
    [
      'exists excluded, missing',
      { type: 'exists', field: 'process.parent.name', operator: 'excluded' },
      true,
    ],
    [
      'wildcard included',
      { type: 'wildcard', field: 'process.executable', operator: 'included', value: '/usr/*/apt' },
      true,
    ],
    [
      'wildcard ?',
      { type: 'wildcard', field: 'process.executable', operator: 'included', value: '/usr/bin/ap?' },
      true,
    ],
    [
      'wildcard no match',
      { type: 'wildcard', field: 'process.executable', operator: 'included', value: '/sbin/*' },
      false,
    ],
    [
      'wildcard case-sensitive',
      { type: 'wildcard', field: 'process.executable', operator: 'included', value: '/USR/*' },
      false,
    ],
    [
      'wildcard excluded',
      { type: 'wildcard', field: 'process.executable', operator: 'excluded', value: '/usr/*' },
      false,
    ],
    [
      'wildcard excluded, none',
      { type: 'wildcard', field: 'process.executable', operator: 'excluded', value: '/s*' },
      true,
    ],
    [
      'caseless multi-field reads the base field lower-cased',
      { type: 'wildcard', field: 'process.executable.caseless', operator: 'included', value: '/USR/BIN/*' },
      true,
    ],
    [
      'caseless match',
      { type: 'match', field: 'process.name.caseless', operator: 'included', value: 'APT' },
      true,
    ],
  ])('%s', (_name, entry, expected) => {
    expect(compileExceptionItem(item([entry]))(doc)).toBe(expected);
  });

  it('ANDs the entries of one item', () => {
    const both = item([
      { type: 'match', field: 'process.name', operator: 'included', value: 'apt' },
      { type: 'match', field: 'user.name', operator: 'included', value: 'root' },
    ]);
    const oneWrong = item([
      { type: 'match', field: 'process.name', operator: 'included', value: 'apt' },
      { type: 'match', field: 'user.name', operator: 'included', value: 'bob' },
    ]);
    expect(compileExceptionItem(both)(doc)).toBe(true);
    expect(compileExceptionItem(oneWrong)(doc)).toBe(false);
  });

  it('ORs the items of a rule, and excepts nothing without items', () => {
    const miss = item([{ type: 'match', field: 'user.name', operator: 'included', value: 'bob' }]);
    const hit = item([{ type: 'match', field: 'user.name', operator: 'included', value: 'root' }], {
      item_id: 'i2',
    });
    expect(compileExceptionItems([miss])(doc)).toBe(false);
    expect(compileExceptionItems([miss, hit])(doc)).toBe(true);
    expect(compileExceptionItems([])(doc)).toBe(false);
  });

  describe('nested', () => {
    const nested = (entries: unknown[]) =>
      item([{ type: 'nested', field: 'file.Ext.code_signature', entries }]);

    it('needs one array element to satisfy every child entry', () => {
      const sameElement = nested([
        { type: 'match', field: 'subject_name', operator: 'included', value: 'Elastic' },
        { type: 'match', field: 'trusted', operator: 'included', value: 'true' },
      ]);
      const acrossElements = nested([
        { type: 'match', field: 'subject_name', operator: 'included', value: 'Acme' },
        { type: 'match', field: 'trusted', operator: 'included', value: 'true' },
      ]);
      expect(compileExceptionItem(sameElement)(doc)).toBe(true);
      expect(compileExceptionItem(acrossElements)(doc)).toBe(false);
    });

    it('supports excluded, match_any and exists children', () => {
      const e = nested([
        { type: 'match_any', field: 'subject_name', operator: 'included', value: ['Acme', 'Other'] },
        { type: 'match', field: 'trusted', operator: 'excluded', value: 'true' },
        { type: 'exists', field: 'subject_name', operator: 'included' },
      ]);
      expect(compileExceptionItem(e)(doc)).toBe(true);
    });

    it('does not match when the parent is missing', () => {
      const e = item([
        {
          type: 'nested',
          field: 'dll.code_signature',
          entries: [{ type: 'exists', field: 'subject_name', operator: 'included' }],
        },
      ]);
      expect(compileExceptionItem(e)(doc)).toBe(false);
    });
  });

  describe('value lists', () => {
    const lists = new Map<string, ValueList>([
      ['users.txt', parseValueList('users.txt', 'alice\r\nroot\n\n')],
      ['ips.txt', parseValueList('ips.txt', '10.0.0.0/8\n2001:db8::1\n')],
      ['ranges.txt', parseValueList('ranges.txt', '192.168.0.1-192.168.0.10\n')],
      ['phrases.txt', parseValueList('phrases.txt', 'Install CURL\n')],
      ['bad-ips.txt', parseValueList('bad-ips.txt', 'not-an-ip\n')],
    ]);
    const listEntry = (id: string, type: string, field: string, operator = 'included') =>
      item([{ type: 'list', field, operator, list: { id, type } }]);

    it.each([
      ['keyword hit', listEntry('users.txt', 'keyword', 'user.name'), true],
      ['keyword miss', listEntry('users.txt', 'keyword', 'process.name'), false],
      ['keyword excluded', listEntry('users.txt', 'keyword', 'user.name', 'excluded'), false],
      ['keyword excluded miss', listEntry('users.txt', 'keyword', 'process.name', 'excluded'), true],
      ['ip in CIDR', listEntry('ips.txt', 'ip', 'host.ip'), true],
      ['ip_range dash range', listEntry('ranges.txt', 'ip_range', 'host.ip'), true],
      ['text: all tokens, any case', listEntry('phrases.txt', 'text', 'process.command_line'), true],
    ])('%s', (_name, it, expected) => {
      expect(compileExceptionItem(it, { valueLists: lists })(doc)).toBe(expected);
    });

    it('fails loudly when the list is not loaded or holds bad values', () => {
      expect(() =>
        compileExceptionItem(listEntry('missing.txt', 'keyword', 'user.name'), { valueLists: lists }),
      ).toThrow(/value list "missing.txt" is not loaded/);
      expect(() =>
        compileExceptionItem(listEntry('bad-ips.txt', 'ip', 'host.ip'), { valueLists: lists }),
      ).toThrow(/not an IP address/);
    });
  });

  it('adds os_types as "host.os.type or host.os.name.caseless is one of them"', () => {
    const entry = { type: 'match', field: 'process.name', operator: 'included', value: 'apt' };
    expect(compileExceptionItem(item([entry], { os_types: ['linux'] }))(doc)).toBe(true);
    expect(compileExceptionItem(item([entry], { os_types: ['windows'] }))(doc)).toBe(false);
    const viaCaseless = { host: { os: { name: 'Linux' } }, process: { name: 'apt' } };
    expect(compileExceptionItem(item([entry], { os_types: ['linux'] }))(viaCaseless)).toBe(true);
  });

  it('ignores expired items and comments', () => {
    const entry = { type: 'match', field: 'process.name', operator: 'included', value: 'apt' };
    const expired = item([entry], { expire_time: '2020-01-01T00:00:00Z', comments: [{ comment: 'old' }] });
    const live = item([entry], { expire_time: '2999-01-01T00:00:00Z', comments: [{ comment: 'fine' }] });
    expect(compileExceptionItems([expired], { now: Date.parse('2026-01-01') })(doc)).toBe(false);
    expect(compileExceptionItems([live], { now: Date.parse('2026-01-01') })(doc)).toBe(true);
  });
});

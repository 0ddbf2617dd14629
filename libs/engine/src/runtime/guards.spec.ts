import { hunt } from '../hunt';
import { loadedRule } from '../testing/loaded-rule';
import { seededRandom } from '../testing/seeded-random';
import { DetectionEngine } from './detection-engine';
import { GuardTable, guardOf } from './guards';

let n = 0;
function eqlRule(query: string) {
  n++;
  return loadedRule(query, { rule_id: `g-${n}`, name: `g${n}` });
}

// The guards of the condition fields (the category guard has its own test below).
const fields = (query: string) =>
  Object.fromEntries(
    guardOf(eqlRule(query))
      .filter((a) => a.field !== 'event.category')
      .map((a) => [a.field, [a.caseInsensitive, [...a.values].sort()]]),
  );

describe('guardOf', () => {
  it('takes the positive literal tests of the classifying fields', () => {
    expect(
      fields(
        'process where host.os.type == "linux" and event.type == "start" and event.action in ("exec", "executed") and process.name == "sh"',
      ),
    ).toEqual({
      'host.os.type': [false, ['linux']],
      'event.type': [false, ['start']],
      'event.action': [false, ['exec', 'executed']],
    });
    expect(fields('process where event.action : "EXEC" and event.type like~ "Start"')).toEqual({
      'event.action': [true, ['exec']],
      'event.type': [true, ['start']],
    });
  });

  it('never guards on negations, wildcards, regexes, optional fields or coercible literals', () => {
    expect(fields('process where not event.type == "end"')).toEqual({});
    expect(fields('process where event.type != "end"')).toEqual({});
    expect(fields('process where event.action not in ("exec")')).toEqual({});
    expect(fields('process where event.action : "exec*"')).toEqual({});
    expect(fields('process where event.action like "ex?c"')).toEqual({});
    expect(fields('process where event.action regex "exec"')).toEqual({});
    expect(fields('process where ?event.action == "exec"')).toEqual({});
    expect(fields('process where event.outcome == "1"')).toEqual({});
    expect(fields('process where event.outcome == "true"')).toEqual({});
    expect(fields('process where event.dataset == "2024-01-01"')).toEqual({});
    expect(fields('process where event.type == "start" or process.name == "sh"')).toEqual({});
  });

  it('an or guards a field every branch names, with the union of the values', () => {
    expect(
      fields(
        'process where (event.type == "start" and event.action == "exec") or event.type in ("change", "start")',
      ),
    ).toEqual({ 'event.type': [false, ['change', 'start']] });
    // Mixed case sensitivity: compared lower-cased, which a case-sensitive match implies.
    expect(fields('process where event.type == "Start" or event.type : "change"')).toEqual({
      'event.type': [true, ['change', 'start']],
    });
  });

  it('a sequence guards a field only when every stage (and until) names it', () => {
    expect(
      fields(
        'sequence by host.id [process where event.type == "start" and host.os.type == "linux"] [network where host.os.type == "linux"]',
      ),
    ).toEqual({ 'host.os.type': [false, ['linux']] });
    expect(
      fields(
        'sequence by host.id [process where host.os.type == "linux"] [network where host.os.type == "linux"] until [process where event.type == "end"]',
      ),
    ).toEqual({});
    expect(
      fields(
        'sequence by host.id [process where event.action == "exec"] ![process where event.action == "fork"] [process where event.action == "exec"]',
      ),
    ).toEqual({ 'event.action': [false, ['exec', 'fork']] });
  });
});

describe('the category guard', () => {
  const category = (query: string, extra: Record<string, unknown> = {}) =>
    guardOf(loadedRule(query, { extra })).find((a) => a.field === 'event.category');

  it('names the categories every stage reads from event.category, compared lower-cased', () => {
    expect(category('process where process.name == "sh"')).toEqual({
      field: 'event.category',
      caseInsensitive: true,
      values: ['process'],
    });
    expect(
      category('sequence by host.id [process where true] ![file where true] [network where true]')?.values,
    ).toEqual(['file', 'network', 'process']);
    expect(category('any where process.name == "sh"')).toBeUndefined();
    expect(category('sequence by host.id [process where true] [any where true]')).toBeUndefined();
    // Kibana's event_category_override: the category is another field's value.
    expect(
      category('process where process.name == "sh"', { event_category_override: 'event.dataset' }),
    ).toBeUndefined();
  });

  it("keeps the rules of other categories out of an event's mask", () => {
    const table = new GuardTable([
      guardOf(eqlRule('process where process.name == "sh"')),
      guardOf(eqlRule('file where file.name == "x"')),
      guardOf(eqlRule('any where true')),
    ]);
    expect([...table.maskFor({ event: { category: ['process'] } })]).toEqual([1, 0, 1]);
    expect([...table.maskFor({ event: { category: ['file', 'process'] } })]).toEqual([1, 1, 1]);
    expect([...table.maskFor({ event: { category: 'FILE' } })]).toEqual([0, 1, 1]);
    expect([...table.maskFor({})]).toEqual([0, 0, 1]);
  });
});

describe('GuardTable', () => {
  it('computes which rules pass per combination of the fields, and caches it', () => {
    const a = guardOf(eqlRule('any where event.type == "start" and host.os.type == "linux"'));
    const b = guardOf(eqlRule('any where event.action : "EXEC"'));
    const table = new GuardTable([a, undefined, b]);
    expect(table.active).toBe(true);
    const mask = (event: unknown) => [...table.maskFor(event)];
    expect(mask({ event: { type: ['start'], action: 'Exec' }, host: { os: { type: 'linux' } } })).toEqual([
      1, 1, 1,
    ]);
    expect(mask({ event: { type: ['end'], action: 'exec' }, host: { os: { type: 'linux' } } })).toEqual([
      0, 1, 1,
    ]);
    expect(mask({ event: { type: ['info', 'start'] }, host: { os: { type: 'linux' } } })).toEqual([1, 1, 0]);
    expect(mask({ 'event.type': 'start', 'host.os.type': 'linux', 'event.action': 'fork' })).toEqual([
      1, 1, 0,
    ]);
    expect(mask({ event: { type: 7 }, host: { os: { type: 'linux' } } })).toEqual([0, 1, 0]);
    const e = { event: { type: 'start' }, host: { os: { type: 'linux' } } };
    expect(table.maskFor(e)).toBe(table.maskFor({ ...e }));
    expect(new GuardTable([undefined, []]).active).toBe(false);
  });

  it('keeps combinations apart whatever the values hold (no key collisions)', () => {
    const both = guardOf(eqlRule('any where event.type == "start" and event.action == "exec"'));
    const typeOnly = guardOf(eqlRule('any where event.type == "start"'));
    const table = new GuardTable([both, typeOnly]);
    const mask = (type: unknown, action: unknown) => [...table.maskFor({ event: { type, action } })];
    expect(mask('start', 'exec')).toEqual([1, 1]);
    // Joined naively with NULs, these two combinations would spell the same key.
    expect(mask('start\u0000sexec', 'y')).toEqual([0, 0]);
    expect(mask('start', 'exec\u0000sy')).toEqual([0, 1]);
    expect(mask(['start\u0001x'], 'exec')).toEqual([0, 0]);
    expect(mask(['start', 'x'], 'exec')).toEqual([1, 1]);
    // Huge values are answered, not cached.
    const huge = 'start'.repeat(10_000);
    expect(mask(huge, 'exec')).toEqual([0, 0]);
    expect(mask(['start', huge], 'exec')).toEqual([1, 1]);
    expect((table as unknown as { cached: number }).cached).toBe(5);
  });

  it('reads a field only while some rule whose earlier fields held has an atom on it', () => {
    const table = new GuardTable([
      guardOf(eqlRule('authentication where event.outcome == "success"')),
      guardOf(eqlRule('process where event.type == "start"')),
    ]);
    let outcomeReads = 0;
    const event = (category: string) => ({
      event: new Proxy(
        { category: [category], type: ['start'], outcome: 'success' },
        {
          get(target, key, receiver) {
            if (key === 'outcome') outcomeReads++;
            return Reflect.get(target, key, receiver);
          },
        },
      ),
    });
    // (the first event of a combination computes its mask from every field)
    expect([...table.maskFor(event('process'))]).toEqual([0, 1]);
    outcomeReads = 0;
    for (let i = 0; i < 3; i++) expect([...table.maskFor(event('process'))]).toEqual([0, 1]);
    expect(outcomeReads).toBe(0);
    expect([...table.maskFor(event('authentication'))]).toEqual([1, 0]);
    outcomeReads = 0;
    expect([...table.maskFor(event('authentication'))]).toEqual([1, 0]);
    expect(outcomeReads).toBe(1);
  });

  it('gives every event the mask its atoms give, over random guards and events', () => {
    const random = seededRandom(20261130);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const categories = ['process', 'file', 'network'];
    const types = ['start', 'end', 'change'];
    const actions = ['exec', 'fork', 'creation'];
    const outcomes = ['success', 'failure'];
    for (let round = 0; round < 30; round++) {
      const queries = Array.from({ length: 6 }, () => {
        const parts = [
          `event.type == "${pick(types)}"`,
          `event.action in ("${pick(actions)}", "${pick(actions)}")`,
        ];
        if (random() < 0.5) parts.push(`event.outcome == "${pick(outcomes)}"`);
        return `${pick(categories)} where ${parts.filter(() => random() < 0.7).join(' and ') || 'true'}`;
      });
      const guards = queries.map((q) => guardOf(eqlRule(q)));
      const table = new GuardTable(guards);
      for (let i = 0; i < 60; i++) {
        const e: Record<string, unknown> = { category: [pick(categories)], type: [pick(types)] };
        if (random() < 0.8) e.action = pick(actions);
        if (random() < 0.5) e.outcome = pick(outcomes);
        const expected = guards.map((g) =>
          g.every((a) => {
            const v = a.field === 'event.category' ? e.category : e[a.field.slice('event.'.length)];
            const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
            return values.some((x) => a.values.includes(a.caseInsensitive ? String(x).toLowerCase() : x));
          })
            ? 1
            : 0,
        );
        expect([...table.maskFor({ event: e })]).toEqual(expected);
      }
    }
  });
});

describe('DetectionEngine with guards', () => {
  const rules = () => [
    eqlRule('process where host.os.type == "linux" and event.type == "start" and process.name == "nc"'),
    eqlRule(
      'sequence by host.id with maxspan=5s [process where event.type == "start" and process.name == "sh"] [network where event.action == "connection_attempted"]',
    ),
  ];
  const T0 = Date.parse('2026-04-01T08:00:00.000Z');
  const at = (ms: number) => new Date(T0 + ms).toISOString();
  const events = [
    {
      '@timestamp': at(0),
      event: { id: 'a', category: ['process'], type: ['start'] },
      host: { id: 'h', os: { type: 'linux' } },
      process: { name: 'sh' },
    },
    {
      '@timestamp': at(1),
      event: { id: 'b', category: ['process'], type: ['end'] },
      host: { id: 'h', os: { type: 'linux' } },
      process: { name: 'nc' },
    },
    {
      '@timestamp': at(2),
      event: { id: 'c', category: ['process'], type: ['start'] },
      host: { id: 'h', os: { type: 'linux' } },
      process: { name: 'nc' },
    },
    {
      '@timestamp': at(3),
      event: { id: 'd', category: ['network'], action: 'connection_attempted' },
      host: { id: 'h' },
      process: { name: 'nc' },
    },
    {
      '@timestamp': at(4),
      event: { id: 'e', category: ['process'], type: ['start'] },
      host: { id: 'h', os: { type: 'windows' } },
      process: { name: 'nc' },
    },
  ];

  it('drops only candidates that could not use the event, and alerts exactly as without guards', async () => {
    const guarded = new DetectionEngine(rules());
    const names = (e: unknown) => guarded.candidates(e, 'logs-x').map((rt) => rt.meta.name);
    const [nc, seq] = guarded.runtimes.map((rt) => rt.meta.name);
    expect(names(events[0])).toEqual([seq]);
    // A process end event: the nc rule wants a start (the sequence is filed under `sh`).
    expect(names(events[1])).toEqual([]);
    expect(names(events[2])).toEqual([nc]);
    // Not Linux.
    expect(names(events[4])).toEqual([]);
    const ids = async (guards: boolean) =>
      (await hunt(rules(), events, { guards, now: () => T0 })).alerts.map((a) =>
        a['kibana.alert.ancestors'].map((x) => x.id).join('+'),
      );
    const withGuards = await ids(true);
    expect(withGuards).toEqual(['c', 'a+d']);
    expect(withGuards).toEqual(await ids(false));
  });
});

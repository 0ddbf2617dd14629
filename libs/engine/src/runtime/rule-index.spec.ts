import { loadedRule } from '../testing/loaded-rule';
import { DetectionEngine } from './detection-engine';
import { MAX_INDEX_VIEWS, RuleIndex } from './rule-index';

function eqlRule(i: number, query: string) {
  return loadedRule(query, { rule_id: `v-${i}`, name: `v${i}` });
}

// Rules filed by different fields (values, prefixes, case-insensitive), by category only, and
// one on every event.
const QUERIES = [
  'process where process.name == "nc"',
  'process where process.name in ("nc", "ncat", "socat")',
  'process where process.parent.name : "sshd"',
  'process where process.executable like "/tmp/*"',
  'file where file.extension in ("so", "ko")',
  'file where file.path like~ "/ETC/cron*"',
  'network where destination.port == 4444',
  'process where event.type == "start"',
  'file where true',
  'any where host.os.type == "linux"',
  'process where process.args == "-e"',
  'process where process.parent.name like~ ("*.CGI", "php-fpm*")',
];

const EVENTS = [
  { event: { category: ['process'], type: ['start'] }, process: { name: 'nc', args: ['nc', '-e'] } },
  { event: { category: ['process'] }, process: { name: 'socat', parent: { name: 'SSHD' } } },
  { event: { category: 'process' }, process: { executable: '/tmp/x', name: 'x' } },
  { event: { category: ['file'] }, file: { extension: 'so', path: '/etc/crontab' } },
  { event: { category: ['network'] }, destination: { port: 4444 }, host: { os: { type: 'linux' } } },
  { event: { category: ['file', 'process'] }, file: { path: '/etc/cron.d/x' }, process: { name: 'nc' } },
  { 'process.name': 'ncat', event: { category: ['process'] } },
  { event: { category: ['process'] }, process: { parent: { name: ['x', 'Upload.cgi'] } } },
  { event: { category: ['process'] }, process: { parent: { name: 'cgi' } } },
  {},
];

/** The mask whose bit i is bit i of `bits` (distinct `bits` below 2^n, distinct masks). */
function maskOf(bits: number, n: number): Uint8Array {
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = (bits >>> i) & 1;
  return m;
}

describe('RuleIndex views', () => {
  const engine = new DetectionEngine(QUERIES.map((q, i) => eqlRule(i, q)));
  const rules = engine.runtimes;
  const names = (list: readonly { meta: { name: string } }[]) => list.map((rt) => rt.meta.name);

  it('a view finds exactly the candidates of the whole index that its mask lets through', () => {
    const index = new RuleIndex(rules);
    for (let seed = 0; seed < 64; seed++) {
      const mask = maskOf((seed * 997) % 4096, rules.length);
      const view = index.viewFor(mask);
      expect(view).toBeDefined();
      for (const e of EVENTS) {
        const whole = names(index.candidates(e).filter((rt) => mask[rt.ordinal] === 1));
        expect(names(index.candidates(e, view))).toEqual(whole);
      }
    }
  });

  it("reads for an event only the fields filed for its categories' stages, the same on every pass", () => {
    const index = new RuleIndex(rules);
    const byCategory = (e: unknown) => names(index.candidates(e));
    const first = EVENTS.map(byCategory);
    // The per-category field lists are cached: a second pass (and a view letting all through)
    // answers alike.
    expect(EVENTS.map(byCategory)).toEqual(first);
    const view = index.viewFor(maskOf(2 ** rules.length - 1, rules.length));
    expect(EVENTS.map((e) => names(index.candidates(e, view)))).toEqual(first);
    // A file event with a process name finds no process rule by it; a process event does.
    const nc = (category: unknown) =>
      names(index.candidates({ event: { category }, process: { name: 'nc' } }));
    expect(nc(['file'])).not.toContain('v0');
    expect(nc(['file', 'process'])).toContain('v0');
    expect(nc('PROCESS')).toContain('v0');
    expect(nc(undefined)).not.toContain('v0');
  });

  it('finds a rule filed by a value suffix on any value ending in it, in any case', () => {
    const index = new RuleIndex(rules);
    const suffixRule = rules[rules.length - 1].meta.name;
    expect(names(index.candidates(EVENTS[EVENTS.length - 3]))).toContain(suffixRule);
    expect(names(index.candidates(EVENTS[EVENTS.length - 2]))).not.toContain(suffixRule);
    const php = { event: { category: 'process' }, process: { parent: { name: 'php-fpm7.4' } } };
    expect(names(index.candidates(php))).toContain(suffixRule);
  });

  it("indexes over the same rules never mistake one another's marks", () => {
    // Two indexes over the same rules taking turns (their collectors once de-duplicated with
    // a mark on the rule, and skipped rules the other had marked).
    const a = new RuleIndex(rules);
    const b = new RuleIndex(rules);
    const expected = EVENTS.map((e) => names(new RuleIndex(rules).candidates(e)));
    for (let round = 0; round < 50; round++)
      EVENTS.forEach((e, i) => {
        const index = (round + i) % 3 === 0 ? b : a;
        expect(names(index.candidates(e))).toEqual(expected[i]);
      });
  });

  it('gives each event exactly the rules filed under its values, however many combinations', () => {
    // 24 rules filed under one argument each, events with random sets of arguments (in random
    // order, some repeated): more combinations than the union cache keeps, so it is dropped
    // and rebuilt along the way.
    const values = Array.from({ length: 24 }, (_, i) => `a${i}`);
    const byValue = new DetectionEngine(
      values.map((v, i) => eqlRule(100 + i, `process where process.args == "${v}"`)),
    );
    const index = new RuleIndex(byValue.runtimes);
    let seed = 11;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    let checked = 0;
    for (let i = 0; i < 30_000; i++) {
      const args = Array.from({ length: 1 + rand(6) }, () => values[rand(values.length)]);
      const expected = byValue.runtimes.filter((rt, k) => args.includes(values[k])).map((rt) => rt.meta.name);
      const got = names(index.candidates({ event: { category: ['process'] }, process: { args } }));
      if (JSON.stringify(got) === JSON.stringify(expected)) checked++;
    }
    expect(checked).toBe(30_000);
  });

  it('reads only the fields its rules are filed by; equal masks share one view', () => {
    const index = new RuleIndex(rules);
    const onlyFile = new Uint8Array(rules.length);
    onlyFile[4] = 1;
    onlyFile[5] = 1;
    const view = index.viewFor(onlyFile)!;
    expect(view.fields.map((f) => f.field).sort()).toEqual(['file.extension', 'file.path']);
    expect(index.viewFor(onlyFile.slice())).toBe(view);
    // A view keeps its own copy of the mask: changing the caller's array changes nothing.
    onlyFile[0] = 1;
    expect(names(index.candidates(EVENTS[0], view))).toEqual([]);
  });

  it(`past ${MAX_INDEX_VIEWS} distinct masks there is no view, and the engine filters afterwards`, () => {
    // 12 rules give 4096 possible masks: more than the views kept.
    const index = new RuleIndex(rules);
    const seen = new Set<string>();
    let refused = 0;
    for (let seed = 0; seed < 4 * MAX_INDEX_VIEWS; seed++) {
      const mask = maskOf(seed, rules.length);
      const view = index.viewFor(mask);
      if (view === undefined) refused++;
      else seen.add(mask.join(''));
    }
    expect(seen.size).toBe(MAX_INDEX_VIEWS);
    expect(refused).toBeGreaterThan(0);
    // The engine over hundreds of guard combinations (each event.type value is one, with its
    // own mask object; they share views by content): its candidates equal the unguarded
    // engine's less the one rule whose guard (`event.type == "start"`) these events fail.
    const unguarded = new DetectionEngine(
      QUERIES.map((q, i) => eqlRule(i, q)),
      { guards: false },
    );
    for (let i = 0; i < 3 * MAX_INDEX_VIEWS; i++) {
      const e = {
        event: { category: ['process'], type: [`t${i}`] },
        host: { os: { type: 'linux' } },
        process: { name: 'nc' },
      };
      expect(names(engine.candidates(e, 'logs-x'))).toEqual(
        names(unguarded.candidates(e, 'logs-x')).filter((n) => n !== 'v7'),
      );
    }
  });
});

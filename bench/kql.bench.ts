/**
 * KQL evaluation throughput on one core: compiled queries (as rules compile them, with the
 * ECS defaults) over generated ECS-shaped events. Baseline in the same run on the same events:
 * a hand-written predicate doing the same checks, so `ratio` = compiled rate ÷ hand-written
 * rate shows what the general evaluator costs. Also: parse rate, and a full-text phrase on
 * `message` over unique syslog lines (matching and not).
 */
import { compileKql, parseKql } from '@sequent/rules';

const ROUNDS = 3;
const EVENTS = 200_000;

function bestOf(run: () => number): { ms: number; count: number } {
  let best = Number.POSITIVE_INFINITY;
  let count = 0;
  for (let i = 0; i < ROUNDS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    count = run();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, count };
}

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);

type Doc = {
  event: { category: string[]; type: string[] };
  process: { name: string; parent: { name: string }; args: string[] };
};

function events(): Doc[] {
  const names = ['bash', 'sh', 'python3', 'zsh', 'sshd', 'curl'];
  const out: Doc[] = [];
  for (let i = 0; i < EVENTS; i++) {
    out.push({
      event: { category: [i % 5 ? 'process' : 'network'], type: [i % 3 ? 'start' : 'end'] },
      process: {
        name: names[i % names.length],
        parent: { name: i % 7 ? 'sshd' : 'cron' },
        args: ['bash', '-c', i % 3 ? `curl http://10.0.0.${i % 255}/x` : 'ls -la'],
      },
    });
  }
  return out;
}

const RULE =
  'event.category:process and event.type:start and process.name:(bash or sh or zsh or dash) and ' +
  'not process.parent.name:sshd and process.args:(*curl* or *wget*)';

function handWritten(d: Doc): boolean {
  const shells = new Set(['bash', 'sh', 'zsh', 'dash']);
  return (
    d.event.category.includes('process') &&
    d.event.type.includes('start') &&
    shells.has(d.process.name) &&
    d.process.parent.name !== 'sshd' &&
    d.process.args.some((a) => a.includes('curl') || a.includes('wget'))
  );
}

export default async function kqlBench(): Promise<object[]> {
  const docs = events();
  const compiled = compileKql(RULE, { ecs: true });
  const count = (pred: (d: Doc) => boolean) => () => {
    let n = 0;
    for (const d of docs) if (pred(d)) n++;
    return n;
  };
  const base = bestOf(count(handWritten));
  const kql = bestOf(count(compiled));
  if (base.count !== kql.count)
    throw new Error(`compiled query matched ${kql.count}, hand-written ${base.count}`);
  const figures: object[] = [
    {
      bench: 'kql',
      case: 'rule-shaped query (arrays, value list, not, wildcards)',
      events: docs.length,
      matched: kql.count,
      events_per_s: rate(docs.length, kql.ms),
      baseline: 'hand-written predicate',
      baseline_events_per_s: rate(docs.length, base.ms),
      ratio: Number((base.ms / kql.ms).toFixed(4)),
    },
  ];

  const parses = bestOf(() => {
    for (let i = 0; i < 5000; i++) parseKql(RULE);
    return 5000;
  });
  figures.push({ bench: 'kql', case: 'parse the rule query', queries_per_s: rate(5000, parses.ms) });

  const phrase = compileKql('message:"started with executable stack"', { ecs: true });
  for (const hit of [true, false]) {
    const lines = Array.from({ length: 100_000 }, (_, i) => ({
      message: `kernel: [${i}.123] prog${i % 977}[${i}] started with ${hit ? 'executable' : 'a'} stack at 0x${i.toString(16)}`,
    }));
    const r = bestOf(() => {
      let n = 0;
      for (const l of lines) if (phrase(l)) n++;
      return n;
    });
    figures.push({
      bench: 'kql',
      case: `message phrase (text analysis), ${hit ? 'every line matches' : 'no line matches'}`,
      events: lines.length,
      matched: r.count,
      events_per_s: rate(lines.length, r.ms),
    });
  }
  return figures;
}

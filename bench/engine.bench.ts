/**
 * Engine throughput over generated Elastic Defend telemetry, on one core, through the same
 * partition processor the correlator runs (reorder buffer, in-memory state store, batches of
 * 1000): `engine` runs every EQL rule of the Linux corpus (../shared, else the bundled rules/),
 * `engine-all-rules` every rule (KQL queries, new_terms and threshold too). Baseline: JSON.parse
 * of the same events in the same run; `ratio` = engine events/s ÷ JSON.parse events/s.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DetectionEngine, MemoryStateStore, PartitionProcessor, type InputRecord } from '@sequent/engine';
import { generateFleet } from '@sequent/generator';
import { loadRules, type CompiledRule } from '@sequent/rules';

const REPO = path.resolve(__dirname, '..');
const CORPUS = path.resolve(REPO, '..', 'shared', 'corpus', 'detection-rules', 'linux');
const BATCH = 1000;
const ROUNDS = 3;

function bestOf<T>(rounds: number, run: () => T): { ms: number; result: T } {
  let best = Number.POSITIVE_INFINITY;
  let result!: T;
  for (let i = 0; i < rounds; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    result = run();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, result };
}

async function bestOfAsync<T>(rounds: number, run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let best = Number.POSITIVE_INFINITY;
  let result!: T;
  for (let i = 0; i < rounds; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    result = await run();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, result };
}

/** One engine over `rules`, timed against JSON.parse of the same events (rounds interleaved). */
async function measure(
  name: string,
  scope: string,
  rules: CompiledRule[],
  lines: string[],
  events: unknown[],
): Promise<object> {
  const engine = new DetectionEngine(rules);
  // The records as the correlator hands them over (built once, outside the timing: the
  // consumer builds them whatever the engine does).
  const batches: InputRecord[][] = [];
  for (let i = 0; i < events.length; i += BATCH)
    batches.push(events.slice(i, i + BATCH).map((event, j) => ({ event, offset: i + j })));
  const parseOnce = (): number => {
    let n = 0;
    for (const l of lines) if (JSON.parse(l) !== null) n++;
    return n;
  };
  const engineOnce = async (): Promise<number> => {
    const store = new MemoryStateStore();
    const p = await PartitionProcessor.open(engine, store, {
      partition: 'bench',
      allowedLatenessMs: 5_000,
      maxBuffered: 50_000,
    });
    let alerts = 0;
    for (const batch of batches) alerts += (await p.processBatch(batch)).alerts.length;
    alerts += (await p.flush({ endOfInput: true })).alerts.length;
    return alerts;
  };
  // Baseline and engine rounds interleaved, best of each: load from other processes on a
  // shared machine then hits both alike.
  const parse = { ms: Number.POSITIVE_INFINITY };
  const run = { ms: Number.POSITIVE_INFINITY, result: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    parse.ms = Math.min(parse.ms, bestOf(1, parseOnce).ms);
    const r = await bestOfAsync(1, engineOnce);
    if (r.ms < run.ms) Object.assign(run, r);
  }
  let evaluations = 0;
  for (const rt of engine.runtimes) evaluations += rt.stats.evaluations;
  const parseEps = events.length / (parse.ms / 1000);
  const engineEps = events.length / (run.ms / 1000);
  const bytes = lines.reduce((n, l) => n + l.length, 0);
  return {
    bench: name,
    rules: scope,
    rules_running: engine.runtimes.length,
    rules_skipped: engine.skipped.length,
    events: events.length,
    avg_event_bytes: Math.round(bytes / events.length),
    alerts: run.result,
    engine_events_per_s: Math.round(engineEps),
    json_parse_events_per_s: Math.round(parseEps),
    ratio: Number((engineEps / parseEps).toFixed(3)),
    // Machine-independent: how many rules the pre-filter index lets through per event.
    rule_evaluations_per_event: Number((evaluations / ROUNDS / events.length).toFixed(1)),
  };
}

export default async function engineBench(): Promise<object[]> {
  const source = existsSync(CORPUS) ? CORPUS : path.join(REPO, 'rules');
  const loaded = loadRules([source]);
  const fleet = generateFleet({
    seed: 'bench-engine',
    hosts: 200,
    durationMs: 10 * 60 * 1000,
    startTime: '2026-04-01T08:00:00.000Z',
    eventsPerSecond: 100,
    attacks: [
      { kind: 'apt_hook_shell', count: 5 },
      { kind: 'apt_hook_netcon', count: 5 },
      { kind: 'apt_conf_file', count: 5 },
      { kind: 'dpkg_unusual_parent', count: 5 },
    ],
  });
  const lines = fleet.events.map((e) => JSON.stringify(e));
  const events = lines.map((l) => JSON.parse(l) as unknown);
  const eql = loaded.rules.filter((r) => r.meta.language === 'eql');
  const where = path.relative(REPO, source);
  return [
    // The figure: every EQL rule of the corpus (event queries and sequences).
    { ...(await measure('engine', `EQL rules of ${where}`, eql, lines, events)), target_ratio: 0.5 },
    // Every rule the engine runs: EQL plus KQL queries, new_terms and threshold rules.
    {
      ...(await measure('engine-all-rules', `all rules of ${where}`, loaded.rules, lines, events)),
      rules_unsupported: loaded.unsupported.length,
      rules_failed: loaded.reports.filter((r) => r.status === 'failed').length,
    },
  ];
}

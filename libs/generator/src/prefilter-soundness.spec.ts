import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { DetectionEngine, hunt, type RuleRuntime } from '@sequent/engine';
import { loadRules } from '@sequent/rules';
import { generateFleet } from './fleet';
import type { FleetOptions } from './types';

/**
 * The engine tries on an event only the rules its pre-filters let through (the rule index by
 * category and literal values, then the guards on event.type / event.action / host.os.type).
 * Both must be sound: a rule left out must be one that could not use the event. Checked here
 * over generated Linux telemetry with every planted attack and near miss, for the Linux rules
 * of ../shared's corpus (when present) and the bundled rules/.
 */
const REPO = path.resolve(__dirname, '../../..');
const CORPUS = path.resolve(REPO, '..', 'shared', 'corpus', 'detection-rules', 'linux');
const corpusPresent = existsSync(CORPUS);
if (!corpusPresent)
  console.warn(`prefilter-soundness.spec: corpus case skipped, ${CORPUS} (../shared) is absent`);

const OPTIONS: FleetOptions = {
  seed: 'prefilter-soundness',
  hosts: 8,
  durationMs: 8 * 60 * 1000,
  startTime: '2026-04-01T08:00:00.000Z',
  eventsPerSecond: 12,
  attacks: (
    [
      'apt_hook_shell',
      'apt_hook_netcon',
      'apt_conf_file',
      'dpkg_unusual_parent',
      'nping_scan',
      'selinux_disable',
      'sudo_uid_bypass',
      'pid_file_exec',
      'nm_apt_hook_slow',
      'nm_apt_hook_private_fetch',
      'nm_aptget_hook',
      'nm_apt_conf_excluded',
      'nm_dpkg_query',
      'nm_setenforce_enable',
    ] as const
  ).map((kind) => ({ kind, count: 2 })),
};

/** Whether the rule could use the event at all: its condition, or any stage of a sequence. */
function couldUse(rt: RuleRuntime, event: unknown): boolean {
  return rt.kind === 'sequence' ? rt.sequence!.concerns(event) : rt.condition!(event);
}

async function check(source: string): Promise<{ rules: number; usable: number; dropped: number }> {
  const { rules } = loadRules([source]);
  const events = generateFleet(OPTIONS).events as unknown[];
  const engine = new DetectionEngine(rules);
  const guards = (engine as unknown as { guards: { active: boolean; maskFor(e: unknown): Uint8Array } })
    .guards;
  let usable = 0;
  let dropped = 0;
  const unsound: string[] = [];
  for (const event of events) {
    const index = 'logs-endpoint.events.process-default';
    const chosen = new Set(engine.candidates(event, index));
    const mask = guards.active ? guards.maskFor(event) : null;
    for (const rt of engine.runtimes) {
      if (!rt.rule.matchesIndex(index)) continue;
      const use = couldUse(rt, event);
      if (use) usable++;
      if (chosen.has(rt)) continue;
      dropped++;
      // A gated sequence rule is filed by its starting stages; its other stages are tried
      // while it has pending state, as long as its guard lets the event through.
      const gatedLater = rt.gated && (mask === null || mask[rt.ordinal] === 1);
      if (use && !gatedLater) unsound.push(`${rt.meta.name} on ${JSON.stringify(event).slice(0, 200)}`);
    }
  }
  expect(unsound.slice(0, 5)).toEqual([]);
  // Unfiltered engine as the reference: the same alerts.
  const ids = async (filtered: boolean) =>
    (await hunt(rules, events, filtered ? {} : { guards: false, literalHints: false, now: () => 0 })).alerts
      .map(
        (a) => `${a['kibana.alert.rule.rule_id']}:${a['kibana.alert.ancestors'].map((x) => x.id).join('+')}`,
      )
      .sort();
  const reference = await ids(false);
  expect(await ids(true)).toEqual(reference);
  expect(reference.length).toBeGreaterThan(0);
  return { rules: engine.runtimes.length, usable, dropped };
}

describe('rule pre-filters are sound', () => {
  it('bundled rules: every rule left out of an event could not use it', async () => {
    const r = await check(path.join(REPO, 'rules'));
    expect(r.dropped).toBeGreaterThan(0);
  });

  (corpusPresent ? it : it.skip)(
    'Linux corpus: every rule left out of an event could not use it',
    async () => {
      const r = await check(CORPUS);
      console.log(
        `prefilter soundness: ${r.rules} rules, ${r.usable} usable pairs, ${r.dropped} pairs left out`,
      );
      expect(r.rules).toBeGreaterThan(300);
      expect(r.dropped).toBeGreaterThan(r.usable);
    },
    120_000,
  );
});

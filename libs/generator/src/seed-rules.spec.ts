import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as rulesLib from '@sequent/rules';
import * as engineLib from '@sequent/engine';
import { generateFleet } from './fleet';
import type { EcsEvent, FleetOptions, Label } from './types';

/**
 * End-to-end check against the real engine: the four seed rules from ../shared/corpus must
 * alert on every planted seed attack and on nothing else (benign activity and near misses).
 * Skips when ../shared is absent or when libs/rules / libs/engine do not expose the API yet.
 */
const SHARED = path.resolve(__dirname, '../../../../shared');
const SEED_RULES = [
  'persistence_apt_package_manager_execution.toml',
  'persistence_apt_package_manager_file_creation.toml',
  'persistence_apt_package_manager_netcon.toml',
  'persistence_dpkg_package_installation_from_unusual_parent.toml',
].map((f) => path.join(SHARED, 'corpus/detection-rules/linux', f));

type AnyFn = (...args: unknown[]) => unknown;
const api = {
  loadRules: (rulesLib as Record<string, unknown>).loadRules as AnyFn | undefined,
  hunt: (engineLib as Record<string, unknown>).hunt as AnyFn | undefined,
};
const ready = existsSync(SHARED) && typeof api.loadRules === 'function' && typeof api.hunt === 'function';
if (!ready) {
  console.warn(
    'seed-rules.spec: skipped (needs ../shared and loadRules from @sequent/rules, hunt from @sequent/engine)',
  );
}

const OPTIONS: FleetOptions = {
  seed: 'seed-rules',
  hosts: 12,
  durationMs: 10 * 60 * 1000,
  startTime: '2026-04-01T08:00:00.000Z',
  eventsPerSecond: 6,
  attacks: [
    { kind: 'apt_hook_shell', count: 2 },
    { kind: 'apt_hook_netcon', count: 2 },
    { kind: 'apt_conf_file', count: 2 },
    { kind: 'dpkg_unusual_parent', count: 2 },
    { kind: 'nm_apt_hook_slow', count: 1 },
    { kind: 'nm_apt_hook_private_fetch', count: 1 },
    { kind: 'nm_aptget_hook', count: 1 },
    { kind: 'nm_apt_conf_excluded', count: 1 },
    { kind: 'nm_dpkg_query', count: 1 },
  ],
};

interface AlertView {
  ruleId: string;
  ancestors: string[];
}

function viewAlert(alert: unknown): AlertView {
  const a = alert as Record<string, unknown>;
  const flat = (k: string): unknown =>
    a[k] ?? k.split('.').reduce<unknown>((o, s) => (o as Record<string, unknown> | undefined)?.[s], a);
  const ancestors = (flat('kibana.alert.ancestors') as Array<{ id: string }> | undefined) ?? [];
  return { ruleId: String(flat('kibana.alert.rule.rule_id')), ancestors: ancestors.map((x) => x.id) };
}

async function huntWith(
  rulePaths: string[],
  events: EcsEvent[],
): Promise<{ ruleCount: number; alerts: AlertView[] }> {
  const loaded = await (api.loadRules as AnyFn)(rulePaths);
  const rules = Array.isArray(loaded) ? loaded : (loaded as { rules: unknown[] }).rules;
  const result = await (api.hunt as AnyFn)(rules, events);
  const alerts = (Array.isArray(result) ? result : (result as { alerts: unknown[] }).alerts).map(viewAlert);
  return { ruleCount: rules.length, alerts };
}

/** Which bundled rule (rules/) each planted scenario should trigger. */
const BUNDLED_RULE_FOR: Record<string, string> = {
  apt_hook_shell: 'e7ed95a5-1f6a-4e23-87e6-795702675fa9',
  apt_hook_netcon: '7625f924-55f8-4dbb-8833-39cddda6d2c9',
  apt_conf_file: '5ce29abb-fa8e-418e-9557-6dc36035de25',
  dpkg_unusual_parent: '5f03d078-dce9-4dd5-b4d7-72001750ee05',
  sudo_uid_bypass: 'c131f40e-5919-4d56-8665-8b6f8a479d66',
  nping_scan: 'a643cb83-98b5-4396-b909-3b29e919c6d1',
  pid_file_exec: 'b00df8c4-b6c6-4850-a660-f18935988929',
};

(ready ? describe : describe.skip)('seed rules over a generated fleet', () => {
  it('alert on every planted seed attack and nothing else', async () => {
    const fleet = generateFleet(OPTIONS);
    const { ruleCount, alerts } = await huntWith(SEED_RULES, fleet.events);
    expect(ruleCount).toBe(4);

    const attacks = fleet.labels.filter((l: Label) => l.kind === 'attack');
    for (const label of attacks) {
      const hit = alerts.find(
        (a) => a.ruleId === label.rule_id && label.event_ids.every((id) => a.ancestors.includes(id)),
      );
      expect({ attack: label.attack_id, found: hit !== undefined }).toEqual({
        attack: label.attack_id,
        found: true,
      });
    }
    const planted = new Set(attacks.flatMap((l) => l.event_ids));
    const stray = alerts.filter((a) => !a.ancestors.every((id) => planted.has(id)));
    expect(stray).toEqual([]);
    expect(alerts).toHaveLength(attacks.length);
  });
});

(ready ? describe : describe.skip)('bundled rule pack over a generated fleet', () => {
  it('alerts on each planted behaviour it covers and never on unlabelled activity', async () => {
    const fleet = generateFleet({
      ...OPTIONS,
      attacks: [
        ...OPTIONS.attacks,
        { kind: 'sudo_uid_bypass', count: 1 },
        { kind: 'nping_scan', count: 1 },
        { kind: 'pid_file_exec', count: 1 },
      ],
    });
    const { alerts } = await huntWith([path.resolve(__dirname, '../../../rules')], fleet.events);
    for (const label of fleet.labels.filter((l) => l.kind === 'attack')) {
      const ruleId = BUNDLED_RULE_FOR[label.scenario];
      const hit = alerts.some(
        (a) => a.ruleId === ruleId && a.ancestors.some((id) => label.event_ids.includes(id)),
      );
      expect({ attack: label.attack_id, found: hit }).toEqual({ attack: label.attack_id, found: true });
    }
    const labelled = new Set(fleet.labels.flatMap((l) => l.event_ids));
    const onBenign = alerts.filter((a) => !a.ancestors.some((id) => labelled.has(id)));
    expect(onBenign).toEqual([]);
  });
});

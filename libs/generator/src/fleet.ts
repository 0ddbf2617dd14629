import { createHash } from 'node:crypto';
import { Rng, seedFromString } from './prng';
import { HostSim, type HostInfo, type User } from './host-sim';
import { BENIGN_ACTIVITIES, bootHost, type HostBase } from './baseline';
import { PLANTERS } from './attacks';
import type { EcsEvent, Fleet, FleetOptions, Label } from './types';

const ROLES = ['web', 'api', 'db', 'build', 'worker', 'cache', 'bastion'];
const ADMINS: User[] = [
  { id: '1000', name: 'ubuntu' },
  { id: '1001', name: 'deploy' },
  { id: '1002', name: 'alice' },
  { id: '1003', name: 'ops' },
];
const OS_VERSIONS: Array<[string, string]> = [
  ['22.04.4', '5.15.0-105-generic'],
  ['22.04.4', '6.5.0-35-generic'],
  ['20.04.6', '5.4.0-182-generic'],
  ['24.04', '6.8.0-31-generic'],
];

/** Attack plants stay clear of the window's edges so their whole chain fits inside it. */
const PLANT_MARGIN_MS = 15_000;

function validate(opts: FleetOptions): number {
  const startMs = typeof opts.startTime === 'number' ? opts.startTime : Date.parse(opts.startTime);
  if (!Number.isFinite(startMs))
    throw new Error(`generateFleet: invalid startTime ${String(opts.startTime)}`);
  if (!Number.isInteger(opts.hosts) || opts.hosts < 1 || opts.hosts > 10_000) {
    throw new Error(`generateFleet: hosts must be an integer in 1..10000, got ${opts.hosts}`);
  }
  if (!(opts.durationMs >= 2 * PLANT_MARGIN_MS + 10_000)) {
    throw new Error(`generateFleet: durationMs must be at least ${2 * PLANT_MARGIN_MS + 10_000}`);
  }
  if (!(opts.eventsPerSecond >= 0)) throw new Error('generateFleet: eventsPerSecond must be >= 0');
  for (const a of opts.attacks) {
    if (!Object.hasOwn(PLANTERS, a.kind)) throw new Error(`generateFleet: unknown attack kind "${a.kind}"`);
    if (!Number.isInteger(a.count) || a.count < 0)
      throw new Error(`generateFleet: attack count must be a non-negative integer`);
  }
  return startMs;
}

function makeHost(rng: Rng, index: number, seed: number): HostInfo {
  const role = ROLES[index % ROLES.length];
  const [osVersion, kernel] = OS_VERSIONS[rng.int(0, OS_VERSIONS.length - 1)];
  const digest = createHash('sha256').update(`sequent-host:${seed}:${index}`).digest('hex');
  return {
    index,
    id: digest.slice(0, 32),
    agentId: `${digest.slice(32, 40)}-${digest.slice(40, 44)}-4${digest.slice(45, 48)}-a${digest.slice(49, 52)}-${digest.slice(52, 64)}`,
    name: `${role}-${String(Math.floor(index / ROLES.length) + 1).padStart(2, '0')}`,
    ip: `10.20.${1 + Math.floor(index / 200)}.${10 + (index % 200)}`,
    osVersion,
    kernel,
  };
}

function pickActivity(rng: Rng): (typeof BENIGN_ACTIVITIES)[number] {
  const total = BENIGN_ACTIVITIES.reduce((sum, a) => sum + a.weight, 0);
  let roll = rng.next() * total;
  for (const activity of BENIGN_ACTIVITIES) {
    roll -= activity.weight;
    if (roll < 0) return activity;
  }
  return BENIGN_ACTIVITIES[BENIGN_ACTIVITIES.length - 1];
}

function compareEvents(a: EcsEvent, b: EcsEvent): number {
  const ta = a['@timestamp'] as string;
  const tb = b['@timestamp'] as string;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ea = a.event as { id: string; sequence: number };
  const eb = b.event as { id: string; sequence: number };
  // Same millisecond: keep per-host emission order (parents before children), then host order.
  return ea.id.slice(0, -7) === eb.id.slice(0, -7) ? ea.sequence - eb.sequence : ea.id < eb.id ? -1 : 1;
}

/**
 * Simulates a Linux fleet monitored by Elastic Defend: benign activity at roughly the asked
 * rate, plus the requested attacks and near misses, each recorded in a label. The output is
 * a pure function of the options (same seed, same bytes).
 */
export function generateFleet(opts: FleetOptions): Fleet {
  const startMs = validate(opts);
  const seed = seedFromString(opts.seed);
  const root = new Rng(seed);
  const idPrefix = seed.toString(36);
  const endMs = startMs + opts.durationMs;

  const sims: HostSim[] = [];
  const bases: HostBase[] = [];
  const hostRngs: Rng[] = [];
  for (let i = 0; i < opts.hosts; i++) {
    const rng = root.fork(i);
    const sim = new HostSim(makeHost(rng, i, seed), idPrefix);
    sims.push(sim);
    bases.push(bootHost(sim, startMs, ADMINS[i % ADMINS.length]));
    hostRngs.push(rng);
  }

  // Benign activity: plan a number of activities from the event budget, spread uniformly.
  const avgEvents =
    BENIGN_ACTIVITIES.reduce((s, a) => s + a.events * a.weight, 0) /
    BENIGN_ACTIVITIES.reduce((s, a) => s + a.weight, 0);
  const budget = (opts.eventsPerSecond * opts.durationMs) / 1000;
  const activityCount = Math.max(0, Math.round(budget / avgEvents));
  const lastStart = endMs - PLANT_MARGIN_MS;
  for (let n = 0; n < activityCount; n++) {
    const h = root.int(0, opts.hosts - 1);
    const at = root.int(startMs + 1_000, lastStart);
    pickActivity(root).run(sims[h], hostRngs[h], bases[h], at);
  }

  const labels: Label[] = [];
  let attackNo = 0;
  for (const request of opts.attacks) {
    for (let ordinal = 0; ordinal < request.count; ordinal++) {
      const h = root.int(0, opts.hosts - 1);
      const at = root.int(startMs + PLANT_MARGIN_MS, lastStart - PLANT_MARGIN_MS);
      attackNo += 1;
      const attackId = `${request.kind}-${String(attackNo).padStart(3, '0')}`;
      const planted = PLANTERS[request.kind]({
        sim: sims[h],
        rng: hostRngs[h],
        base: bases[h],
        atMs: at,
        attackId,
        ordinal,
      });
      labels.push({ attack_id: attackId, scenario: request.kind, host_id: sims[h].host.id, ...planted });
    }
  }

  // Activities may end after the window: drop what falls outside it, as a bounded capture would.
  const events = sims
    .flatMap((s) => s.events)
    .filter((e) => Date.parse(e['@timestamp'] as string) < endMs)
    .sort(compareEvents);
  const kept = new Set(events.map((e) => (e.event as { id: string }).id));
  for (const label of labels) {
    if (!label.event_ids.every((id) => kept.has(id))) {
      throw new Error(`generateFleet: planted ${label.attack_id} fell outside the window`);
    }
  }
  return { events, labels };
}

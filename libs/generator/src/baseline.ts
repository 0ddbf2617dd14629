import type { Rng } from './prng';
import { ROOT, type HostSim, type Proc, type User } from './host-sim';

/** The long-running processes every host has; activity hangs off them. */
export interface HostBase {
  systemd: Proc;
  sshd: Proc;
  cron: Proc;
  containerd: Proc;
  admin: User;
}

export const UBUNTU_MIRRORS = ['91.189.91.81', '91.189.91.82', '185.125.190.36', '185.125.190.39'];
const INTERNAL_SERVICES = ['10.20.0.5', '10.20.0.12', '10.20.3.40', '172.18.0.2'];

/** Starts the daemons at the opening of the window so every later parent id resolves. */
export function bootHost(sim: HostSim, startMs: number, admin: User): HostBase {
  const systemd = sim.daemon(startMs, { executable: '/usr/lib/systemd/systemd', args: ['/sbin/init'] }, 1);
  const sshd = sim.daemon(
    startMs + 1,
    { executable: '/usr/sbin/sshd', args: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'] },
    812,
    systemd,
  );
  const cron = sim.daemon(
    startMs + 2,
    { executable: '/usr/sbin/cron', args: ['/usr/sbin/cron', '-f', '-P'] },
    640,
    systemd,
  );
  const containerd = sim.daemon(
    startMs + 3,
    { executable: '/usr/bin/containerd', args: ['/usr/bin/containerd'] },
    701,
    systemd,
  );
  return { systemd, sshd, cron, containerd, admin };
}

type Activity = (sim: HostSim, rng: Rng, base: HostBase, atMs: number) => void;

/** Runs a short-lived child: exec, optional work, end. Returns the process. */
function run(
  sim: HostSim,
  atMs: number,
  parent: Proc,
  executable: string,
  args: string[],
  lifeMs = 20,
  user?: User,
): Proc {
  const proc = sim.exec(atMs, parent, { executable, args, user });
  sim.end(atMs + lifeMs, proc);
  return proc;
}

const cronJob: Activity = (sim, rng, base, t) => {
  const cronChild = sim.exec(t, base.cron, {
    executable: '/usr/sbin/cron',
    args: ['/usr/sbin/CRON', '-f', '-P'],
  });
  const job = rng.pick([
    'cd / && run-parts --report /etc/cron.hourly',
    '[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi',
    'command -v debian-sa1 > /dev/null && debian-sa1 1 1',
    '/usr/bin/python3 /opt/app/report.py --daily',
  ]);
  const sh = sim.exec(t + 3, cronChild, { executable: '/usr/bin/dash', args: ['/bin/sh', '-c', job] });
  if (job.startsWith('cd /')) {
    run(sim, t + 6, sh, '/usr/bin/run-parts', ['run-parts', '--report', '/etc/cron.hourly'], 40);
  } else if (job.includes('debian-sa1')) {
    const sa1 = sim.exec(t + 6, sh, {
      executable: '/usr/bin/dash',
      args: ['/bin/sh', '/usr/lib/sysstat/debian-sa1', '1', '1'],
    });
    const sadc = run(
      sim,
      t + 9,
      sa1,
      '/usr/lib/sysstat/sadc',
      ['/usr/lib/sysstat/sadc', '-F', '-L', '-S', 'DISK', '1', '1', '/var/log/sysstat'],
      30,
    );
    sim.writeFile(t + 20, sadc, `/var/log/sysstat/sa${String(rng.int(1, 28)).padStart(2, '0')}`);
    sim.end(t + 45, sa1);
  } else if (job.includes('report.py')) {
    const py = sim.exec(t + 6, sh, {
      executable: '/usr/bin/python3.10',
      args: ['/usr/bin/python3', '/opt/app/report.py', '--daily'],
      cwd: '/opt/app',
    });
    sim.connect(t + 80, py, rng.pick(INTERNAL_SERVICES), 5432);
    sim.writeFile(t + 300, py, '/var/log/app/report.log');
    sim.end(t + 420, py);
  }
  sim.end(t + 500, sh);
  sim.end(t + 510, cronChild);
};

const INTERACTIVE_COMMANDS: Array<[string, string[]]> = [
  ['/usr/bin/ls', ['ls', '-la']],
  ['/usr/bin/ps', ['ps', 'aux']],
  ['/usr/bin/df', ['df', '-h']],
  ['/usr/bin/cat', ['cat', '/etc/os-release']],
  ['/usr/bin/grep', ['grep', '-i', 'error', '/var/log/syslog']],
  ['/usr/bin/tail', ['tail', '-n', '100', '/var/log/nginx/access.log']],
  ['/usr/bin/systemctl', ['systemctl', 'status', 'nginx']],
  ['/usr/bin/journalctl', ['journalctl', '-u', 'ssh', '--since', 'today']],
  ['/usr/bin/git', ['git', 'pull']],
  ['/usr/bin/free', ['free', '-m']],
  ['/usr/bin/uptime', ['uptime']],
];

/** Opens an interactive ssh session and returns the login shell. */
export function sshLogin(sim: HostSim, rng: Rng, base: HostBase, t: number, user: User): Proc {
  const priv = sim.exec(t, base.sshd, { executable: '/usr/sbin/sshd', args: [`sshd: ${user.name} [priv]`] });
  const sess = sim.exec(t + 120, priv, {
    executable: '/usr/sbin/sshd',
    args: [`sshd: ${user.name}@pts/${rng.int(0, 3)}`],
    user,
  });
  sess.tty = 'pts0';
  return sim.exec(t + 130, sess, {
    executable: '/usr/bin/bash',
    args: ['-bash'],
    user,
    cwd: `/home/${user.name}`,
  });
}

const sshSession: Activity = (sim, rng, base, t) => {
  const shell = sshLogin(sim, rng, base, t, base.admin);
  let now = t + 2_000;
  const commands = rng.int(2, 6);
  for (let i = 0; i < commands; i++) {
    const [exe, args] = rng.pick(INTERACTIVE_COMMANDS);
    const proc = run(sim, now, shell, exe, args, rng.int(5, 400));
    if (exe.endsWith('/git')) {
      const remote = run(
        sim,
        now + 10,
        proc,
        '/usr/bin/ssh',
        ['/usr/bin/ssh', '-o', 'SendEnv=GIT_PROTOCOL', 'git@github.com', "git-upload-pack 'org/app.git'"],
        300,
      );
      sim.connect(now + 30, remote, '140.82.121.4', 22);
    }
    now += rng.int(1_500, 12_000);
  }
  if (rng.chance(0.3)) {
    // An admin edits a config with vim: the swap file is a classic near miss for file rules.
    const vim = sim.exec(now, shell, {
      executable: '/usr/bin/vim.basic',
      args: ['vim', '/etc/nginx/nginx.conf'],
    });
    sim.writeFile(now + 200, vim, '/etc/nginx/.nginx.conf.swp');
    sim.writeFile(now + 9_000, vim, '/etc/nginx/nginx.conf', 'rename');
    sim.writeFile(now + 9_010, vim, '/etc/nginx/.nginx.conf.swp', 'deletion');
    sim.end(now + 9_020, vim);
  }
  sim.end(now + 1_000, shell);
};

/** `sudo apt update` or `sudo apt install`, with the hook scripts apt really runs. */
export function aptSession(
  sim: HostSim,
  rng: Rng,
  shell: Proc,
  t: number,
  install: boolean,
): { apt: Proc; end: number } {
  const sudo = sim.exec(t, shell, {
    executable: '/usr/bin/sudo',
    args: install ? ['sudo', 'apt', 'install', '-y', 'jq'] : ['sudo', 'apt', 'update'],
  });
  const apt = sim.exec(t + 40, sudo, {
    executable: '/usr/bin/apt',
    args: install ? ['apt', 'install', '-y', 'jq'] : ['apt', 'update'],
    user: ROOT,
  });
  let now = t + 60;
  // APT::Update::Pre-Invoke from ubuntu-advantage: starts esm caches, no network of its own.
  const pre = sim.exec(now, apt, {
    executable: '/usr/bin/dash',
    args: [
      'sh',
      '-c',
      '--',
      '[ ! -e /run/systemd/system ] || [ $(id -u) -ne 0 ] || systemctl start --no-block apt-news.service esm-cache.service || true',
    ],
  });
  run(sim, now + 3, pre, '/usr/bin/id', ['id', '-u'], 2);
  run(
    sim,
    now + 8,
    pre,
    '/usr/bin/systemctl',
    ['systemctl', 'start', '--no-block', 'apt-news.service', 'esm-cache.service'],
    30,
  );
  sim.end(now + 45, pre);
  now += 60;
  // The fetch methods are apt's own children and talk to public mirrors.
  for (let i = 0; i < rng.int(1, 3); i++) {
    const http = sim.exec(now, apt, {
      executable: '/usr/lib/apt/methods/http',
      args: ['/usr/lib/apt/methods/http'],
    });
    sim.connect(now + 15, http, rng.pick(UBUNTU_MIRRORS), 80);
    sim.end(now + rng.int(400, 1500), http);
    now += 100;
  }
  const gpgv = run(sim, now + 500, apt, '/usr/lib/apt/methods/gpgv', ['/usr/lib/apt/methods/gpgv'], 80);
  run(
    sim,
    now + 520,
    gpgv,
    '/usr/bin/gpgv',
    ['/usr/bin/gpgv', '--ignore-time-conflict', '--status-fd', '3', '/tmp/apt.sig.1', '/tmp/apt.data.1'],
    40,
  );
  now += 900;
  if (!install) {
    const cnf = sim.exec(now, apt, {
      executable: '/usr/bin/dash',
      args: [
        'sh',
        '-c',
        '--',
        'if /usr/bin/test -w /var/lib/command-not-found/ -a -e /usr/lib/cnf-update-db; then /usr/lib/cnf-update-db > /dev/null; fi',
      ],
    });
    run(
      sim,
      now + 4,
      cnf,
      '/usr/bin/test',
      ['/usr/bin/test', '-w', '/var/lib/command-not-found/', '-a', '-e', '/usr/lib/cnf-update-db'],
      2,
    );
    const db = run(
      sim,
      now + 9,
      cnf,
      '/usr/bin/python3.10',
      ['/usr/bin/python3', '/usr/lib/cnf-update-db'],
      600,
    );
    sim.writeFile(now + 300, db, '/var/lib/command-not-found/commands.db');
    sim.end(now + 620, cnf);
    const motd = sim.exec(now + 700, apt, {
      executable: '/usr/bin/dash',
      args: [
        'sh',
        '-c',
        '--',
        'if [ -x /usr/lib/update-notifier/update-motd-updates-available ]; then /usr/lib/update-notifier/update-motd-updates-available; fi',
      ],
    });
    const upd = sim.exec(now + 705, motd, {
      executable: '/usr/bin/dash',
      args: ['/bin/sh', '-e', '/usr/lib/update-notifier/update-motd-updates-available'],
    });
    run(
      sim,
      now + 710,
      upd,
      '/usr/bin/python3.10',
      ['/usr/bin/python3', '/usr/lib/update-notifier/apt-check', '--human-readable'],
      700,
    );
    sim.writeFile(now + 1_400, upd, '/var/lib/update-notifier/updates-available');
    sim.end(now + 1_420, upd);
    sim.end(now + 1_430, motd);
    now += 1_500;
  } else {
    const pre2 = sim.exec(now, apt, {
      executable: '/usr/bin/dash',
      args: ['sh', '-c', '--', '/usr/sbin/dpkg-preconfigure --apt || true'],
    });
    run(
      sim,
      now + 5,
      pre2,
      '/usr/bin/perl',
      ['/usr/bin/perl', '-w', '/usr/sbin/dpkg-preconfigure', '--apt'],
      300,
    );
    sim.end(now + 320, pre2);
    const changes = sim.exec(now + 330, apt, {
      executable: '/usr/bin/dash',
      args: ['sh', '-c', '--', '/usr/bin/apt-listchanges --apt || test $? -lt 10'],
    });
    run(
      sim,
      now + 335,
      changes,
      '/usr/bin/python3.10',
      ['/usr/bin/python3', '/usr/bin/apt-listchanges', '--apt'],
      400,
    );
    sim.end(now + 740, changes);
    now += 800;
    const unpack = sim.exec(now, apt, {
      executable: '/usr/bin/dpkg',
      args: [
        '/usr/bin/dpkg',
        '--status-fd',
        '35',
        '--no-triggers',
        '--unpack',
        '--auto-deconfigure',
        '/var/cache/apt/archives/jq_1.6-2.1ubuntu3_amd64.deb',
      ],
    });
    run(
      sim,
      now + 10,
      unpack,
      '/usr/bin/dpkg-deb',
      ['dpkg-deb', '--fsys-tarfile', '/var/cache/apt/archives/jq_1.6-2.1ubuntu3_amd64.deb'],
      100,
    );
    sim.writeFile(now + 120, unpack, '/usr/bin/jq.dpkg-new');
    sim.writeFile(now + 130, unpack, '/usr/bin/jq', 'rename');
    sim.end(now + 200, unpack);
    const configure = sim.exec(now + 250, apt, {
      executable: '/usr/bin/dpkg',
      args: ['/usr/bin/dpkg', '--status-fd', '35', '--configure', '--pending'],
    });
    run(
      sim,
      now + 260,
      configure,
      '/usr/bin/dash',
      ['/bin/sh', '/var/lib/dpkg/info/libjq1:amd64.postinst', 'configure', ''],
      50,
    );
    run(sim, now + 320, configure, '/usr/sbin/ldconfig', ['/sbin/ldconfig'], 40);
    sim.end(now + 400, configure);
    const restart = sim.exec(now + 450, apt, {
      executable: '/usr/bin/dash',
      args: [
        'sh',
        '-c',
        '--',
        'test -x /usr/lib/needrestart/apt-pinvoke && /usr/lib/needrestart/apt-pinvoke -m u || true',
      ],
    });
    const pinvoke = sim.exec(now + 455, restart, {
      executable: '/usr/bin/dash',
      args: ['/bin/sh', '/usr/lib/needrestart/apt-pinvoke', '-m', 'u'],
    });
    run(sim, now + 460, pinvoke, '/usr/bin/perl', ['/usr/bin/perl', '/usr/sbin/needrestart', '-m', 'u'], 500);
    sim.end(now + 980, pinvoke);
    sim.end(now + 990, restart);
    now += 1_000;
  }
  sim.end(now, apt);
  sim.end(now + 10, sudo);
  return { apt, end: now + 10 };
}

const adminApt: Activity = (sim, rng, base, t) => {
  const shell = sshLogin(sim, rng, base, t, base.admin);
  const { end } = aptSession(sim, rng, shell, t + 3_000, rng.chance(0.5));
  sim.end(end + 2_000, shell);
};

/** apt-daily.service: the shell script drives apt-get (not apt) and apt-config. */
const aptDaily: Activity = (sim, rng, base, t) => {
  const daily = sim.exec(t, base.systemd, {
    executable: '/usr/bin/dash',
    args: ['/bin/sh', '/usr/lib/apt/apt.systemd.daily', 'update'],
  });
  run(sim, t + 5, daily, '/usr/bin/apt-config', ['apt-config', 'shell', 'StateDir', 'Dir::State/d'], 15);
  run(sim, t + 25, daily, '/usr/bin/dpkg', ['dpkg', '--print-foreign-architectures'], 5);
  const getter = sim.exec(t + 40, daily, {
    executable: '/usr/bin/apt-get',
    args: ['apt-get', '-qq', '-y', 'update'],
  });
  const http = sim.exec(t + 60, getter, {
    executable: '/usr/lib/apt/methods/http',
    args: ['/usr/lib/apt/methods/http'],
  });
  sim.connect(t + 70, http, rng.pick(UBUNTU_MIRRORS), 80);
  sim.end(t + 900, http);
  const hook = sim.exec(t + 950, getter, {
    executable: '/usr/bin/dash',
    args: [
      'sh',
      '-c',
      '--',
      'if [ -x /usr/lib/update-notifier/update-motd-updates-available ]; then /usr/lib/update-notifier/update-motd-updates-available; fi',
    ],
  });
  run(
    sim,
    t + 955,
    hook,
    '/usr/bin/dash',
    ['/bin/sh', '-e', '/usr/lib/update-notifier/update-motd-updates-available'],
    300,
  );
  sim.end(t + 1_300, hook);
  sim.end(t + 1_310, getter);
  sim.end(t + 1_400, daily);
};

/** unattended-upgrade is python driving dpkg directly through libapt. */
const unattendedUpgrade: Activity = (sim, rng, base, t) => {
  const uu = sim.exec(t, base.systemd, {
    executable: '/usr/bin/python3.10',
    args: ['/usr/bin/python3', '/usr/bin/unattended-upgrade'],
  });
  const http = sim.exec(t + 200, uu, {
    executable: '/usr/lib/apt/methods/http',
    args: ['/usr/lib/apt/methods/http'],
  });
  sim.connect(t + 210, http, rng.pick(UBUNTU_MIRRORS), 80);
  sim.end(t + 1_200, http);
  const pkg = rng.pick([
    'libssl3_3.0.2-0ubuntu1.15_amd64.deb',
    'tzdata_2024a-0ubuntu0.22.04_all.deb',
    'curl_7.81.0-1ubuntu1.16_amd64.deb',
  ]);
  const dpkg = sim.exec(t + 1_300, uu, {
    executable: '/usr/bin/dpkg',
    args: [
      '/usr/bin/dpkg',
      '--status-fd',
      '10',
      '--no-triggers',
      '--unpack',
      '--auto-deconfigure',
      `/var/cache/apt/archives/${pkg}`,
    ],
  });
  sim.writeFile(t + 1_400, dpkg, '/etc/apt/apt.conf.d/20auto-upgrades.dpkg-new');
  sim.end(t + 1_500, dpkg);
  const conf = sim.exec(t + 1_600, uu, {
    executable: '/usr/bin/dpkg',
    args: ['/usr/bin/dpkg', '--status-fd', '10', '--configure', '--pending'],
  });
  run(
    sim,
    t + 1_610,
    conf,
    '/usr/bin/dash',
    ['/bin/sh', `/var/lib/dpkg/info/${pkg.split('_')[0]}.postinst`, 'configure', '1.0'],
    60,
  );
  sim.end(t + 1_700, conf);
  sim.end(t + 1_800, uu);
};

const compile: Activity = (sim, rng, base, t) => {
  const shell = sshLogin(sim, rng, base, t, base.admin);
  const make = sim.exec(t + 2_000, shell, {
    executable: '/usr/bin/make',
    args: ['make', '-j2'],
    cwd: `/home/${base.admin.name}/src/tool`,
  });
  let now = t + 2_050;
  for (const unit of ['main', 'util', 'net'].slice(0, rng.int(1, 3))) {
    const gcc = sim.exec(now, make, {
      executable: '/usr/bin/x86_64-linux-gnu-gcc-11',
      args: ['gcc', '-O2', '-c', `${unit}.c`, '-o', `${unit}.o`],
    });
    run(
      sim,
      now + 5,
      gcc,
      '/usr/lib/gcc/x86_64-linux-gnu/11/cc1',
      ['/usr/lib/gcc/x86_64-linux-gnu/11/cc1', '-quiet', `${unit}.c`, '-O2', '-o', `/tmp/cc${rng.hex(6)}.s`],
      300,
    );
    const as = run(
      sim,
      now + 320,
      gcc,
      '/usr/bin/x86_64-linux-gnu-as',
      ['as', '--64', '-o', `${unit}.o`, `/tmp/cc${rng.hex(6)}.s`],
      40,
    );
    sim.writeFile(now + 350, as, `/home/${base.admin.name}/src/tool/${unit}.o`);
    sim.end(now + 370, gcc);
    now += 400;
  }
  const link = sim.exec(now, make, {
    executable: '/usr/bin/x86_64-linux-gnu-gcc-11',
    args: ['gcc', '-o', 'tool', 'main.o', 'util.o'],
  });
  const collect = sim.exec(now + 5, link, {
    executable: '/usr/lib/gcc/x86_64-linux-gnu/11/collect2',
    args: ['/usr/lib/gcc/x86_64-linux-gnu/11/collect2', '-plugin', '--eh-frame-hdr', '-o', 'tool'],
  });
  const ld = run(
    sim,
    now + 10,
    collect,
    '/usr/bin/x86_64-linux-gnu-ld.bfd',
    ['/usr/bin/ld', '--eh-frame-hdr', '-m', 'elf_x86_64', '-o', 'tool'],
    80,
  );
  sim.writeFile(now + 60, ld, `/home/${base.admin.name}/src/tool/tool`);
  sim.end(now + 100, collect);
  sim.end(now + 110, link);
  sim.end(now + 120, make);
  sim.end(now + 3_000, shell);
};

const container: Activity = (sim, rng, base, t) => {
  const id = rng.hex(64);
  const shim = sim.exec(t, base.containerd, {
    executable: '/usr/bin/containerd-shim-runc-v2',
    args: [
      '/usr/bin/containerd-shim-runc-v2',
      '-namespace',
      'moby',
      '-id',
      id,
      '-address',
      '/run/containerd/containerd.sock',
    ],
  });
  const runc = sim.exec(t + 20, shim, {
    executable: '/usr/bin/runc',
    args: [
      'runc',
      '--root',
      '/var/run/docker/runtime-runc/moby',
      '--log',
      `/run/containerd/io.containerd.runtime.v2.task/moby/${id}/log.json`,
      'create',
      '--bundle',
      `/run/containerd/io.containerd.runtime.v2.task/moby/${id}`,
      id,
    ],
  });
  const init = sim.exec(t + 40, runc, { executable: '/usr/bin/runc', args: ['runc', 'init'] });
  const app = sim.exec(t + 80, init, {
    executable: '/usr/local/bin/python3.11',
    args: ['python3', '/app/worker.py'],
    cwd: '/app',
  });
  sim.end(t + 90, runc);
  sim.connect(t + 300, app, rng.pick(INTERNAL_SERVICES), rng.pick([6379, 5432, 9092]));
  sim.writeFile(t + 500, app, `/tmp/worker-${rng.hex(8)}.json`);
  sim.end(t + rng.int(2_000, 20_000), app);
};

const systemdHousekeeping: Activity = (sim, rng, base, t) => {
  const choice = rng.int(0, 2);
  if (choice === 0) {
    const lr = sim.exec(t, base.systemd, {
      executable: '/usr/sbin/logrotate',
      args: ['/usr/sbin/logrotate', '/etc/logrotate.conf'],
    });
    const gz = run(sim, t + 50, lr, '/usr/bin/gzip', ['/bin/gzip'], 200);
    sim.writeFile(t + 100, gz, '/var/log/nginx/access.log.2.gz');
    sim.writeFile(t + 260, lr, '/var/log/nginx/access.log.7.gz', 'deletion');
    sim.end(t + 300, lr);
  } else if (choice === 1) {
    run(sim, t, base.systemd, '/usr/bin/systemd-tmpfiles', ['systemd-tmpfiles', '--clean'], 80);
  } else {
    const fw = sim.exec(t, base.systemd, {
      executable: '/usr/bin/fwupdmgr',
      args: ['/usr/bin/fwupdmgr', 'refresh'],
    });
    sim.connect(t + 100, fw, '151.101.2.49', 443);
    sim.end(t + 800, fw);
  }
};

const healthCheck: Activity = (sim, rng, base, t) => {
  const sh = sim.exec(t, base.systemd, {
    executable: '/usr/bin/dash',
    args: ['/bin/sh', '-c', 'curl -fsS http://127.0.0.1:8080/healthz'],
  });
  const curl = run(sim, t + 3, sh, '/usr/bin/curl', ['curl', '-fsS', 'http://127.0.0.1:8080/healthz'], 30);
  sim.connect(t + 6, curl, '127.0.0.1', 8080);
  sim.end(t + 40, sh);
};

/** Benign activities with rough weights and their average event cost (for rate planning). */
export const BENIGN_ACTIVITIES: Array<{ weight: number; events: number; run: Activity }> = [
  { weight: 6, events: 8, run: cronJob },
  { weight: 4, events: 18, run: sshSession },
  { weight: 1, events: 40, run: adminApt },
  { weight: 1, events: 14, run: aptDaily },
  { weight: 1, events: 14, run: unattendedUpgrade },
  { weight: 1, events: 30, run: compile },
  { weight: 2, events: 8, run: container },
  { weight: 3, events: 5, run: systemdHousekeeping },
  { weight: 6, events: 7, run: healthCheck },
];

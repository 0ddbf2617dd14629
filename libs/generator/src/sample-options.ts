import type { FleetOptions } from './types';

/** The bundled sample: small enough to ship (< 2 MB), with every seed attack and near miss. */
export const SAMPLE_OPTIONS: FleetOptions = {
  seed: 'sequent-sample-v1',
  hosts: 20,
  durationMs: 10 * 60 * 1000,
  startTime: '2026-01-15T09:00:00.000Z',
  eventsPerSecond: 2.0,
  attacks: [
    { kind: 'apt_hook_shell', count: 2 },
    { kind: 'apt_hook_netcon', count: 2 },
    { kind: 'apt_conf_file', count: 2 },
    { kind: 'dpkg_unusual_parent', count: 2 },
    { kind: 'nping_scan', count: 1 },
    { kind: 'selinux_disable', count: 1 },
    { kind: 'sudo_uid_bypass', count: 1 },
    { kind: 'pid_file_exec', count: 1 },
    { kind: 'nm_apt_hook_slow', count: 1 },
    { kind: 'nm_apt_hook_private_fetch', count: 1 },
    { kind: 'nm_aptget_hook', count: 1 },
    { kind: 'nm_apt_conf_excluded', count: 1 },
    { kind: 'nm_dpkg_query', count: 1 },
    { kind: 'nm_setenforce_enable', count: 1 },
  ],
};

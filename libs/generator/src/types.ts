/** An ECS document in Elastic Defend's shape (nested objects). */
export type EcsEvent = Record<string, unknown>;

export type AttackKind =
  | 'apt_hook_shell'
  | 'apt_hook_netcon'
  | 'apt_conf_file'
  | 'dpkg_unusual_parent'
  | 'nping_scan'
  | 'selinux_disable'
  | 'sudo_uid_bypass'
  | 'pid_file_exec';

export type NearMissKind =
  | 'nm_apt_hook_slow'
  | 'nm_apt_hook_private_fetch'
  | 'nm_aptget_hook'
  | 'nm_apt_conf_excluded'
  | 'nm_dpkg_query'
  | 'nm_setenforce_enable';

export interface AttackRequest {
  kind: AttackKind | NearMissKind;
  count: number;
}

export interface FleetOptions {
  seed: string | number;
  hosts: number;
  durationMs: number;
  /** ISO time or epoch milliseconds of the first event. */
  startTime: string | number;
  /** Approximate rate of benign events across the whole fleet. */
  eventsPerSecond: number;
  attacks: AttackRequest[];
}

export interface Label {
  attack_id: string;
  /** The planted behaviour; `near_miss` labels resemble an attack but must not alert. */
  kind: 'attack' | 'near_miss';
  scenario: AttackKind | NearMissKind;
  /** The rule the behaviour targets (for near misses: the rule that must stay silent). */
  rule_id: string;
  rule_name: string;
  host_id: string;
  event_ids: string[];
}

export interface Fleet {
  events: EcsEvent[];
  labels: Label[];
}

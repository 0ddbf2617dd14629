import { PLANTERS } from './attacks';
import type { AttackKind, AttackRequest, NearMissKind } from './types';

export const SCENARIO_KINDS = Object.keys(PLANTERS) as Array<AttackKind | NearMissKind>;

/** Every seed attack and near miss once: the default mix of `sequent generate`. */
export const DEFAULT_ATTACKS: AttackRequest[] = SCENARIO_KINDS.map((kind) => ({ kind, count: 1 }));

/**
 * Parses a CLI attack list such as `apt_hook_shell:2,nping_scan` (count defaults to 1;
 * `none` means no plants). Unknown kinds and bad counts are reported with the valid choices.
 */
export function parseAttackSpec(spec: string): AttackRequest[] {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  return trimmed.split(',').map((part) => {
    const [kind, countText, extra] = part.trim().split(':');
    if (extra !== undefined || !Object.hasOwn(PLANTERS, kind)) {
      throw new Error(
        `unknown attack "${part.trim()}"; expected KIND[:COUNT] with KIND one of ${SCENARIO_KINDS.join(', ')}`,
      );
    }
    const count = countText === undefined ? 1 : Number(countText);
    if (!Number.isInteger(count) || count < 0 || count > 1000) {
      throw new Error(`bad count in "${part.trim()}": expected an integer 0..1000`);
    }
    return { kind: kind as AttackKind | NearMissKind, count };
  });
}

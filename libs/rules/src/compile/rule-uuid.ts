/**
 * A stable UUID for rules that carry no Kibana saved-object id (TOML rules): a name-based
 * UUID (RFC 4122 version 5) of the rule_id, so the same rule always gets the same uuid.
 */
import { createHash } from 'node:crypto';

/** Our namespace for rule ids (a fixed random UUID). */
const NAMESPACE = 'a6d1b0c4-5f7e-4e8a-9c2d-3b1f0e6d7a58';

export function uuidFromRuleId(ruleId: string): string {
  const ns = Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(ruleId, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

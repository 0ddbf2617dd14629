/**
 * Audit events that an Elastic Agent already coalesced and mapped (auditd_manager, or the
 * auditd integration's coalesce mode) arrive as JSON. The integrations' ingest pipelines
 * then finish them: `auditd.sequence` → `event.sequence`, ports and pids to numbers,
 * `source.path` → `source.address`, `fail` → `failure`, hyphenated keys to underscores,
 * `host.architecture` from `auditd.data.arch`, `related.user`. We apply those steps and keep
 * the agent's `user.audit` / `user.saved` / `user.filesystem` at the root (the pipelines park
 * them under `auditd.user`, where no rule looks).
 */
import { getField, isForbiddenSegment, setField, type Doc } from '../field';

const CATEGORY_REMAP: Record<string, string> = {
  'user-login': 'authentication',
  'user-account': 'iam',
  'group-change': 'iam',
  'audit-rule': 'configuration',
  configuration: 'configuration',
  'mac-decision': 'intrusion_detection',
  'dac-decision': 'intrusion_detection',
  mac: 'intrusion_detection',
  anomaly: 'intrusion_detection',
  'anomaly-response': 'intrusion_detection',
  integrity: 'file',
};

function underscoreKeys(node: unknown, depth = 0): unknown {
  if (depth > 64 || node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((v) => underscoreKeys(v, depth + 1));
  const out: Doc = {};
  for (const [k, v] of Object.entries(node as Doc)) {
    if (isForbiddenSegment(k)) continue; // a document never sets a prototype
    out[k.includes('-') ? k.replace(/-/g, '_') : k] = underscoreKeys(v, depth + 1);
  }
  return out;
}

function toLong(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const n = Number(v);
  return v.trim() !== '' && Number.isSafeInteger(n) ? n : v;
}

const DATA_LONGS = [
  'removed',
  'items',
  'lport',
  'rport',
  'sport',
  'dport',
  'entries',
  'argc',
  'seqno',
  'nargs',
  'socket.port',
  'old_vcpu',
  'new_vcpu',
  'changed',
  'added',
  'spid',
  'opid',
  'nlnk_pid',
  'vm_pid',
  'audit_pid',
];

function copyField(doc: Doc, from: string, to: string): void {
  const v = getField(doc, from);
  if (v === null || getField(doc, to) !== null) return;
  setField(doc, to, structuredClone(v));
}

function moveField(doc: Doc, from: string, to: string): void {
  const v = getField(doc, from);
  if (v === null || getField(doc, to) !== null) return;
  deleteField(doc, from);
  setField(doc, to, v);
}

function deleteField(doc: Doc, path: string): void {
  const segs = path.split('.');
  let node: unknown = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Doc)[segs[i]];
  }
  if (node !== null && typeof node === 'object') delete (node as Doc)[segs[segs.length - 1]];
}

/** Finishes an agent-coalesced audit event as the integration pipelines do. */
export function finishAgentAuditEvent(input: Doc): Doc {
  const doc = underscoreKeys(input) as Doc;
  const original = getField(doc, 'event.original');
  if (Array.isArray(original)) {
    setField(doc, 'auditd.messages', original);
    setField(doc, 'event.original', original.join('\n'));
  }
  moveField(doc, 'source.path', 'source.address');
  moveField(doc, 'destination.path', 'destination.address');
  if (getField(doc, 'event.outcome') === 'fail') setField(doc, 'event.outcome', 'failure');
  // The pipelines park these under auditd.*: we keep the ECS ones at the root for rules and
  // copy them there too, so the vendor namespace reads as the integration's.
  for (const f of ['audit', 'new_auid', 'old_auid', 'saved', 'filesystem'])
    copyField(doc, `user.${f}`, `auditd.user.${f}`);
  moveField(doc, 'user.selinux', 'auditd.user.selinux');
  deleteField(doc, 'user.selinux');
  moveField(doc, 'file.selinux', 'auditd.file.selinux');
  for (const f of DATA_LONGS) {
    const v = getField(doc, `auditd.data.${f}`);
    if (v !== null) setField(doc, `auditd.data.${f}`, toLong(v));
  }
  moveField(doc, 'auditd.sequence', 'event.sequence');
  moveField(doc, 'auditd.data.id', 'event.id');
  const cat = getField(doc, 'event.category');
  if (typeof cat === 'string') {
    if (CATEGORY_REMAP[cat]) setField(doc, 'event.category', [CATEGORY_REMAP[cat]]);
    else deleteField(doc, 'event.category');
  } else if (Array.isArray(cat)) setField(doc, 'event.category', [...new Set(cat)]);
  const type = getField(doc, 'event.type');
  if (Array.isArray(type)) setField(doc, 'event.type', [...new Set(type)]);
  const arch = getField(doc, 'auditd.data.arch');
  if (typeof arch === 'string' && arch && getField(doc, 'host.architecture') === null)
    setField(doc, 'host.architecture', arch);
  for (const f of [
    'destination.port',
    'source.port',
    'process.pid',
    'process.exit_code',
    'process.parent.pid',
    'event.sequence',
  ]) {
    const v = getField(doc, f);
    if (v !== null) setField(doc, f, toLong(v));
  }
  const names = new Set<string>();
  for (const f of [
    'user.name',
    'user.audit.name',
    'user.effective.name',
    'user.target.name',
    'user.changes.name',
    'user.filesystem.name',
    'user.saved.name',
  ]) {
    const v = getField(doc, f);
    if (typeof v === 'string' && v) names.add(v);
  }
  if (names.size) setField(doc, 'related.user', [...names]);
  if (getField(doc, 'event.kind') === null) setField(doc, 'event.kind', 'event');
  return doc;
}

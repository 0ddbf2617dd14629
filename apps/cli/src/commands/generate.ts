import { writeFileSync } from 'node:fs';
import {
  DEFAULT_ATTACKS,
  formatEvents,
  generateFleet,
  OUTPUT_FORMATS,
  parseAttackSpec,
  type EcsEvent,
  type OutputFormat,
} from '@sequent/generator';
import { createKafka, kafkaSettings } from '@sequent/platform';
import { UsageError, type Command } from '../command';
import { durationFlag, intFlag, parseFlags } from '../args';

const USAGE = `
Usage: sequent generate [--hosts N] [--duration 1h] [--rate EPS] [--seed S] [--start ISO]
                        [--attacks KIND[:N],...|none] [--format ecs|auditd|sysmon-linux]
                        [--out FILE|-] [--labels FILE] [--http URL [--token T]] [--kafka BROKERS --topic T]

Simulates a Linux fleet (systemd, cron, sshd sessions, apt/dpkg with their hook scripts, fetches,
compilers, containers, scripts) deterministically from --seed, with planted attacks for the seed
rules and other corpus rules (and near misses that must stay silent). --labels writes which events
form which attack. Output goes to --out (default stdout), to an ingest HTTP endpoint
(POST NDJSON batches, ECS only) or to a Kafka topic (one message per event, keyed by host.id).

Defaults: --hosts 20 --duration 10m --rate 2 --seed sequent --format ecs, every attack kind once.
`;

const HTTP_BATCH = 500;

async function postBatches(url: string, token: string | undefined, events: EcsEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += HTTP_BATCH) {
    const body = formatEvents(events.slice(i, i + HTTP_BATCH), 'ecs');
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(url, { method: 'POST', headers, body });
    if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text()}`);
  }
}

async function produceToKafka(brokers: string, topic: string, events: EcsEvent[]): Promise<void> {
  const settings = kafkaSettings.parse({ brokers: brokers.split(','), clientId: 'sequent-generate' });
  const producer = createKafka(settings).producer();
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += HTTP_BATCH) {
      const messages = events.slice(i, i + HTTP_BATCH).map((e) => {
        const host = (e.host as { id?: unknown } | undefined)?.id;
        return { key: typeof host === 'string' ? host : null, value: JSON.stringify(e) };
      });
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Generate realistic Linux fleet telemetry with planted attacks',
  usage: USAGE,
  async run(args) {
    const { values } = parseFlags(args, {
      hosts: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      attacks: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      labels: { type: 'string' },
      http: { type: 'string' },
      token: { type: 'string' },
      kafka: { type: 'string' },
      topic: { type: 'string' },
    });
    const format = (values.format ?? 'ecs') as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
    const rate = values.rate === undefined ? 2 : Number(values.rate);
    if (!(rate > 0)) throw new UsageError(`--rate must be a positive number of events per second`);
    const start = values.start ?? '2026-01-15T09:00:00.000Z';
    if (Number.isNaN(Date.parse(start)))
      throw new UsageError(`--start must be an ISO time, got ${JSON.stringify(start)}`);
    if (values.kafka && !values.topic) throw new UsageError('--kafka needs --topic');
    if ((values.http || values.kafka) && format !== 'ecs')
      throw new UsageError('--http and --kafka send ECS events; use --format ecs');
    let attacks = DEFAULT_ATTACKS;
    if (values.attacks !== undefined) {
      try {
        attacks = parseAttackSpec(values.attacks);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }

    const fleet = generateFleet({
      seed: values.seed ?? 'sequent',
      hosts: intFlag(values.hosts, 'hosts', 20),
      durationMs: durationFlag(values.duration, 'duration', 10 * 60_000),
      startTime: start,
      eventsPerSecond: rate,
      attacks,
    });
    if (values.labels) writeFileSync(values.labels, JSON.stringify(fleet.labels, null, 2) + '\n');
    if (values.http) await postBatches(values.http, values.token, fleet.events);
    if (values.kafka) await produceToKafka(values.kafka, values.topic!, fleet.events);
    if (!values.http && !values.kafka) {
      const text = formatEvents(fleet.events, format);
      if (!values.out || values.out === '-') process.stdout.write(text);
      else writeFileSync(values.out, text);
    }
    process.stderr.write(
      `sequent generate: ${fleet.events.length} events, ${fleet.labels.length} planted (${fleet.labels.filter((l) => l.kind === 'attack').length} attacks)\n`,
    );
    return 0;
  },
};

import { existsSync } from 'node:fs';
import path from 'node:path';
import { NORMALIZE_FORMATS, NORMALIZE_SHAPES, type NormalizeFormat, type NormalizeShape } from '@sequent/ecs';
import { DetectionEngine, MemoryStateStore } from '@sequent/engine';
import {
  CorrelatorStage,
  EmbeddedAlerterStage,
  EmbeddedPipeline,
  IngestStage,
  MemoryBus,
} from '@sequent/pipeline';
import { decodeDlqOriginal, Metrics, startOpsServer, type DlqEnvelope } from '@sequent/platform';
import { loadRules } from '@sequent/rules';
import { UsageError, type Command } from '../command';
import { intFlag, takeMulti, parseFlags } from '../args';
import { readLines, writeLine } from '../io';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const inRepo = (p: string) => (existsSync(path.join(repoRoot, p)) ? path.join(repoRoot, p) : p);
const TOPICS = {
  raw: 'raw',
  events: 'ecs.events',
  candidates: 'alerts.candidates',
  alerts: 'alerts',
  dlq: { ingest: 'ingest.dlq', correlator: 'correlator.dlq', alerter: 'alerts.dlq' },
};
const FEED_CHUNK = 500;

const USAGE = `
Usage: sequent start [--rules PATH...] [--events FILE|-] [--format ecs|auditd|auditd-records|sysmon-linux]
                     [--shape integration|endpoint] [--lateness MS] [--metrics-port N] [--follow]

The embedded wiring: ingest, correlator and alerter in one process, on an in-memory bus and
in-memory state, running the same stage code as the services. Defaults: the bundled rules
(rules/) and the bundled sample fleet (samples/fleet.ndjson). Alerts are printed as NDJSON on
stdout; DLQ entries and a summary go to stderr; /metrics, /healthz and /readyz are served on
--metrics-port (default 9464, 0 for none) while it runs.

--events -       reads events from stdin as they come (e.g. \`tail -F audit.log | sequent start --format auditd -\`)
--format F       how to read the events (default ecs); --shape endpoint (the default for raw auditd
                 and Sysmon) gives the Elastic Defend view most Linux rules are written for
--lateness MS    allowed event lateness of the reorder buffer (default 5000)
--follow         keep serving /metrics after the input ends, until SIGINT/SIGTERM
`;

export const startCommand: Command = {
  name: 'start',
  summary: 'Run the whole pipeline in one process (in-memory bus and state)',
  usage: USAGE,
  async run(argv) {
    const [rulesArg, rest] = takeMulti(argv, '--rules');
    const { values, positionals } = parseFlags(
      rest,
      {
        events: { type: 'string' },
        format: { type: 'string' },
        shape: { type: 'string' },
        lateness: { type: 'string' },
        'metrics-port': { type: 'string' },
        follow: { type: 'boolean' },
      },
      true,
    );
    const format = (values.format ?? 'ecs') as NormalizeFormat;
    if (!NORMALIZE_FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${NORMALIZE_FORMATS.join(', ')}`);
    const shape = (values.shape ?? (format === 'ecs' ? 'integration' : 'endpoint')) as NormalizeShape;
    if (!NORMALIZE_SHAPES.includes(shape))
      throw new UsageError(`--shape must be one of ${NORMALIZE_SHAPES.join(', ')}`);
    const events = values.events ?? positionals[0] ?? inRepo('samples/fleet.ndjson');
    const rulePaths = rulesArg.length > 0 ? rulesArg : [inRepo('rules')];
    const lateness = values.lateness === undefined ? 5000 : Number(values.lateness);
    if (!Number.isInteger(lateness) || lateness < 0)
      throw new UsageError('--lateness must be a whole number of ms');
    const metricsPort =
      values['metrics-port'] === '0' ? 0 : intFlag(values['metrics-port'], 'metrics-port', 9464);

    const loaded = loadRules(rulePaths);
    for (const r of loaded.reports)
      if (r.status === 'failed')
        process.stderr.write(`sequent start: rule not loaded: ${r.source}: ${r.errors.join('; ')}\n`);
    for (const u of loaded.unsupported)
      process.stderr.write(`sequent start: rule not run: ${u.meta.rule_id} (${u.meta.name}): ${u.reason}\n`);
    if (loaded.rules.length === 0) {
      process.stderr.write('sequent start: no rule could be loaded\n');
      return 1;
    }

    const metrics = new Metrics({ service: 'sequent-embedded' });
    const bus = new MemoryBus();
    const pipeline = new EmbeddedPipeline({
      bus,
      metrics,
      stages: [
        {
          stage: new IngestStage({
            eventsTopic: TOPICS.events,
            sources: [{ topic: TOPICS.raw, format, shape }],
          }),
          inputTopics: [TOPICS.raw],
          dlqTopic: TOPICS.dlq.ingest,
        },
        {
          stage: new CorrelatorStage({
            engine: new DetectionEngine(loaded.rules),
            store: new MemoryStateStore(),
            candidatesTopic: TOPICS.candidates,
            reorder: { allowedLatenessMs: lateness },
          }),
          inputTopics: [TOPICS.events],
          dlqTopic: TOPICS.dlq.correlator,
        },
        {
          stage: new EmbeddedAlerterStage({
            bus,
            alertsTopic: TOPICS.alerts,
            dlqTopic: TOPICS.dlq.alerter,
            metrics,
          }),
          inputTopics: [TOPICS.candidates],
          dlqTopic: TOPICS.dlq.alerter,
        },
      ],
    });

    let alerts = 0;
    const dlqByStage: Record<string, number> = {};
    await pipeline.start();
    await pipeline.tap([TOPICS.alerts], async (r) => {
      alerts++;
      await writeLine(r.value.toString('utf8'));
    });
    await pipeline.tap(Object.values(TOPICS.dlq), (r) => {
      const envelope = JSON.parse(r.value.toString('utf8')) as DlqEnvelope;
      dlqByStage[envelope.stage] = (dlqByStage[envelope.stage] ?? 0) + 1;
      const original = decodeDlqOriginal(envelope).toString('utf8').slice(0, 200);
      process.stderr.write(
        JSON.stringify({ dlq: envelope.stage, reason: envelope.reason, error: envelope.error, original }) +
          '\n',
      );
    });
    const ops = metricsPort
      ? await startOpsServer({
          host: '127.0.0.1',
          port: metricsPort,
          metrics,
          readiness: { pipeline: () => true },
        })
      : undefined;

    let sent = 0;
    let chunk: string[] = [];
    const feed = async () => {
      await pipeline.feed(TOPICS.raw, [{ value: chunk.join('\n') }]);
      await pipeline.bus.drain();
      chunk = [];
    };
    for await (const line of readLines(events)) {
      if (line.trim() === '') continue;
      chunk.push(line);
      sent++;
      if (chunk.length >= FEED_CHUNK) await feed();
    }
    if (chunk.length > 0) await feed();
    await pipeline.finish();

    const dlqTotal = Object.values(dlqByStage).reduce((a, b) => a + b, 0);
    process.stderr.write(
      `sequent start: ${loaded.rules.length} rules, ${sent} input lines, ${alerts} alerts, ${dlqTotal} dead-lettered` +
        (dlqTotal
          ? ` (${Object.entries(dlqByStage)
              .map(([s, n]) => `${s}: ${n}`)
              .join(', ')})`
          : '') +
        (ops ? `; metrics on http://127.0.0.1:${ops.port}/metrics` : '') +
        '\n',
    );
    if (values.follow && ops) {
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    await pipeline.stop();
    await ops?.close();
    return 0;
  },
};

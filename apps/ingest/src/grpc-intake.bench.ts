// Throughput of the gRPC intake on one machine (client and server in one process, Kafka faked):
// `node --require ./tools/harness/src/swc-register.js apps/ingest/src/grpc-intake.bench.ts`
import { createLogger, DlqProducer, Metrics, type KafkaBus } from '@sequent/platform';
import { IngestClient } from './grpc-client';
import { startGrpcIntake } from './grpc-intake';
import { ingestMetrics } from './ingest-metrics';

async function main() {
  const batches = Number(process.argv[2] ?? 200);
  const perBatch = Number(process.argv[3] ?? 1000);
  let produced = 0;
  const bus = {
    produce: async (_t: string, r: unknown[]) => void (produced += r.length),
  } as unknown as KafkaBus;
  const metrics = new Metrics({ service: 'ingest', defaultMetrics: false });
  const server = await startGrpcIntake({
    host: '127.0.0.1',
    port: 0,
    authToken: 'bench-token-0123456789',
    maxMessageBytes: 16 * 1024 * 1024,
    maxInFlightBatches: 16,
    bus,
    eventsTopic: 'e',
    dlq: new DlqProducer(bus, 'd', 'ingest', metrics),
    metrics: ingestMetrics(metrics),
    logger: createLogger({ level: 'error' }),
    isReady: () => true,
  });
  const lines = Array.from({ length: perBatch }, (_, i) =>
    JSON.stringify({
      '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(),
      host: { id: `h-${i % 50}`, name: `host-${i % 50}` },
      event: { category: ['process'], type: ['start'], action: 'exec' },
      process: { pid: 1000 + i, name: 'bash', executable: '/bin/bash', args: ['bash', '-c', 'id'] },
      user: { name: 'root', id: '0' },
    }),
  );
  const client = new IngestClient({ address: `127.0.0.1:${server.port}`, token: 'bench-token-0123456789' });
  const t0 = process.hrtime.bigint();
  const summary = await client.ingest(Array.from({ length: batches }, () => ({ format: 'ecs', lines })));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const bytes = lines.reduce((n, l) => n + l.length, 0) * batches;
  console.log(
    `grpc intake: ${summary.accepted} ECS events in ${s.toFixed(2)} s = ${Math.round(summary.accepted / s)} events/s, ${(bytes / s / 1e6).toFixed(1)} MB/s (batches of ${perBatch}; produced ${produced})`,
  );
  client.close();
  await server.close();
}
void main();

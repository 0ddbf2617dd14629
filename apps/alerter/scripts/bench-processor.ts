// Throughput of the alerter's decisions (parse, dedupe, risk, suppression, cap, entity risk)
// on memory stores, and on the Redis stores when SEQUENT_REDIS_URL is set.
//   node --require ./tools/harness/src/swc-register.js apps/alerter/scripts/bench-processor.ts [N]
import { AlertProcessor, buildCandidate, memoryAlertingStores, type AlertingStores } from '@sequent/alerting';
import { createRedisClient } from '@sequent/platform';
import { randomBytes } from 'node:crypto';
import { RedisAlertDeduper } from '../src/dedupe';
import { RedisEntityRiskStore, RedisRateCapStore, RedisSuppressionStore } from '../src/redis-stores';

const n = Number(process.argv[2] ?? 50_000);
const batchSize = 500;
const now = Date.now();
const candidates = Array.from({ length: n }, (_, i) =>
  Buffer.from(
    JSON.stringify(
      buildCandidate({
        uuid: `bench-${i}`,
        ruleId: `rule-${i % 50}`,
        host: `host-${i % 1000}`,
        user: `user-${i % 300}`,
        riskScore: 21 + (i % 79),
        time: new Date(now - (i % 3600) * 1000).toISOString(),
        parameters:
          i % 50 < 10
            ? {
                alert_suppression: { group_by: ['host.name'], duration: { value: 5, unit: 'm' } },
                max_signals: 1_000_000,
              }
            : { max_signals: 1_000_000 },
      }),
    ),
  ),
);

async function bench(label: string, stores: AlertingStores) {
  const processor = new AlertProcessor(stores);
  let alerts = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i += batchSize) {
    const outcome = await processor.process(
      candidates.slice(i, i + batchSize).map((value, j) => ({ ref: i + j, value })),
      now,
    );
    await outcome.commit();
    alerts += outcome.alerts.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    JSON.stringify({
      bench: label,
      candidates: n,
      alerts,
      seconds: +seconds.toFixed(3),
      per_second: Math.round(n / seconds),
    }) + '\n',
  );
}

async function main() {
  await bench('alerting-memory', memoryAlertingStores());
  const url = process.env.SEQUENT_REDIS_URL;
  if (!url) return;
  const prefix = `bench-${randomBytes(3).toString('hex')}:`;
  const redis = createRedisClient({
    url,
    tls: false,
    sentinels: [],
    sentinelMasterName: 'm',
    clusterNodes: [],
    keyPrefix: prefix,
  });
  await bench('alerting-redis', {
    dedupe: new RedisAlertDeduper(redis, prefix, 3600),
    suppression: new RedisSuppressionStore(redis, prefix),
    rateCap: new RedisRateCapStore(redis, prefix),
    entityRisk: new RedisEntityRiskStore(
      redis,
      prefix,
      { windowMs: 30 * 86_400_000, maxInputs: 1000 },
      100_000,
    ),
  });
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  await redis.quit();
}

void main();

/**
 * `npm run fuzz`: hostile input through the whole pipeline (see tools/fuzz/README.md).
 *
 * Usage: npm run fuzz -- [--seed N] [--count N] [--join-keys N] [--giants N] [--max-rss-mb N] [--max-keys-per-rule N]
 *                        [--services [--count N]]
 *
 * Prints `sent=N processed=N dlq=N lost=0 crashes=0` and the peak memory; exits 1 when a check fails.
 */
import { DEFAULT_EMBEDDED, runEmbeddedFuzz, type FuzzReport } from './src/embedded';
import { DEFAULT_SERVICES, runServicesFuzz } from './src/services';
import { formatReport } from './src/report';

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function intFlag(argv: string[], name: string, fallback: number): number {
  const raw = flag(argv, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${raw}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const seed = intFlag(argv, '--seed', Date.now() % 2 ** 31);
  const services = argv.includes('--services');
  console.log(`fuzz: seed=${seed} (reproduce with --seed ${seed})`);
  let report: FuzzReport;
  if (services) {
    report = await runServicesFuzz({
      seed,
      count: intFlag(argv, '--count', DEFAULT_SERVICES.count),
      log: (l) => console.log(l),
    });
  } else {
    report = await runEmbeddedFuzz({
      seed,
      count: intFlag(argv, '--count', DEFAULT_EMBEDDED.count),
      joinKeys: intFlag(argv, '--join-keys', DEFAULT_EMBEDDED.joinKeys),
      giants: intFlag(argv, '--giants', DEFAULT_EMBEDDED.giants),
      maxRssMb: intFlag(argv, '--max-rss-mb', DEFAULT_EMBEDDED.maxRssMb),
      maxKeysPerRule: intFlag(argv, '--max-keys-per-rule', DEFAULT_EMBEDDED.maxKeysPerRule ?? 100_000),
      log: (l) => console.log(l),
    });
  }
  console.log(formatReport(report));
  return report.problems.length === 0 && report.lost === 0 && report.crashes === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

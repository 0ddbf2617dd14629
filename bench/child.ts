// Runs one bench module (argv[2]) and prints its figures as JSON lines.
import path from 'node:path';

type Figure = Record<string, unknown>;

async function main(): Promise<void> {
  const file = process.argv[2];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(file)) as { default: () => Promise<Figure[]> };
  const figures = await mod.default();
  for (const figure of figures) console.log(JSON.stringify(figure));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

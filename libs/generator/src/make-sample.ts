/**
 * Regenerates samples/fleet.ndjson and samples/fleet.labels.json from SAMPLE_OPTIONS.
 * Run from the repo root after a build: `node tools/build.mjs && node dist/libs/generator/src/make-sample.js`
 * (optional argument: the output folder, default `samples`). The output is byte-identical on every run (a test checks it against the committed files).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { generateFleet } from './fleet';
import { toNdjson } from './writers/ndjson';
import { SAMPLE_OPTIONS } from './sample-options';
import type { Fleet } from './types';

export function renderSample(): { ndjson: string; labels: string; fleet: Fleet } {
  const fleet = generateFleet(SAMPLE_OPTIONS);
  return { ndjson: toNdjson(fleet.events), labels: JSON.stringify(fleet.labels, null, 2) + '\n', fleet };
}

export function writeSample(samplesDir: string): void {
  const { ndjson, labels } = renderSample();
  mkdirSync(samplesDir, { recursive: true });
  writeFileSync(path.join(samplesDir, 'fleet.ndjson'), ndjson);
  writeFileSync(path.join(samplesDir, 'fleet.labels.json'), labels);
}

if (require.main === module) {
  writeSample(path.resolve(process.cwd(), process.argv[2] ?? 'samples'));
}

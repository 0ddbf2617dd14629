// Reloads the rules when their files change (a ConfigMap mount swaps its files in place), so a
// rule update needs no restart. Polls a cheap fingerprint (paths, sizes, modification times);
// only a changed fingerprint pays for a reload.
import { statSync } from 'node:fs';
import { collectRuleFiles, loadRules, type LoadResult } from '@sequent/rules';
import type { Logger } from '@sequent/platform';

export function rulesFingerprint(paths: readonly string[]): string {
  const { files } = collectRuleFiles(paths);
  return files
    .map((f) => {
      try {
        const st = statSync(f); // follows the ConfigMap's ..data symlink
        return `${f}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${f}:gone`;
      }
    })
    .sort()
    .join('\n');
}

export interface RulesReloaderOptions {
  paths: readonly string[];
  intervalMs: number;
  logger: Logger;
  onReload(loaded: LoadResult): Promise<void>;
}

export class RulesReloader {
  private fingerprint: string;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: RulesReloaderOptions) {
    this.fingerprint = rulesFingerprint(options.paths);
  }

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.check())).catch(() => undefined);
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Reloads when the files changed; resolves true when it did. */
  async check(): Promise<boolean> {
    const now = rulesFingerprint(this.options.paths);
    if (now === this.fingerprint) return false;
    this.fingerprint = now;
    try {
      const loaded = loadRules(this.options.paths);
      await this.options.onReload(loaded);
      return true;
    } catch (err) {
      this.options.logger.error('rules reload failed; the previous rules stay in force', {
        error: (err as Error).message,
      });
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@sequent/platform';
import type { LoadResult } from '@sequent/rules';
import { RulesReloader } from './rules-reload';

const rule = (id: string, query: string) => `
[metadata]
creation_date = "2026/01/01"
maturity = "production"
updated_date = "2026/01/01"

[rule]
author = ["test"]
description = "test"
from = "now-9m"
index = ["logs-*"]
language = "kuery"
license = "Apache-2.0"
name = "Rule ${id}"
risk_score = 21
rule_id = "${id}"
severity = "low"
type = "query"
query = '${query}'
`;

describe('RulesReloader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sequent-reload-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reloads only when a rule file is added, changed or removed', async () => {
    writeFileSync(path.join(dir, 'a.toml'), rule('a', 'process.name:a'));
    const loads: LoadResult[] = [];
    const reloader = new RulesReloader({
      paths: [dir],
      intervalMs: 0,
      logger: createLogger({ level: 'error' }),
      onReload: async (loaded) => void loads.push(loaded),
    });
    expect(await reloader.check()).toBe(false);

    writeFileSync(path.join(dir, 'b.toml'), rule('b', 'process.name:b'));
    expect(await reloader.check()).toBe(true);
    expect(loads[0].rules.map((r) => r.meta.rule_id).sort()).toEqual(['a', 'b']);
    expect(await reloader.check()).toBe(false);

    writeFileSync(path.join(dir, 'a.toml'), rule('a', 'process.name:changed'));
    utimesSync(path.join(dir, 'a.toml'), new Date(), new Date(Date.now() + 5000));
    expect(await reloader.check()).toBe(true);
    expect(loads[1].rules.find((r) => r.meta.rule_id === 'a')?.meta.query).toBe('process.name:changed');

    rmSync(path.join(dir, 'b.toml'));
    expect(await reloader.check()).toBe(true);
    expect(loads[2].rules.map((r) => r.meta.rule_id)).toEqual(['a']);
  });
});

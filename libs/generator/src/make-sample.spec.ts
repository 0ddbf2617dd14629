import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderSample } from './make-sample';

describe('bundled sample', () => {
  const samples = path.resolve(__dirname, '../../../samples');
  const rendered = renderSample();

  it('is reproduced byte for byte by make-sample', () => {
    expect(readFileSync(path.join(samples, 'fleet.ndjson'), 'utf8')).toBe(rendered.ndjson);
    expect(readFileSync(path.join(samples, 'fleet.labels.json'), 'utf8')).toBe(rendered.labels);
  });

  it('stays small and carries every seed attack', () => {
    expect(Buffer.byteLength(rendered.ndjson)).toBeLessThanOrEqual(2 * 1024 * 1024);
    const scenarios = new Set(rendered.fleet.labels.map((l) => l.scenario));
    for (const s of ['apt_hook_shell', 'apt_hook_netcon', 'apt_conf_file', 'dpkg_unusual_parent'])
      expect(scenarios.has(s as never)).toBe(true);
  });
});

// Found by hardening (tools/fuzz): one event nested 10^4 deep in an events file overflowed the
// stack of `sequent hunt` (field access) and failed every query of `sequent search`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEventLine, readNdjson } from './io';

describe('events files with documents nested too deep', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'sequent-io-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the deep line with its number and keeps the others', async () => {
    const file = path.join(dir, 'events.ndjson');
    writeFileSync(
      file,
      [
        '{"@timestamp":"2026-01-01T00:00:00Z","n":1}',
        `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
        '{"@timestamp":"2026-01-01T00:00:01Z","n":2}',
      ].join('\n'),
    );
    const errors: Array<[number, string]> = [];
    const events = await readNdjson(file, (line, message) => errors.push([line, message]));
    expect(events).toEqual([
      { '@timestamp': '2026-01-01T00:00:00Z', n: 1 },
      { '@timestamp': '2026-01-01T00:00:01Z', n: 2 },
    ]);
    expect(errors).toEqual([[2, 'event nests deeper than 32 levels']]);
  });

  it('keeps large and wide documents (only depth is limited on the CLI)', () => {
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, i]));
    expect(parseEventLine(JSON.stringify(wide))).toEqual(wide);
    expect(() => parseEventLine('{"a":' + '{"b":'.repeat(40) + '1' + '}'.repeat(41))).toThrow(
      /deeper than 32/,
    );
  });
});

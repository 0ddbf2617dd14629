import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { compileFieldGetter } from '@sequent/ecs';
import type { CompiledStage, StageLiteral } from './compiled';
import { compileEql } from './index';

const literals = (q: string): StageLiteral[] | undefined => compileEql(q).stages[0].literals;

/** True when the event satisfies every necessary literal of the stage. */
function satisfies(stage: CompiledStage, event: unknown): boolean {
  return (stage.literals ?? []).every((l) => {
    const v = compileFieldGetter(l.field)(event);
    const values = (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== null).map(String);
    return values.some((x) => l.values.includes(l.caseInsensitive ? x.toLowerCase() : x));
  });
}

describe('stage literals (pre-filter hints)', () => {
  it('draws necessary literals from top-level conjuncts', () => {
    expect(
      literals(
        'process where event.action == "exec" and process.name in ("curl", "wget") and file.name : "X.SH"',
      ),
    ).toEqual([
      { field: 'event.action', values: ['exec'], caseInsensitive: false },
      { field: 'process.name', values: ['curl', 'wget'], caseInsensitive: false },
      { field: 'file.name', values: ['x.sh'], caseInsensitive: true },
    ]);
    expect(literals('any where (a == "x" or a == "y" or a in ("z")) and b like~ ("Q")')).toEqual([
      { field: 'a', values: ['x', 'y', 'z'], caseInsensitive: false },
      { field: 'b', values: ['q'], caseInsensitive: true },
    ]);
  });

  it('never draws from negations, wildcards, disjunctions over fields, or non-plain literals', () => {
    for (const q of [
      'any where not a == "x"',
      'any where a != "x"',
      'any where a not in ("x")',
      'any where a : "x*"',
      'any where a like "x?"',
      'any where a regex "x"',
      'any where a == "x" or b == "y"',
      'any where a == "123"',
      'any where a in ("x", "1.5")',
      'any where a == "2024-01-01"',
      'any where a == "1.2.3"',
      'any where a == "true"',
      'any where a == 5',
      'any where length(a) == 5',
    ])
      expect(literals(q)).toEqual([]);
  });

  const REPO = path.resolve(__dirname, '../../../..');
  const CORPUS = path.join(path.resolve(REPO, '..', 'shared'), 'corpus/detection-rules');
  const SAMPLE = path.join(REPO, 'samples/fleet.ndjson');
  const present = existsSync(CORPUS) && existsSync(SAMPLE);
  if (!present)
    console.warn('literals.spec: corpus check skipped, ../shared corpus or samples/fleet.ndjson absent');
  (present ? it : it.skip)('never rejects an event a corpus stage matches', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n.endsWith('.toml')) files.push(p);
      }
    };
    walk(CORPUS);
    const stages: CompiledStage[] = [];
    for (const f of files) {
      const rule = (
        parse(readFileSync(f, 'utf8')) as unknown as { rule?: { language?: string; query?: string } }
      ).rule;
      if (rule?.language !== 'eql' || !rule.query) continue;
      const c = compileEql(rule.query);
      stages.push(...c.stages, ...(c.kind === 'sequence' && c.until ? [c.until] : []));
    }
    const events = readFileSync(SAMPLE, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .filter((_, i) => i % 4 === 0)
      .map((l) => JSON.parse(l) as unknown);
    let matches = 0;
    for (const s of stages)
      for (const e of events)
        if (s.condition(e)) {
          matches++;
          expect(satisfies(s, e)).toBe(true);
        }
    const selective = stages.filter((s) =>
      (s.literals ?? []).some((l) => !/^(host\.os\.type|event\.)/.test(l.field)),
    ).length;
    console.log(
      `stage literals: ${stages.length} stages, ${selective} with a selective literal, ${matches} matches checked`,
    );
    expect(matches).toBeGreaterThan(0);
  });
});

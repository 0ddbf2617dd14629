import { compileEql } from '@sequent/rules';
import { searchEql, type EqlQuery, type EqlSearchResult } from '@sequent/engine';
import type { Command } from '../command';
import { parseFlags } from '../args';
import { UsageError } from '../command';
import { parseEventLine, readLines, writeLine } from '../io';

export interface SearchQueryLine {
  id: unknown;
  query?: unknown;
  size?: unknown;
  /** Extension: Elasticsearch's `max_samples_per_key` for `sample` queries (default 1). */
  max_samples_per_key?: unknown;
}

export interface SearchOptions {
  timestampField?: string;
  tiebreakerField?: string;
}

export type EqlCompiler = (text: string, options: SearchOptions) => EqlQuery;

// The compiled stages carry `optionalKeys` (`?field` join keys join on null).
const defaultCompiler: EqlCompiler = (text, options) =>
  compileEql(text, {
    timestampField: options.timestampField,
    tiebreakerField: options.tiebreakerField,
  });

/**
 * Runs one query line over the events: the `sequent search` output object for it. Never
 * throws: a query that cannot be compiled or run yields `{id, error}`.
 */
export function searchOne(
  events: readonly unknown[],
  line: SearchQueryLine,
  options: SearchOptions,
  compile: EqlCompiler = defaultCompiler,
): { id: unknown } & (EqlSearchResult | { error: string }) {
  const id = line.id ?? null;
  try {
    if (typeof line.query !== 'string') return { id, error: 'the query line needs a "query" string' };
    let size: number | undefined;
    if (line.size !== undefined && line.size !== null) {
      if (typeof line.size !== 'number' || !Number.isInteger(line.size) || line.size < 0)
        return { id, error: `"size" must be a non-negative integer, got ${JSON.stringify(line.size)}` };
      size = line.size;
    }
    let maxSamplesPerKey: number | undefined;
    if (line.max_samples_per_key !== undefined && line.max_samples_per_key !== null) {
      const m = line.max_samples_per_key;
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 1)
        return { id, error: `"max_samples_per_key" must be a positive integer, got ${JSON.stringify(m)}` };
      maxSamplesPerKey = m;
    }
    const compiled = compile(line.query, options);
    const result = searchEql(events, compiled, {
      size,
      maxSamplesPerKey,
      timestampField: options.timestampField,
      tiebreakerField: options.tiebreakerField,
    });
    return { id, ...result };
  } catch (err) {
    return { id, error: err instanceof Error ? err.message : String(err) };
  }
}

const stripBom = (line: string): string => (line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);

async function readEvents(
  file: string,
  onError: (line: number, message: string) => void,
): Promise<unknown[]> {
  const out: unknown[] = [];
  let n = 0;
  for await (const raw of readLines(file)) {
    n++;
    const line = n === 1 ? stripBom(raw) : raw;
    if (line.trim() === '') continue;
    try {
      out.push(parseEventLine(line));
    } catch (err) {
      onError(n, (err as Error).message);
    }
  }
  return out;
}

export const searchCommand: Command = {
  name: 'search',
  summary: 'Run EQL queries over a file of events (Elasticsearch semantics)',
  usage: `
Usage: sequent search --events FILE.ndjson --query-file QUERIES.ndjson [--timestamp-field F] [--tiebreaker-field F]

QUERIES.ndjson holds one {"id": "...", "query": "<EQL>", "size": N} per line (size optional, default 10;
"max_samples_per_key": N optional for sample queries, default 1).
Prints one NDJSON line per query, in input order: {"id", "events"}, {"id", "sequences"}, {"id", "samples"}
or {"id", "error"} for a query that is rejected. Events are returned whole, as given.

--timestamp-field F   field that orders events (default @timestamp; epoch ms or ISO 8601)
--tiebreaker-field F  field that orders events with equal timestamps
`,
  async run(args) {
    const { values } = parseFlags(args, {
      events: { type: 'string' },
      'query-file': { type: 'string' },
      'timestamp-field': { type: 'string' },
      'tiebreaker-field': { type: 'string' },
    });
    if (!values.events) throw new UsageError('--events FILE.ndjson is required');
    if (!values['query-file']) throw new UsageError('--query-file QUERIES.ndjson is required');
    const options: SearchOptions = {
      timestampField: values['timestamp-field'],
      tiebreakerField: values['tiebreaker-field'],
    };
    let badEvents = 0;
    const events = await readEvents(values.events, (line, message) => {
      badEvents++;
      process.stderr.write(JSON.stringify({ error: `events: ${message}`, line }) + '\n');
    });
    let n = 0;
    for await (const raw of readLines(values['query-file'])) {
      n++;
      const text = n === 1 ? stripBom(raw) : raw;
      if (text.trim() === '') continue;
      let line: SearchQueryLine;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new Error('a query line must be a JSON object');
        line = parsed as SearchQueryLine;
      } catch (err) {
        await writeLine(JSON.stringify({ id: null, error: `query line ${n}: ${(err as Error).message}` }));
        continue;
      }
      await writeLine(JSON.stringify(searchOne(events, line, options)));
    }
    return badEvents > 0 ? 1 : 0;
  },
};

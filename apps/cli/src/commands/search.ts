import type { Command } from '../command';

export const searchCommand: Command = {
  name: 'search',
  summary: 'Run EQL queries over a file of events (Elasticsearch semantics)',
  usage: `
Usage: sequent search --events FILE.ndjson --query-file QUERIES.ndjson [--timestamp-field F] [--tiebreaker-field F]

QUERIES.ndjson holds one {"id": "...", "query": "<EQL>", "size": N} per line (size optional, default 10).
Prints one NDJSON line per query, in input order: {"id", "events"}, {"id", "sequences"}, {"id", "samples"}
or {"id", "error"} for a query that is rejected.
`,
  async run() {
    process.stderr.write('sequent search: not built yet in this version\n');
    return 3;
  },
};

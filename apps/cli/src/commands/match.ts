import type { Command } from '../command';

export const matchCommand: Command = {
  name: 'match',
  summary: 'Check single documents against KQL or EQL queries',
  usage: `
Usage: sequent match --cases FILE.ndjson

Each line: {"id": "...", "language": "kql"|"eql", "query": "...", "doc": {...}, "mapping": {...}?}.
Prints one line per case in input order: {"id", "match": true|false} or {"id", "error"}.
`,
  async run() {
    process.stderr.write('sequent match: not built yet in this version\n');
    return 3;
  },
};

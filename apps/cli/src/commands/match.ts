import { MatchRunner, compileEqlCondition } from '@sequent/rules';
import { UsageError, type Command } from '../command';
import { readLines, writeLine } from '../io';

function parseArgs(args: string[]): { cases: string } {
  let cases: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--cases') {
      cases = args[++i];
      if (cases === undefined) throw new UsageError('--cases needs a file (or - for stdin)');
    } else if (a.startsWith('--cases=')) cases = a.slice('--cases='.length);
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (cases === undefined) throw new UsageError('give --cases FILE.ndjson');
  return { cases };
}

export const matchCommand: Command = {
  name: 'match',
  summary: 'Check single documents against KQL or EQL queries',
  usage: `
Usage: sequent match --cases FILE.ndjson   (or --cases - for stdin)

Each line: {"id": "...", "language": "kql"|"eql", "query": "...", "doc": {...}, "mapping": {...}?}
  mapping  optional field types by dotted path (alias: schema), e.g. {"ip": "ip", "msg": "text"}: text fields
           are analysed (standard analyzer), ip fields take CIDR values, numbers and dates
           compare by value; unmapped fields compare exactly
  now      optional (extension): the clock for KQL date math, ISO date or epoch ms
EQL queries are conditions, with or without "<category> where".

Prints one line per case, in input order: {"id", "match": true|false}, or {"id", "error"} when
the query is rejected (KQL syntax errors read as Kibana's) or the line is not a valid case.
Exit status 0 when every line was answered (errors included), 1 if the file cannot be read.
`,
  async run(args) {
    const { cases } = parseArgs(args);
    const runner = new MatchRunner({ eql: (query) => compileEqlCondition(query) });
    let n = 0;
    try {
      for await (const line of readLines(cases)) {
        n++;
        if (line.trim() === '') continue;
        let input: unknown;
        try {
          input = JSON.parse(line);
        } catch (err) {
          await writeLine(
            JSON.stringify({ id: null, error: `line ${n}: not JSON: ${(err as Error).message}` }),
          );
          continue;
        }
        await writeLine(JSON.stringify(runner.run(input)));
      }
    } catch (err) {
      process.stderr.write(`sequent match: cannot read ${cases}: ${(err as Error).message}\n`);
      return 1;
    }
    return 0;
  },
};

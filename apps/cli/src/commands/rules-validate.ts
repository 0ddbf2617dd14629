import {
  formatValidationNdjson,
  formatValidationText,
  loadRules,
  validationExitCode,
  validationRows,
} from '@sequent/rules';
import { UsageError, type Command } from '../command';
import { writeLine } from '../io';

interface ValidateArgs {
  json: boolean;
  paths: string[];
  valueListFiles: string[];
}

function parseArgs(args: string[]): ValidateArgs {
  const out: ValidateArgs = { json: false, paths: [], valueListFiles: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') out.json = true;
    else if (a === '--value-list') {
      const file = args[++i];
      if (file === undefined) throw new UsageError('--value-list needs a file');
      out.valueListFiles.push(file);
    } else if (a.startsWith('--value-list=')) out.valueListFiles.push(a.slice('--value-list='.length));
    else if (a === '--') {
      out.paths.push(...args.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else out.paths.push(a);
  }
  if (out.paths.length === 0) throw new UsageError('give at least one rule file or folder');
  return out;
}

export const rulesValidateCommand: Command = {
  name: 'rules validate',
  summary: 'Load rules and report, per rule, whether it loaded and why not',
  usage: `
Usage: sequent rules validate [--json] [--value-list FILE]... PATH...

Loads rule files and folders (detection-rules TOML, Kibana rule export NDJSON with exception
lists and items, plain JSON) and prints per rule whether it loaded and why not, then totals by
type and language. Rules of types the stream cannot run (esql, machine_learning, threat_match)
load and are reported as UNSUPPORTED with the reason.

--json            one NDJSON line per rule:
                  {"path", "rule_id", "name", "type", "language", "ok", "error"?}
                  (plus "unsupported": reason, "warnings": [...] when there are any)
--value-list FILE a Kibana value list (one value per line; its id is the file name) for
                  exception entries of type "list"; repeatable

Exit status 1 if any rule (or exception object, or value list) failed to load.
`,
  async run(args) {
    const opts = parseArgs(args);
    const result = loadRules(opts.paths, { valueListFiles: opts.valueListFiles });
    // Notes that belong to no rule (an empty folder, skipped saved objects) go to stderr, so
    // that stdout stays one line per rule.
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    const rows = validationRows(result);
    const text = opts.json ? formatValidationNdjson(rows) : formatValidationText(rows);
    for (const line of text.split('\n').slice(0, -1)) await writeLine(line);
    return validationExitCode(rows);
  },
};

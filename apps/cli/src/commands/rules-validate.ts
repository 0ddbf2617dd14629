import type { Command } from '../command';

export const rulesValidateCommand: Command = {
  name: 'rules validate',
  summary: 'Load rules and report, per rule, whether it loaded and why not',
  usage: `
Usage: sequent rules validate [--json] PATH...

Prints per rule whether it loaded and why not, then totals by type and language.
--json: one NDJSON line per rule {"path", "rule_id", "name", "type", "language", "ok", "error"?}.
Exit status 1 if any rule failed.
`,
  async run() {
    process.stderr.write('sequent rules validate: not built yet in this version\n');
    return 3;
  },
};

import type { Command } from '../command';

export const huntCommand: Command = {
  name: 'hunt',
  summary: 'Run detection rules over a file of events and print alerts',
  usage: `
Usage: sequent hunt --rules PATH... --events FILE.ndjson [--index NAME]

Runs rules (files or folders of detection-rules TOML, Kibana rule export NDJSON, JSON) over the
events in event-time order through the streaming engine, and prints one alert per line (NDJSON).
--index NAME assigns an index to events that have none.
`,
  async run() {
    process.stderr.write('sequent hunt: not built yet in this version\n');
    return 3;
  },
};

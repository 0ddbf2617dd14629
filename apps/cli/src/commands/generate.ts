import type { Command } from '../command';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Generate realistic Linux fleet telemetry with planted attacks',
  usage: `
Usage: sequent generate [--hosts N] [--duration 1h] [--rate EPS] [--seed N] [--format ecs|auditd|sysmon-linux] [--out FILE] [--labels FILE]
`,
  async run() {
    process.stderr.write('sequent generate: not built yet in this version\n');
    return 3;
  },
};

import type { Command } from '../command';

export const normalizeCommand: Command = {
  name: 'normalize',
  summary: 'Turn raw telemetry (auditd, Sysmon for Linux, ECS) into ECS NDJSON',
  usage: `
Usage: sequent normalize --format auditd|auditd-records|sysmon-linux|ecs [--shape integration|endpoint] [FILE|-]

Prints one ECS document per event (NDJSON) in input order. Input it cannot read yields
{"error": "...", "line": N} lines on stderr and a non-zero exit status at the end.
`,
  async run() {
    process.stderr.write('sequent normalize: not built yet in this version\n');
    return 3;
  },
};

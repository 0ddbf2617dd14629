#!/usr/bin/env node
import { commands } from './commands';
import { UsageError, wantsHelp } from './command';

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'sequent: streaming detection engine for security telemetry',
    '',
    'Usage: sequent <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `sequent <command> --help` for a command's options.",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // `rules validate` is a two-word command; match the longest name first.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  const command = sorted.find((c) => {
    const words = c.name.split(' ');
    return words.every((w, i) => argv[i] === w);
  });
  if (!command) {
    if (argv.length === 0 || wantsHelp(argv.slice(0, 1))) {
      process.stdout.write(topLevelHelp() + '\n');
      return argv.length === 0 ? 2 : 0;
    }
    process.stderr.write(`sequent: unknown command ${JSON.stringify(argv.join(' '))}\n\n${topLevelHelp()}\n`);
    return 2;
  }
  const args = argv.slice(command.name.split(' ').length);
  if (wantsHelp(args)) {
    process.stdout.write(`${command.usage.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sequent ${command.name}: ${err.message}\n\n${command.usage.trim()}\n`);
      return 2;
    }
    process.stderr.write(`sequent ${command.name}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

// A reader that stops early (`sequent ... | head`) is not an error: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`sequent: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

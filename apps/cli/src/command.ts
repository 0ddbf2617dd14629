/** One `sequent` subcommand: its name, its help text and what it runs. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad command-line arguments: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

export function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

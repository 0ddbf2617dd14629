import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with sequent's error convention: a bad flag is a UsageError (exit 2). */
export function parseFlags<T extends Options>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A positive integer flag, or the default when absent. */
export function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** A duration such as `500ms`, `30s`, `10m`, `1h`, `2d` (plain numbers are milliseconds). */
export function durationFlag(value: string | undefined, name: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m)
    throw new UsageError(`--${name} must be a duration like 30s, 10m or 1h, got ${JSON.stringify(value)}`);
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

/**
 * Takes a flag that is followed by several values (`--rules a b c`, DESIGN.md's `PATH...`), which
 * node:util parseArgs cannot express; may repeat and may be written `--rules=a`. Returns the
 * values and the remaining arguments.
 */
export function takeMulti(args: string[], flag: string): [string[], string[]] {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith(`${flag}=`)) {
      values.push(a.slice(flag.length + 1));
    } else if (a === flag) {
      if (i + 1 >= args.length || args[i + 1].startsWith('--')) throw new UsageError(`${flag} needs a value`);
      while (i + 1 < args.length && !args[i + 1].startsWith('--')) values.push(args[++i]);
    } else {
      rest.push(a);
    }
  }
  return [values, rest];
}

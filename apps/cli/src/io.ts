import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { checkShape, DEFAULT_LIMITS } from '@sequent/ecs';

/** Only the nesting limit: deeper documents would overflow the stack of every recursive walk
 * (field access, canonical JSON). Size and field count stay the user's business on the CLI. */
const CLI_LIMITS = { maxEventBytes: Infinity, maxDepth: DEFAULT_LIMITS.maxDepth, maxFields: Infinity };

/** JSON.parse for one line of an events file: throws on documents nested too deep to evaluate. */
export function parseEventLine(line: string): unknown {
  const value: unknown = JSON.parse(line);
  checkShape(value, CLI_LIMITS);
  return value;
}

/** Reads lines from a file path or `-` (stdin) without loading the whole input. */
export async function* readLines(source: string): AsyncGenerator<string> {
  const input = source === '-' ? process.stdin : createReadStream(source);
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}

/** Parses an NDJSON file; a line that is not JSON is reported with its number. */
export async function readNdjson(
  source: string,
  onError: (line: number, message: string) => void,
): Promise<unknown[]> {
  const out: unknown[] = [];
  let n = 0;
  for await (const line of readLines(source)) {
    n++;
    if (line.trim() === '') continue;
    try {
      out.push(parseEventLine(line));
    } catch (err) {
      onError(n, (err as Error).message);
    }
  }
  return out;
}

/** Writes one line to stdout, waiting when the pipe is full so large outputs stay bounded. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(line + '\n')) await once(process.stdout, 'drain');
}

import {
  createNormalizer,
  NORMALIZE_FORMATS,
  NORMALIZE_SHAPES,
  type NormalizeFormat,
  type NormalizeOutput,
  type NormalizeShape,
} from '@sequent/ecs';
import { createReadStream, readFileSync } from 'node:fs';
import { UsageError, type Command } from '../command';
import { intFlag, parseFlags } from '../args';
import { writeLine } from '../io';

/**
 * Lines of a file or stdin, never holding more than `maxBytes` of one line: a longer line is
 * skipped to its end and reported (as `{tooLong: true}`) instead of buffered whole.
 */
async function* boundedLines(
  source: string,
  maxBytes: number,
): AsyncGenerator<{ line: string } | { tooLong: number }> {
  const input = source === '-' ? process.stdin : createReadStream(source);
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let skipped = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!skipping) {
        const piece = chunk.subarray(start, end);
        if (size + piece.length > maxBytes) {
          skipping = true;
          skipped = size + piece.length;
          parts = [];
          size = 0;
        } else {
          parts.push(piece);
          size += piece.length;
        }
      } else skipped += end - start;
      if (nl === -1) break;
      if (skipping) yield { tooLong: skipped };
      else yield { line: Buffer.concat(parts).toString('utf8') };
      parts = [];
      size = 0;
      skipping = false;
      skipped = 0;
      start = nl + 1;
    }
  }
  if (skipping) yield { tooLong: skipped };
  else if (size > 0) yield { line: Buffer.concat(parts).toString('utf8') };
}

/** `name:x:id:...` lines (passwd and group files alike) → id → name. */
function idMap(path: string, what: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
  const map: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id && /^\d+$/.test(id) && !(id in map)) map[id] = name;
  }
  return map;
}

export const normalizeCommand: Command = {
  name: 'normalize',
  summary: 'Turn raw telemetry (auditd, Sysmon for Linux, ECS) into ECS NDJSON',
  usage: `
Usage: sequent normalize --format auditd|auditd-records|sysmon-linux|ecs [--shape integration|endpoint] [FILE|-]

Prints one ECS document per event (NDJSON) in input order. Input it cannot read yields
{"error": "...", "line": N} lines on stderr and a non-zero exit status at the end.

  --format auditd          audit records coalesced per event (Auditbeat / auditd_manager);
                           JSON lines are taken as agent-coalesced events
  --format auditd-records  one document per record (Elastic's auditd integration)
  --format sysmon-linux    syslog lines with the <Event> XML, or decoded winlog JSON
  --format ecs             ECS documents (Elastic Defend, Beats), type checked, kept as is
  --shape integration      what the Elastic integration would index (default)
  --shape endpoint         what Elastic Defend would record: exec/fork/end, connection_*,
                           creation/rename/deletion, process and parent entity ids
  --host NAME              host for auditd records without node= (host.name and host.id)
  --namespace NS           data_stream.namespace and index suffix (default: default)
  --max-event-bytes N      refuse larger lines/documents (default 1048576)
  --max-depth N            refuse documents nested deeper (default 32)
  --max-fields N           refuse documents with more fields (default 5000)
  --passwd FILE            /etc/passwd-format file: uid → user.name (auditd)
  --group FILE             /etc/group-format file: gid → group.name (auditd)
  --keep-original          keep the raw input in event.original
Exit status: 0 all input read, 1 some input could not be read, 2 usage error.
`,
  async run(args) {
    const { values, positionals } = parseFlags(
      args,
      {
        format: { type: 'string' },
        shape: { type: 'string' },
        host: { type: 'string' },
        namespace: { type: 'string' },
        'max-event-bytes': { type: 'string' },
        'max-depth': { type: 'string' },
        'max-fields': { type: 'string' },
        'keep-original': { type: 'boolean' },
        passwd: { type: 'string' },
        group: { type: 'string' },
      },
      true,
    );
    const format = values.format as NormalizeFormat | undefined;
    if (!format || !NORMALIZE_FORMATS.includes(format)) {
      throw new UsageError(`--format must be one of ${NORMALIZE_FORMATS.join(', ')}`);
    }
    const shape = (values.shape ?? 'integration') as NormalizeShape;
    if (!NORMALIZE_SHAPES.includes(shape))
      throw new UsageError(`--shape must be one of ${NORMALIZE_SHAPES.join(', ')}`);
    if (positionals.length > 1) throw new UsageError('give at most one input file (or - for stdin)');
    const source = positionals[0] ?? '-';
    const normalizer = createNormalizer({
      format,
      shape,
      ...(values.host ? { defaultHost: { name: values.host, id: values.host } } : {}),
      ...(values.namespace ? { namespace: values.namespace } : {}),
      limits: {
        maxEventBytes: intFlag(values['max-event-bytes'], 'max-event-bytes', 1024 * 1024),
        maxDepth: intFlag(values['max-depth'], 'max-depth', 32),
        maxFields: intFlag(values['max-fields'], 'max-fields', 5000),
      },
      keepOriginal: values['keep-original'] === true,
      ...(values.passwd ? { userNames: idMap(values.passwd, 'passwd') } : {}),
      ...(values.group ? { groupNames: idMap(values.group, 'group') } : {}),
    });
    let failures = 0;
    const emit = async (o: NormalizeOutput) => {
      for (const e of o.events) await writeLine(JSON.stringify(e));
      for (const e of o.errors) {
        failures++;
        process.stderr.write(JSON.stringify({ error: e.error, line: e.line }) + '\n');
      }
    };
    let n = 0;
    const maxBytes = intFlag(values['max-event-bytes'], 'max-event-bytes', 1024 * 1024);
    try {
      for await (const item of boundedLines(source, maxBytes)) {
        n++;
        if ('line' in item) await emit(normalizer.push(item.line, n));
        else {
          failures++;
          const error = `event is at least ${item.tooLong} bytes, over the limit of ${maxBytes}`;
          process.stderr.write(JSON.stringify({ error, line: n }) + '\n');
        }
      }
    } catch (err) {
      failures++;
      process.stderr.write(
        JSON.stringify({ error: `cannot read ${source}: ${(err as Error).message}`, line: n }) + '\n',
      );
    }
    await emit(normalizer.flush());
    return failures > 0 ? 1 : 0;
  },
};

/**
 * Finding and reading rule files: files or folders (recursive), TOML / NDJSON / JSON by
 * extension, with size limits so that a stray huge file is refused with a clear message
 * instead of exhausting memory.
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ruleLabel } from '../schema/issues';
import {
  DEFAULT_MAX_LINE_BYTES,
  formatBytes,
  parseJson,
  parseNdjson,
  SALVAGE_CHARS,
  salvageJsonIdentity,
} from './parse-json';
import { parseTomlRules, salvageIdentity } from './parse-toml';
import type { ParsedSource, SourceError } from './records';

export type RuleFileFormat = 'toml' | 'ndjson' | 'json';

export interface FileLimits {
  /** Largest TOML or JSON rule file accepted (default 2 MB). */
  maxFileBytes?: number;
  /** Largest NDJSON export accepted (default 64 MB: a full Kibana export holds thousands of rules). */
  maxNdjsonFileBytes?: number;
  /** Largest single NDJSON line (one rule; default 2 MB). */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_NDJSON_FILE_BYTES = 64 * 1024 * 1024;

const EXTENSIONS: Record<string, RuleFileFormat> = {
  '.toml': 'toml',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'json',
};

/** The extensions a folder walk picks up. */
export const RULE_FILE_EXTENSIONS = Object.keys(EXTENSIONS);

export function formatOf(file: string): RuleFileFormat | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

/**
 * The rule files under the given paths, in a stable order: paths in the order given, folder
 * contents sorted by name. Folders contribute only files with a known extension and skip
 * hidden entries (`.git`) and node_modules; a file named explicitly is always read.
 */
export function collectRuleFiles(paths: readonly string[]): {
  files: string[];
  errors: SourceError[];
  /** Folders given that hold no rule file at all (most likely a wrong path). */
  emptyFolders: string[];
} {
  const files: string[] = [];
  const errors: SourceError[] = [];
  const emptyFolders: string[] = [];
  const seen = new Set<string>();
  const add = (f: string): void => {
    const key = path.resolve(f);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(f);
    }
  };
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      errors.push({ source: dir, message: `${dir}: cannot read folder: ${(err as Error).message}` });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = path.join(dir, name);
      let st;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      // Symlinked folders are not followed (no cycles); symlinked files are read.
      if (st.isDirectory()) walk(full);
      else if (formatOf(name) !== undefined) add(full);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      errors.push({ source: p, message: `${p}: no such file or folder` });
      continue;
    }
    if (st.isDirectory()) {
      const before = files.length;
      walk(p);
      if (files.length === before) emptyFolders.push(p);
    } else add(p);
  }
  return { files, errors, emptyFolders };
}

/** Guesses the format of a file with an unknown extension from its first characters: a JSON
 * array opens with `[` then `{` or `]`, a TOML table header with `[name]`. */
function sniffFormat(text: string): RuleFileFormat {
  const body = text.trimStart();
  if (body.startsWith('[')) {
    const next = body.slice(1).trimStart()[0];
    return next === '{' || next === ']' ? 'json' : 'toml';
  }
  if (body.startsWith('{')) return body.includes('\n{') ? 'ndjson' : 'json';
  return 'toml';
}

/** Parses already-read text in the given (or guessed) format. */
export function parseRuleText(
  text: string,
  source: string,
  format?: RuleFileFormat,
  limits: FileLimits = {},
): ParsedSource {
  const fmt = format ?? sniffFormat(text);
  if (fmt === 'toml') return parseTomlRules(text, source);
  if (fmt === 'ndjson') return parseNdjson(text, source, limits.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  return parseJson(text, source);
}

/** Reads and parses one rule file, refusing files over the size limit. */
export function readRuleFile(file: string, limits: FileLimits = {}): ParsedSource {
  const format = formatOf(file);
  const limit =
    format === 'ndjson'
      ? (limits.maxNdjsonFileBytes ?? DEFAULT_MAX_NDJSON_FILE_BYTES)
      : (limits.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    return {
      records: [],
      errors: [{ source: file, message: `${file}: cannot read: ${(err as Error).message}` }],
    };
  }
  if (size > limit) {
    // One rule per TOML / JSON file: name it from the head of the file when possible. (An
    // NDJSON export holds many rules, so its first rule_id would name the wrong one.)
    const identity =
      format === 'ndjson'
        ? {}
        : format === 'json'
          ? salvageJsonIdentity(readHead(file, SALVAGE_CHARS))
          : salvageIdentity(readHead(file, SALVAGE_CHARS));
    return {
      records: [],
      errors: [
        {
          source: file,
          message: `${ruleLabel(file, identity.rule_id)}: file is ${formatBytes(size)}, larger than the ${formatBytes(limit)} limit for a ${format ?? 'rule'} file; refusing to load it`,
          identity,
        },
      ],
    };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return {
      records: [],
      errors: [{ source: file, message: `${file}: cannot read: ${(err as Error).message}` }],
    };
  }
  return parseRuleText(text, file, format, limits);
}

/** The first `bytes` bytes of a file as text ('' when unreadable). */
function readHead(file: string, bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

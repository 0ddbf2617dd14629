/**
 * Reading Kibana value lists from files (one value per line, as Kibana imports and exports
 * them). The list id is the file name, as in Kibana's import, unless given.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseValueList, type ValueList } from '../exceptions/value-lists';
import { formatBytes } from './parse-json';

export const DEFAULT_MAX_VALUE_LIST_BYTES = 64 * 1024 * 1024;

export function readValueListFile(
  file: string,
  options: { id?: string; maxBytes?: number } = {},
): { list?: ValueList; error?: string } {
  const limit = options.maxBytes ?? DEFAULT_MAX_VALUE_LIST_BYTES;
  try {
    const size = statSync(file).size;
    if (size > limit)
      return {
        error: `${file}: value list is ${formatBytes(size)}, larger than the ${formatBytes(limit)} limit`,
      };
    return { list: parseValueList(options.id ?? path.basename(file), readFileSync(file, 'utf8')) };
  } catch (err) {
    return { error: `${file}: cannot read value list: ${(err as Error).message}` };
  }
}

/** Loads several value list files; later files with the same id replace earlier ones. */
export function readValueListFiles(files: readonly string[]): {
  lists: Map<string, ValueList>;
  errors: Array<{ source: string; message: string }>;
} {
  const lists = new Map<string, ValueList>();
  const errors: Array<{ source: string; message: string }> = [];
  for (const f of files) {
    const { list, error } = readValueListFile(f);
    if (error) errors.push({ source: f, message: error });
    if (list) lists.set(list.id, list);
  }
  return { lists, errors };
}

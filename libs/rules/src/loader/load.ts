/**
 * Loading rules: files and folders of detection-rules TOML, Kibana export NDJSON and JSON,
 * in any mix → validated, compiled rules, with a report line per rule.
 *
 * One bad rule never stops the others: every problem is recorded against the rule (or file)
 * it belongs to. A rule_id seen twice keeps the first and rejects the second, naming both.
 * Exception lists and items may come from any file of the load; rules pick theirs by
 * `exceptions_list` reference once every file has been read.
 */
import type { CompiledRule, UnsupportedRule } from '../compiled-rule';
import { compileRule, isUnsupportedRule, RuleCompileError } from '../compile/compile-rule';
import type { QueryLanguages } from '../compile/query-languages';
import type { ValueList } from '../exceptions/value-lists';
import type { RuleDefinition } from '../schema/definition';
import { ruleLabel } from '../schema/issues';
import { validateRuleObject, type RuleIdentity } from '../schema/validate-rule';
import { ExceptionRegistry } from './exception-registry';
import {
  collectRuleFiles,
  parseRuleText,
  readRuleFile,
  RULE_FILE_EXTENSIONS,
  type FileLimits,
  type RuleFileFormat,
} from './files';
import type { ParsedSource, SourceError, SourceRecord } from './records';
import { readValueListFiles } from './value-list-files';

export interface LoadOptions extends FileLimits {
  /** The KQL / EQL compilers; the real ones by default. */
  languages?: QueryLanguages;
  /** Value lists already in memory, by id. */
  valueLists?: ReadonlyMap<string, ValueList>;
  /** Value list files to read (id = file name). */
  valueListFiles?: readonly string[];
  /** Epoch ms for exception item expiry (default: now). */
  now?: number;
}

export type RuleLoadStatus = 'loaded' | 'unsupported' | 'failed';

/** One line of the load report: a rule (or a file that held no readable rule). */
export interface RuleLoadReport extends RuleIdentity {
  source: string;
  status: RuleLoadStatus;
  /** Why it failed (one message per problem). */
  errors: string[];
  /** Loaded, but worth knowing (e.g. a referenced exception list that was not supplied). */
  warnings: string[];
  /** Why an unsupported rule cannot run. */
  reason?: string;
}

export interface LoadResult {
  /** Rules the engine can run, in load order. */
  rules: CompiledRule[];
  /** Rules that loaded but cannot run in the stream (ES|QL, ML, indicator match, Lucene). */
  unsupported: UnsupportedRule[];
  /** Valid definitions of loaded and unsupported rules, in load order (for export). */
  definitions: RuleDefinition[];
  /** One entry per rule or unreadable file, in load order. */
  reports: RuleLoadReport[];
  /** Problems that belong to no rule: bad exception items or lists, unreadable value lists. */
  otherErrors: Array<{ source: string; message: string }>;
  warnings: string[];
  exceptions: ExceptionRegistry;
  /** True when every rule and every other object loaded. */
  ok: boolean;
}

let realLanguages: QueryLanguages | undefined;

/** The real KQL / EQL compilers, required on first use (kept out of module init so that the
 * schema and loaders can be used, and tested, on their own, and so that rules which need no
 * query compiler, such as ES|QL rules, load even where the compilers are not built in). */
function real(): QueryLanguages {
  if (!realLanguages) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    realLanguages = (require('../compile/default-languages') as { DEFAULT_LANGUAGES: QueryLanguages })
      .DEFAULT_LANGUAGES;
  }
  return realLanguages;
}

const lazyRealLanguages: QueryLanguages = {
  kql: (query) => real().kql(query),
  eql: (query, options) => real().eql(query, options),
};

function resolveLanguages(options: LoadOptions): QueryLanguages {
  return options.languages ?? lazyRealLanguages;
}

/** Loads rule files and folders (recursively). */
export function loadRules(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const { files, errors, emptyFolders } = collectRuleFiles(paths);
  const sources: ParsedSource[] = [{ records: [], errors }];
  for (const f of files) sources.push(readRuleFile(f, options));
  const valueListErrors: Array<{ source: string; message: string }> = [];
  let valueLists = options.valueLists;
  if (options.valueListFiles && options.valueListFiles.length > 0) {
    const read = readValueListFiles(options.valueListFiles);
    valueListErrors.push(...read.errors);
    valueLists = new Map([...(options.valueLists ?? new Map<string, ValueList>()), ...read.lists]);
  }
  const result = loadParsedSources(sources, { ...options, valueLists });
  result.otherErrors.unshift(...valueListErrors);
  result.ok = result.ok && valueListErrors.length === 0;
  for (const dir of emptyFolders)
    result.warnings.unshift(`${dir}: no rule files (${RULE_FILE_EXTENSIONS.join(', ')}) in this folder`);
  return result;
}

/** Loads rules from text already in memory (stdin, tests). */
export function loadRulesFromText(
  text: string,
  source: string,
  format?: RuleFileFormat,
  options: LoadOptions = {},
): LoadResult {
  return loadParsedSources([parseRuleText(text, source, format, options)], options);
}

/** The core: parsed sources → validated, de-duplicated, compiled rules and a report. */
export function loadParsedSources(sources: readonly ParsedSource[], options: LoadOptions = {}): LoadResult {
  const result: LoadResult = {
    rules: [],
    unsupported: [],
    definitions: [],
    reports: [],
    otherErrors: [],
    warnings: [],
    exceptions: new ExceptionRegistry(),
    ok: true,
  };
  // Exception lists may sit in any file, so every source is read before any rule compiles.
  const order: Array<{ error: SourceError } | { record: SourceRecord }> = [];
  for (const src of sources) {
    for (const error of src.errors) order.push({ error });
    for (const rec of src.records) {
      if (rec.kind === 'rule') order.push({ record: rec });
      else if (rec.kind === 'exception_list' || rec.kind === 'exception_item') {
        const r =
          rec.kind === 'exception_list'
            ? result.exceptions.addList(rec.raw, rec.source)
            : result.exceptions.addItem(rec.raw, rec.source);
        result.otherErrors.push(...r.errors.map((message) => ({ source: rec.source, message })));
        result.warnings.push(...r.warnings);
      } else if (rec.kind === 'ignored') {
        result.warnings.push(`${rec.source}: ignored ${rec.note ?? 'object'}`);
      }
    }
  }

  const seen = new Map<string, string>();
  for (const entry of order) {
    if ('error' in entry) {
      const e = entry.error;
      result.reports.push({
        source: e.source,
        ...(e.identity ?? {}),
        status: 'failed',
        errors: [e.message],
        warnings: [],
      });
    } else {
      result.reports.push(loadOne(entry.record, seen, result, options));
    }
  }
  result.ok = result.otherErrors.length === 0 && result.reports.every((r) => r.status !== 'failed');
  return result;
}

function loadOne(
  rec: SourceRecord,
  seen: Map<string, string>,
  result: LoadResult,
  options: LoadOptions,
): RuleLoadReport {
  const validated = validateRuleObject(rec.raw, { source: rec.source, pathPrefix: rec.pathPrefix });
  const report: RuleLoadReport = {
    source: rec.source,
    ...validated.identity,
    status: 'failed',
    errors: [],
    warnings: [],
  };
  if (!validated.ok) {
    report.errors = validated.errors;
    return report;
  }
  const def = validated.definition;
  const label = ruleLabel(rec.source, def.rule_id);
  const firstSource = seen.get(def.rule_id);
  if (firstSource !== undefined) {
    report.errors = [
      `${label}: ${rec.pathPrefix ? `${rec.pathPrefix}.` : ''}rule_id: duplicate rule_id, already loaded from ${firstSource}; this copy is rejected`,
    ];
    return report;
  }

  const { items, missing } = result.exceptions.resolve(def.exceptions_list);
  for (const ref of missing)
    report.warnings.push(
      `${label}: exceptions_list: list "${ref.list_id}" (${ref.namespace_type}) is not in the loaded files; its exceptions are not applied`,
    );

  let compiled: CompiledRule | UnsupportedRule;
  try {
    compiled = compileRule(def, {
      languages: resolveLanguages(options),
      exceptionItems: items,
      valueLists: options.valueLists,
      now: options.now,
      source: rec.source,
    });
  } catch (err) {
    const field = err instanceof RuleCompileError ? err.field : undefined;
    const reason = err instanceof RuleCompileError ? err.reason : (err as Error).message;
    const path = field ? `${rec.pathPrefix ? `${rec.pathPrefix}.` : ''}${field}: ` : '';
    report.errors = [`${label}: ${path}${reason}`];
    return report;
  }
  seen.set(def.rule_id, rec.source);
  result.definitions.push(def);
  if (isUnsupportedRule(compiled)) {
    result.unsupported.push(compiled);
    report.status = 'unsupported';
    report.reason = compiled.reason;
  } else {
    result.rules.push(compiled);
    report.status = 'loaded';
  }
  return report;
}

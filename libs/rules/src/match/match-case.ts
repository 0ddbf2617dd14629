/**
 * `sequent match`: one document against one KQL or EQL query (DESIGN.md, "Contracts").
 *
 * A case is `{"id", "language": "kql"|"eql", "query", "doc", "mapping"?}`; the result is
 * `{"id", "match": true|false}`, or `{"id", "error"}` when the query is rejected or the case
 * is malformed. Nothing here throws: every input gets exactly one result.
 *
 * Extensions: a case may carry `now` (ISO date or epoch ms), the clock for KQL date math,
 * and `schema` in place of `mapping`.
 */
import type { Condition } from '../compiled-rule';
import { compileKql } from '../kql';

export type MatchResult = { id: unknown; match: boolean } | { id: unknown; error: string };

/** Compiles an EQL condition (`[<category> where] <expr>`) to a document predicate. */
export type EqlConditionCompiler = (query: string) => Condition;

export interface MatchOptions {
  /** The EQL compiler; without it EQL cases report an error. */
  eql?: EqlConditionCompiler;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text === '' ? 'rejected' : text;
}

function parseNow(v: unknown): number | undefined | Error {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  return new Error('"now" must be an ISO date or epoch milliseconds');
}

/**
 * Runs cases in order, compiling each distinct query once (cases that share a query,
 * language, mapping and clock share the compiled predicate).
 */
export class MatchRunner {
  private readonly compiled = new Map<string, Condition | Error>();

  constructor(private readonly options: MatchOptions = {}) {}

  run(input: unknown): MatchResult {
    const id = isRecord(input) && 'id' in input ? input.id : null;
    try {
      if (!isRecord(input)) return { id, error: 'a case must be a JSON object' };
      const given = typeof input.language === 'string' ? input.language.toLowerCase() : input.language;
      // `kuery` is what rule files call KQL.
      const language = given === 'kuery' ? 'kql' : given;
      if (language !== 'kql' && language !== 'eql')
        return { id, error: `"language" must be "kql" or "eql", got ${JSON.stringify(given ?? null)}` };
      if (typeof input.query !== 'string') return { id, error: '"query" must be a string' };
      const doc = input.doc === undefined ? {} : input.doc;
      if (!isRecord(doc)) return { id, error: '"doc" must be a JSON object' };
      // `schema` is what the conformance cases call a field-type map; accept it as well.
      const mapping = input.mapping ?? input.schema;
      if (mapping !== undefined && mapping !== null && !isRecord(mapping))
        return { id, error: '"mapping" must be an object of field types' };
      const now = parseNow(input.now);
      if (now instanceof Error) return { id, error: now.message };
      const condition = this.condition(language, input.query, mapping ?? undefined, now);
      if (condition instanceof Error) return { id, error: message(condition) };
      return { id, match: condition(doc) === true };
    } catch (err) {
      return { id, error: message(err) };
    }
  }

  private condition(
    language: 'kql' | 'eql',
    query: string,
    mapping: Record<string, unknown> | undefined,
    now: number | undefined,
  ): Condition | Error {
    const key = JSON.stringify([language, query, mapping ?? null, now ?? null]);
    let c = this.compiled.get(key);
    if (c === undefined) {
      try {
        c = language === 'kql' ? compileKql(query, { mapping, now }) : this.eql(query);
      } catch (err) {
        c = err instanceof Error ? err : new Error(String(err));
      }
      if (this.compiled.size > 10_000) this.compiled.clear();
      this.compiled.set(key, c);
    }
    return c;
  }

  private eql(query: string): Condition {
    if (!this.options.eql) throw new Error('EQL is not available in this build');
    return this.options.eql(query);
  }
}

/** Runs one case (see MatchRunner for many). */
export function runMatchCase(input: unknown, options: MatchOptions = {}): MatchResult {
  return new MatchRunner(options).run(input);
}

/**
 * Turning validation problems into one clear line per bad field:
 *   `<source> [<rule_id>]: <path>: expected <what>, got <what>`
 * e.g. `rules/x.toml [3f1c...]: rule.risk_score: expected an integer, got "high"`.
 */
import type { z } from 'zod';
import type { RuleIssue } from './rule-schema';

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object (table)',
  bigint: 'an integer',
};

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // A schema may name its type better than zod (integers): use a customised message.
      if (issue.message && !issue.message.startsWith('Invalid input')) return issue.message;
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const cmp = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      if (issue.origin === 'array' || issue.origin === 'set')
        return issue.code === 'too_small' ? `at least ${bound} item(s)` : `at most ${bound} item(s)`;
      if (issue.origin === 'string')
        return issue.code === 'too_small'
          ? bound === 1
            ? 'a non-empty string'
            : `at least ${bound} characters`
          : `at most ${bound} characters`;
      return `a number ${cmp} ${bound}`;
    }
    case 'invalid_union': {
      if (issue.message && issue.message !== 'Invalid input') return issue.message;
      const disc = (issue as { discriminator?: string }).discriminator;
      if (issue.errors.length === 0 && disc) return `a known "${disc}"`;
      const alternatives = issue.errors
        .map((branch) => branch.find((b) => b.path.length === 0))
        .filter((b): b is z.core.$ZodIssue => b !== undefined)
        .map(expectedOf);
      return alternatives.length > 0 ? [...new Set(alternatives)].join(' or ') : 'a valid value';
    }
    default:
      return issue.message;
  }
}

/** zod issues → RuleIssues. `root` is the validated value, to recover inputs zod omits. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], root: unknown): RuleIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    expected: expectedOf(issue),
    got: 'input' in issue ? issue.input : valueAt(root, issue.path),
  }));
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** `['threat', 0, 'tactic', 'id']` → `threat[0].tactic.id`, under an optional prefix. */
export function formatPath(path: ReadonlyArray<string | number>, prefix?: string): string {
  let out = prefix ?? '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(rule)' : out;
}

/** A short description of a bad value, safe to print (long strings are cut). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const json = safeJson(v);
    return json !== null && json.length <= 60 ? json : `a list of ${v.length}`;
  }
  if (typeof v === 'object') {
    const json = safeJson(v);
    return json !== null && json.length <= 60
      ? json
      : `an object with keys ${Object.keys(v).slice(0, 5).join(', ')}`;
  }
  return typeof v;
}

/** Null when the value cannot be printed: a value nested thousands deep overflows the stack in
 * JSON.stringify and in String() alike (a hostile rule file must get a report, not a crash). */
function safeJson(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return null;
  }
}

/** Where a rule came from, for messages: `file.toml [rule_id]` or `file.ndjson:3`. */
export function ruleLabel(source: string, ruleId?: string): string {
  return ruleId ? `${source} [${ruleId}]` : source;
}

export function formatIssue(issue: RuleIssue, source: string, ruleId?: string, pathPrefix?: string): string {
  return `${ruleLabel(source, ruleId)}: ${formatPath(issue.path, pathPrefix)}: expected ${issue.expected}, got ${describeValue(issue.got)}`;
}

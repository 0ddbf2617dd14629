/**
 * Turns the KQL conformance cases (`../shared/conformance/kql/cases.json`, described in its
 * README) into `sequent match` probes and judges the answers, so the same cases run
 * in-process and through the CLI.
 *
 * - `eval`: one probe; the answer must be `expected`.
 * - `parse_ok` / `parse_error`: one probe (with the case's `schema` as mapping); the query
 *   must be accepted / rejected, the tree and Kibana's error message must agree when given.
 * - `equivalent` and `kql2eql`: the two queries run over documents generated from the
 *   values the queries mention (each field: every mentioned value, a different value, and
 *   absent), and must agree on every one. For `kql2eql` the EQL side runs through our EQL
 *   in Elasticsearch spelling (`eql_es` when given); fields are absent only where the KQL
 *   tests existence, because detection-rules' translation ignores EQL's null semantics
 *   (`not b:2` becomes `b != 2`, which is null, not true, for a missing `b`).
 * - `escape`: Kibana's escapeKuery / escapeQuotes output, and the round trip through a probe.
 * - `field_names`: the paths the query references (no probe).
 *
 * Applicability follows the README: Kibana's grammar is the authority, so cases where
 * detection-rules or Elasticsearch accept what Kibana rejects (`divergence`), and
 * detection-rules' `strict` upper-case keyword errors, are reported but not asserted;
 * `kibana-workflows` dialect cases are optional.
 */
import { setField } from '@sequent/ecs';
import type { MatchResult } from './match-case';
import { escapeKuery, escapeQuotes } from '../kql/escape';
import { hasFreeText, kqlFieldNames } from '../kql/fields';
import { parseKql } from '../kql/parser';
import { WILDCARD, toNeutralAst } from '../kql/ast';
import type { KqlLiteral, KqlNode, NeutralAst } from '../kql/ast';
import { normalizeMapping } from '../kql/mapping';
import type { FieldType } from '../kql/mapping';
import { parseNumber } from '../kql/values';
import { parseIpRange } from '../exceptions/ip';

export const KQL_CONFORMANCE_KINDS = [
  'eval',
  'parse_ok',
  'parse_error',
  'equivalent',
  'kql2eql',
  'escape',
  'field_names',
] as const;

export interface ConformanceProbe {
  id: string;
  language: 'kql' | 'eql';
  query: string;
  doc: Record<string, unknown>;
  mapping?: Record<string, unknown>;
  now?: string;
}

export interface ConformanceCheck {
  caseId: string;
  kind: string;
  /** False when the case does not apply to a Kibana-compatible implementation (see reason). */
  applicable: boolean;
  reason?: string;
  probes: ConformanceProbe[];
  /** Judges the answers to `probes` (same order): null when the case passes, else why not. */
  judge(results: MatchResult[]): string | null;
}

export interface KqlConformance {
  checks: ConformanceCheck[];
}

type Case = Record<string, unknown> & { id: string; kind: string };

const MAX_DOCS = 256;
const MISSING: unique symbol = Symbol('missing');
type Candidate = unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(r: MatchResult | undefined): string {
  if (!r) return 'no answer';
  return 'error' in r ? `error: ${r.error}` : `match: ${r.match}`;
}

/** Compares a neutral tree with an expected one; `quoted` counts only where expected has it. */
function sameAst(got: unknown, want: unknown): boolean {
  if (Array.isArray(want))
    return Array.isArray(got) && got.length === want.length && want.every((w, i) => sameAst(got[i], w));
  if (isRecord(want)) {
    if (!isRecord(got)) return false;
    for (const k of Object.keys(want)) if (!sameAst(got[k], want[k])) return false;
    for (const k of Object.keys(got)) if (!(k in want) && k !== 'quoted') return false;
    return true;
  }
  return got === want;
}

// ---- documents for equivalence checks ----

const OUTSIDE_IPS = ['203.0.113.7', '198.51.100.7', '2001:db8::7'];

function ipCandidates(text: string): string[] | undefined {
  const range = text.includes('/') || /^[\d.]+$|:/.test(text) ? parseIpRange(text) : undefined;
  if (!range || text.includes('-')) return undefined;
  const base = text.split('/')[0];
  const outside = OUTSIDE_IPS.find((ip) => {
    const r = parseIpRange(ip);
    return r !== undefined && (r.low < range.low || r.low > range.high);
  });
  return outside ? [base, outside] : [base];
}

function literalCandidates(lit: KqlLiteral, type: FieldType | undefined): Candidate[] {
  if (lit.wildcard) {
    const fill = (s: string) => lit.wildcard!.map((p) => (p === WILDCARD ? s : p)).join('');
    return [fill(''), fill('x')];
  }
  const text = lit.text;
  const kind = type?.kind ?? 'loose';
  if (kind === 'keyword' || kind === 'text') return [text];
  if (kind === 'boolean') return [true, false];
  if (kind === 'ip') return ipCandidates(text) ?? [text];
  const n = parseNumber(text);
  if (kind === 'number') return n === undefined ? [] : [n];
  if (lit.quoted) return n === undefined ? [text] : [text, n];
  if (n !== undefined) return [n];
  if (text === 'true' || text === 'false') return [true, false];
  if (text.includes('/')) {
    const ips = ipCandidates(text);
    if (ips) return ips;
  }
  return [text];
}

function rangeCandidates(lit: KqlLiteral, type: FieldType | undefined): Candidate[] {
  const n = parseNumber(lit.text);
  if (n !== undefined && (type === undefined || type.kind === 'number' || type.kind === 'loose'))
    return [n - 1, n, n + 1];
  return [lit.text, lit.text + '~', lit.text.slice(0, -1) || '!'];
}

interface FieldPlan {
  candidates: Candidate[];
  exists: boolean;
}

function collect(
  node: KqlNode,
  prefix: string,
  types: Map<string, FieldType>,
  plan: Map<string, FieldPlan>,
): void {
  const add = (field: string, values: Candidate[], exists = false): void => {
    const p = plan.get(field) ?? { candidates: [], exists: false };
    for (const v of values) if (!p.candidates.some((c) => c === v)) p.candidates.push(v);
    p.exists = p.exists || exists;
    plan.set(field, p);
  };
  switch (node.type) {
    case 'and':
    case 'or':
      node.args.forEach((a) => collect(a, prefix, types, plan));
      return;
    case 'not':
      collect(node.arg, prefix, types, plan);
      return;
    case 'is': {
      if (node.field === null) {
        add('message', literalCandidates(node.value, undefined));
        return;
      }
      if (node.field.wildcard) return;
      const path = prefix + node.field.text;
      add(path, literalCandidates(node.value, types.get(path)));
      return;
    }
    case 'range': {
      const path = prefix + node.field.text;
      add(path, rangeCandidates(node.value, types.get(path)));
      return;
    }
    case 'exists':
      if (!node.field.wildcard) add(prefix + node.field.text, [], true);
      return;
    case 'nested':
      collect(node.query, `${prefix}${node.path.text}.`, types, plan);
      return;
    case 'match_all':
      return;
  }
}

/** Documents covering the values the queries mention (deterministic, at most MAX_DOCS). */
export function equivalenceDocs(
  queries: KqlNode[],
  mapping: Record<string, unknown> | undefined,
  absentOnlyForExists: boolean,
): Array<Record<string, unknown>> {
  const types = normalizeMapping(mapping);
  const plan = new Map<string, FieldPlan>();
  for (const q of queries) collect(q, '', types, plan);
  const fields = [...plan.keys()].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const options = fields.map((f) => {
    const p = plan.get(f)!;
    const c: Candidate[] = [...p.candidates];
    const numeric = c.some((v) => typeof v === 'number');
    const textual = c.length === 0 || c.some((v) => typeof v === 'string');
    if (numeric) c.push(424242);
    if (textual) c.push('zz-other');
    // Multi-valued fields (any-match semantics), for KQL-to-KQL checks only: EQL reads
    // arrays differently, and detection-rules' translation does not claim to cover them.
    if (!absentOnlyForExists && c.length >= 2) c.push([c[0], c[1]]);
    if (!absentOnlyForExists || p.exists) c.push(MISSING);
    return c;
  });
  let total = 1;
  for (const o of options) total *= o.length;
  const combos: number[][] = [];
  if (total <= MAX_DOCS) {
    for (let i = 0; i < total; i++) {
      let rest = i;
      combos.push(
        options.map((o) => {
          const k = rest % o.length;
          rest = Math.floor(rest / o.length);
          return k;
        }),
      );
    }
  } else {
    let seed = 0x9e3779b9;
    const next = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed;
    };
    for (let i = 0; i < MAX_DOCS; i++)
      combos.push(options.map((o, j) => (i < o.length ? (i + j) % o.length : next() % o.length)));
  }
  return combos.map((combo) => {
    const doc: Record<string, unknown> = {};
    combo.forEach((k, j) => {
      const v = options[j][k];
      if (v !== MISSING) setField(doc, fields[j], v);
    });
    return doc;
  });
}

// ---- checks ----

function tryParse(query: string): KqlNode | undefined {
  try {
    return parseKql(query);
  } catch {
    return undefined;
  }
}

function probe(
  c: Case,
  n: number,
  language: 'kql' | 'eql',
  query: string,
  doc: Record<string, unknown>,
  mapping?: unknown,
  now?: unknown,
): ConformanceProbe {
  const p: ConformanceProbe = { id: `${c.id}#${n}`, language, query, doc };
  if (isRecord(mapping)) p.mapping = mapping;
  if (typeof now === 'string') p.now = now;
  return p;
}

function evalCheck(c: Case): ConformanceCheck {
  const optional = c.dialect === 'kibana-workflows';
  return {
    caseId: c.id,
    kind: 'eval',
    applicable: !optional,
    reason: optional ? 'kibana-workflows dialect (Workflows extension, optional per the README)' : undefined,
    probes: [probe(c, 0, 'kql', String(c.query), isRecord(c.doc) ? c.doc : {}, c.mapping, c.now)],
    judge: ([r]) =>
      r && 'match' in r && r.match === c.expected
        ? null
        : `expected match: ${c.expected}, got ${describe(r)}`,
  };
}

function parseCheck(c: Case): ConformanceCheck {
  const query = String(c.query);
  const kibanaAccepts = c.kibana_grammar === 'accept';
  const wantError = c.kind === 'parse_error';
  let applicable = true;
  let reason: string | undefined;
  // What a Kibana-compatible parser must do (the case's own verdict where they agree).
  let expectError = wantError;
  if (c.kind === 'parse_ok' && !kibanaAccepts) {
    applicable = false;
    reason = "divergence: detection-rules/Elasticsearch accept it, Kibana's grammar rejects it";
    expectError = true;
  } else if (c.category === 'strict') {
    applicable = false;
    reason = "detection-rules' strict upper-case keywords; Kibana's grammar accepts them";
    expectError = false;
  } else if (c.id === 'kql-0090') {
    applicable = false;
    reason =
      'detection-rules rejects a number for a date field; Elasticsearch reads it as epoch milliseconds';
    expectError = false;
  }
  const mapping = c.schema ?? c.mapping;
  return {
    caseId: c.id,
    kind: c.kind,
    applicable,
    reason,
    probes: [probe(c, 0, 'kql', query, {}, mapping)],
    judge: ([r]) => {
      const gotError = r !== undefined && 'error' in r;
      if (gotError !== expectError)
        return `expected ${expectError ? 'an error' : 'no error'}, got ${describe(r)}`;
      if (
        expectError &&
        c.category === 'syntax' &&
        typeof c.message === 'string' &&
        r &&
        'error' in r &&
        r.error !== c.message
      )
        return `expected message ${JSON.stringify(c.message)}, got ${JSON.stringify(r.error)}`;
      if (!expectError && (c.ast !== undefined || c.has_free_text !== undefined)) {
        const node = tryParse(query);
        if (!node) return 'does not parse';
        const got: NeutralAst = toNeutralAst(node);
        if (c.ast !== undefined && !sameAst(got, c.ast))
          return `tree ${JSON.stringify(got)} != ${JSON.stringify(c.ast)}`;
        if (c.has_free_text !== undefined && hasFreeText(node) !== c.has_free_text)
          return `has_free_text ${hasFreeText(node)} != ${c.has_free_text}`;
      }
      return null;
    },
  };
}

function pairCheck(
  c: Case,
  left: { language: 'kql' | 'eql'; query: string },
  right: { language: 'kql' | 'eql'; query: string },
  nodes: KqlNode[],
  mapping: unknown,
  absentOnlyForExists: boolean,
): ConformanceCheck {
  const docs = equivalenceDocs(nodes, isRecord(mapping) ? mapping : undefined, absentOnlyForExists);
  const probes: ConformanceProbe[] = [];
  docs.forEach((doc, i) => {
    probes.push(
      probe(c, 2 * i, left.language, left.query, doc, left.language === 'kql' ? mapping : undefined),
    );
    probes.push(
      probe(c, 2 * i + 1, right.language, right.query, doc, right.language === 'kql' ? mapping : undefined),
    );
  });
  return {
    caseId: c.id,
    kind: c.kind,
    applicable: true,
    probes,
    judge: (results) => {
      for (let i = 0; i < docs.length; i++) {
        const a = results[2 * i];
        const b = results[2 * i + 1];
        if (!a || !b || 'error' in a || 'error' in b || a.match !== b.match)
          return `differ on ${JSON.stringify(docs[i])}: ${left.query} -> ${describe(a)}; ${right.query} -> ${describe(b)}`;
      }
      return null;
    },
  };
}

function notApplicable(c: Case, reason: string): ConformanceCheck {
  return { caseId: c.id, kind: c.kind, applicable: false, reason, probes: [], judge: () => reason };
}

function equivalentCheck(c: Case): ConformanceCheck {
  const a = tryParse(String(c.query));
  const b = tryParse(String(c.equivalent_to));
  if (!a || !b) return { ...notApplicable(c, 'a side does not parse'), applicable: true };
  return pairCheck(
    c,
    { language: 'kql', query: String(c.query) },
    { language: 'kql', query: String(c.equivalent_to) },
    [a, b],
    c.schema,
    false,
  );
}

function kql2eqlCheck(c: Case, eqlAvailable: boolean): ConformanceCheck {
  if (!eqlAvailable) return notApplicable(c, 'no EQL compiler in this build');
  const kql = tryParse(String(c.query));
  if (!kql) return { ...notApplicable(c, 'the KQL side does not parse'), applicable: true };
  const eql = String(c.eql_es ?? c.eql);
  return pairCheck(
    c,
    { language: 'kql', query: String(c.query) },
    { language: 'eql', query: eql },
    [kql],
    c.schema,
    true,
  );
}

function escapeCheck(c: Case): ConformanceCheck {
  const value = String(c.value);
  const quoted = c.context === 'quoted';
  const escaped = quoted ? escapeQuotes(value) : escapeKuery(value);
  const roundtrip = c.roundtrip !== false;
  const query = quoted ? `f:"${String(c.escaped)}"` : `f:${String(c.escaped)}`;
  return {
    caseId: c.id,
    kind: 'escape',
    applicable: true,
    probes: roundtrip ? [probe(c, 0, 'kql', query, { f: value })] : [],
    judge: ([r]) => {
      if (escaped !== c.escaped) return `escaped ${JSON.stringify(escaped)} != ${JSON.stringify(c.escaped)}`;
      if (roundtrip && !(r && 'match' in r && r.match))
        return `${query} does not match its value: ${describe(r)}`;
      return null;
    },
  };
}

function fieldNamesCheck(c: Case): ConformanceCheck {
  return {
    caseId: c.id,
    kind: 'field_names',
    applicable: true,
    probes: [],
    judge: () => {
      const node = tryParse(String(c.query));
      if (!node) return 'does not parse';
      const got = kqlFieldNames(node);
      const want = c.fields as string[];
      return JSON.stringify([...got].sort()) === JSON.stringify([...want].sort())
        ? null
        : `fields ${JSON.stringify(got)} != ${JSON.stringify(want)}`;
    },
  };
}

/** Builds the checks for the cases of cases.json. `eql`: whether an EQL compiler is wired. */
export function buildKqlConformance(cases: unknown[], options: { eql: boolean }): KqlConformance {
  const checks: ConformanceCheck[] = [];
  for (const raw of cases) {
    if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.kind !== 'string') continue;
    const c = raw as Case;
    switch (c.kind) {
      case 'eval':
        checks.push(evalCheck(c));
        break;
      case 'parse_ok':
      case 'parse_error':
        checks.push(parseCheck(c));
        break;
      case 'equivalent':
        checks.push(equivalentCheck(c));
        break;
      case 'kql2eql':
        checks.push(kql2eqlCheck(c, options.eql));
        break;
      case 'escape':
        checks.push(escapeCheck(c));
        break;
      case 'field_names':
        checks.push(fieldNamesCheck(c));
        break;
      default:
        checks.push(notApplicable(c, `unknown kind ${c.kind}`));
    }
  }
  return { checks };
}

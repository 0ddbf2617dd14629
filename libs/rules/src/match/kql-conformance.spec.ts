/**
 * KQL conformance, in process: every case of ../shared/conformance/kql/cases.json (see its
 * README) through the same MatchRunner `sequent match` uses. The CLI run of the same
 * cases is apps/cli/src/commands/match.spec.ts.
 *
 * Not asserted (reported only), as the README says: `divergence` parse_ok cases (Kibana's
 * grammar rejects them; we follow Kibana and reject them too), `strict` parse_error cases
 * (detection-rules only; Kibana accepts them), the `kibana-workflows` dialect eval cases
 * (optional Workflows extensions), and kql-0090 (detection-rules rejects `@time > 5` for a
 * date field; Elasticsearch reads 5 as epoch milliseconds).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MatchRunner } from './match-case';
import type { MatchResult } from './match-case';
import { compileEqlCondition } from '../eql';
import { buildKqlConformance, KQL_CONFORMANCE_KINDS } from './kql-conformance';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const casesFile = path.resolve(repoRoot, '..', 'shared', 'conformance', 'kql', 'cases.json');
const haveCases = existsSync(casesFile);

if (!haveCases) {
  console.warn(`KQL conformance skipped: ${casesFile} is absent (../shared is not checked out)`);
}

(haveCases ? describe : describe.skip)('KQL conformance (in process)', () => {
  const eql = compileEqlCondition;
  const cases = haveCases ? (JSON.parse(readFileSync(casesFile, 'utf8')) as unknown[]) : [];
  const { checks } = buildKqlConformance(cases, { eql: true });
  const runner = new MatchRunner({ eql });
  const verdicts = checks.map((check) => {
    const results: MatchResult[] = check.probes.map((p) => runner.run(p));
    return { check, failure: check.judge(results) };
  });

  it('passes every applicable case, and reports the counts per kind', () => {
    const lines: string[] = [];
    for (const kind of KQL_CONFORMANCE_KINDS) {
      const of = verdicts.filter((v) => v.check.kind === kind);
      const applicable = of.filter((v) => v.check.applicable);
      const passed = applicable.filter((v) => v.failure === null).length;
      const skipped = of.length - applicable.length;
      const skippedPassing = of.filter((v) => !v.check.applicable && v.failure === null).length;
      lines.push(
        `KQL conformance: ${kind} ${passed}/${applicable.length} passed` +
          (skipped
            ? ` (${skipped} not applicable, ${skippedPassing} of them do what Kibana does: ${[...new Set(of.filter((v) => !v.check.applicable).map((v) => v.check.reason))].join('; ')})`
            : ''),
      );
    }
    console.log(lines.join('\n'));
    const failures = verdicts
      .filter((v) => v.check.applicable && v.failure !== null)
      .map((v) => `${v.check.caseId} (${v.check.kind}): ${v.failure}`);
    expect(failures).toEqual([]);
    expect(verdicts.length).toBeGreaterThan(400);
  });

  it('follows Kibana where the sources disagree (divergence and strict cases)', () => {
    const disagreeing = verdicts.filter(
      (v) => !v.check.applicable && (v.check.kind === 'parse_ok' || v.check.kind === 'parse_error'),
    );
    expect(disagreeing.length).toBeGreaterThan(0);
    expect(
      disagreeing.filter((v) => v.failure !== null).map((v) => `${v.check.caseId}: ${v.failure}`),
    ).toEqual([]);
  });
});

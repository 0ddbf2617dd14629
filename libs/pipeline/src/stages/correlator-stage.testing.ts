/** Fixtures shared by the correlator stage's specs: a two-stage sequence rule and batch builders. */
import { DetectionEngine } from '@sequent/engine';
import { loadRulesFromText } from '@sequent/rules';
import type { BusBatch } from '../bus';

export const A_THEN_B_RULE = `
[metadata]
creation_date = "2026/01/01"
maturity = "production"
updated_date = "2026/01/01"

[rule]
author = ["test"]
description = "a then b on one host within 5 s"
from = "now-9m"
index = ["logs-endpoint.events.*"]
language = "eql"
license = "Apache-2.0"
name = "A then B"
risk_score = 47
rule_id = "a-then-b"
severity = "medium"
type = "eql"
query = '''
sequence by host.id with maxspan=5s
  [process where process.name == "a"]
  [process where process.name == "b"]
'''
`;

/** An engine running A_THEN_B_RULE (or another rule text); throws when the rule does not load. */
export function ruleEngine(text = A_THEN_B_RULE): DetectionEngine {
  const loaded = loadRulesFromText(text, 'rule.toml', 'toml');
  const errors = loaded.reports.flatMap((r) => r.errors);
  if (errors.length > 0) throw new Error(`test rule did not load: ${errors.join('; ')}`);
  return new DetectionEngine(loaded.rules);
}

/** One batch of partition 0 of `ecs.events`; strings are taken as raw bytes, the rest as JSON. */
export function batch(records: unknown[], firstOffset: number): BusBatch {
  return {
    topic: 'ecs.events',
    partition: 0,
    records: records.map((r, i) => ({
      topic: 'ecs.events',
      partition: 0,
      offset: String(firstOffset + i),
      key: 'h1',
      value: Buffer.from(typeof r === 'string' ? r : JSON.stringify(r)),
      headers: {},
      timestamp: 0,
    })),
  };
}

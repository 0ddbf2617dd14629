// PLACEHOLDER stage logic for ingest, isolated here so the real stage (libs/pipeline, with the
// libs/ecs normalizers) can replace it: parse one JSON document, check it lightly, key by host.id.
import { getField } from '@sequent/ecs';
import type { KafkaBusRecord, StageResult } from '@sequent/platform';

export type IngestOutcome =
  | { ok: true; key: string | null; value: string }
  | { ok: false; reason: 'invalid_json' | 'not_an_object' | 'missing_timestamp'; error: string };

export function ingestDocument(bytes: Buffer | string): IngestOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'invalid_json', error: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, reason: 'not_an_object', error: 'an ECS event must be a JSON object' };
  }
  const timestamp = getField(doc, '@timestamp');
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) {
    return { ok: false, reason: 'missing_timestamp', error: '@timestamp is missing or not a date' };
  }
  const hostId = getField(doc, 'host.id');
  // Events of one host land on one partition, so per-host state lives in one correlator.
  const key = typeof hostId === 'string' && hostId !== '' ? hostId : null;
  return { ok: true, key, value: JSON.stringify(doc) };
}

export function ingestBatch(records: KafkaBusRecord[]): StageResult {
  const result: StageResult = { outputs: [], rejects: [] };
  for (const record of records) {
    const outcome = ingestDocument(record.value);
    if (outcome.ok) result.outputs.push({ key: outcome.key, value: outcome.value });
    else result.rejects.push({ record, reason: outcome.reason, error: outcome.error });
  }
  return result;
}

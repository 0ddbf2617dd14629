// PLACEHOLDER stage logic for the alerter, isolated here so the real stage (libs/pipeline:
// suppression, risk, outputs) can replace it: validate the candidate, drop ids already
// published (deduper), publish the rest keyed by their id.
import { getField } from '@sequent/ecs';
import type { KafkaBusRecord, StageResult } from '@sequent/platform';
import type { AlertDeduper } from './dedupe';

type Parsed =
  | { ok: true; uuid: string; value: string }
  | { ok: false; reason: 'invalid_json' | 'not_an_object' | 'missing_alert_uuid'; error: string };

export function parseCandidate(bytes: Buffer): Parsed {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'invalid_json', error: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, reason: 'not_an_object', error: 'an alert candidate must be a JSON object' };
  }
  const uuid = getField(doc, 'kibana.alert.uuid');
  if (typeof uuid !== 'string' || uuid === '') {
    return { ok: false, reason: 'missing_alert_uuid', error: 'kibana.alert.uuid is missing or not a string' };
  }
  return { ok: true, uuid, value: JSON.stringify(doc) };
}

/** The stage's result plus how many candidates were dropped as already published. */
export type AlertBatchResult = StageResult & { duplicates: number };

export async function alertBatch(
  records: KafkaBusRecord[],
  deduper: AlertDeduper,
): Promise<AlertBatchResult> {
  const result: AlertBatchResult = { outputs: [], rejects: [], duplicates: 0 };
  const fresh = new Map<string, string>();
  let duplicates = 0;
  for (const record of records) {
    const parsed = parseCandidate(record.value);
    if (!parsed.ok) result.rejects.push({ record, reason: parsed.reason, error: parsed.error });
    else if (fresh.has(parsed.uuid)) duplicates++;
    else fresh.set(parsed.uuid, parsed.value);
  }
  const uuids = [...fresh.keys()];
  const seen = await deduper.seen(uuids);
  const publish = uuids.filter((_, i) => !seen[i]);
  duplicates += uuids.length - publish.length;
  result.outputs = publish.map((uuid) => ({ key: uuid, value: fresh.get(uuid) as string }));
  result.duplicates = duplicates;
  result.onProduced = () => deduper.markPublished(publish);
  return result;
}

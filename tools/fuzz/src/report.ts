import type { FuzzReport } from './embedded';

/** The report: the contract line first (`sent=N processed=N dlq=N lost=N crashes=N`), then detail. */
export function formatReport(r: FuzzReport): string {
  const lines = [
    `sent=${r.sent} processed=${r.processed} dlq=${r.dlq} lost=${r.lost} crashes=${r.crashes}`,
    `peak_rss_mb=${r.peakRssMb} peak_heap_mb=${r.peakHeapMb} seconds=${r.seconds} seed=${r.seed}`,
    `messages: hostile=${r.hostile} fleet=${r.fleetEvents} join_key_flood=${r.floodEvents}`,
    `planted attacks: ${r.detected}/${r.planted} detected (correlator candidates), ${r.plantedPublished}/${r.planted} published; alerts=${r.alerts} (deduplicated=${r.deduplicated} suppressed=${r.suppressed} rate_capped=${r.rateCapped}); sequence/threshold keys held=${r.stateKeys} evictions=${r.evictions}`,
  ];
  for (const [name, c] of Object.entries(r.stages)) {
    const reasons = Object.entries(c.reasons)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    lines.push(
      `  ${name}: consumed=${c.consumed} processed=${c.processed} dlq=${c.dlq} lost=${c.lost} out=${c.outputs} crashes=${c.crashes} dlq_reasons: ${reasons || '-'}`,
    );
  }
  lines.push(
    `kinds: ${Object.entries(r.byKind)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  if (r.missed.length > 0) lines.push(`missed: ${r.missed.join(', ')}`);
  for (const p of r.problems) lines.push(`FAIL: ${p}`);
  lines.push(r.problems.length === 0 && r.lost === 0 && r.crashes === 0 ? 'fuzz: PASS' : 'fuzz: FAIL');
  return lines.join('\n');
}

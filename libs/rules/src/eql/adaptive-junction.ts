/**
 * `and`/`or` over tests that learn their order. Rule conditions are conjunctions of tests of
 * very different selectivity (`host.os.type == "linux"` holds on every event of a Linux fleet,
 * `process.name in ("nc", "ncat")` on almost none), written in whatever order the author chose.
 * A junction counts which part settled it (the first false of an `and`, the first true of an
 * `or`) and every `REORDER_EVERY` calls moves the parts that settle it most often to the front,
 * so a condition soon tests first what usually decides it on this stream.
 *
 * Only for parts that are pure and two-valued (each returns true or false, reads nothing but
 * the event, changes nothing): then every order gives the same result. EQL's Query DSL leaves
 * and KQL leaves are (scripts are reduced to "true or not" before they get here). A part that
 * throws on some event may then be skipped by one that settles first: the rule gives the same
 * answer, "no match", without counting an error.
 */
export type JunctionPart = (event: unknown) => boolean;

/** Calls between reorderings; counts are halved at each, so the order follows the stream. */
export const REORDER_EVERY = 1024;

/** `and` (settleOn false) or `or` (settleOn true) of `parts`, in a learned order. */
export function adaptiveJunction(parts: readonly JunctionPart[], settleOn: boolean): JunctionPart {
  if (parts.length === 0) return () => !settleOn;
  if (parts.length === 1) return parts[0];
  const order = parts.slice();
  const settled = new Float64Array(order.length);
  let calls = 0;
  return (event) => {
    if (++calls === REORDER_EVERY) {
      calls = 0;
      reorder(order, settled);
    }
    for (let i = 0; i < order.length; i++) {
      if (order[i](event) === settleOn) {
        settled[i]++;
        return settleOn;
      }
    }
    return !settleOn;
  };
}

/** Most often settling first (ties keep their order: the sort is stable); counts halved. */
function reorder(order: JunctionPart[], settled: Float64Array): void {
  const ranked = order.map((part, i) => ({ part, n: settled[i] }));
  ranked.sort((a, b) => b.n - a.n);
  for (let i = 0; i < ranked.length; i++) {
    order[i] = ranked[i].part;
    settled[i] = ranked[i].n / 2;
  }
}

/**
 * Kibana's `escapeKuery` and `escapeQuotes` (kbn-es-query `kuery/utils/escape_kuery.ts`):
 * how a value is written into a KQL query so that it is read back as itself.
 */

/** Escapes a value for an unquoted KQL position (`field: <here>`), in Kibana's order:
 * special characters, then and/or, then not, then tabs and line breaks. */
export function escapeKuery(value: string): string {
  const special = value.replace(/[\\():<>"*]/g, '\\$&');
  const andOr = special.replace(/(\s+)(and|or)(\s+)/gi, '$1\\$2$3');
  const not = andOr.replace(/not(\s+)/gi, '\\$&');
  return not.replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** Escapes a value for the inside of a quoted KQL string (`field: "<here>"`). */
export function escapeQuotes(value: string): string {
  return value.replace(/[\\"]/g, '\\$&');
}

/**
 * Kibana's `escapeKuery` and `escapeQuotes` (kbn-es-query `kuery/utils/escape_kuery.ts`):
 * how a value is written into a KQL query so that it is read back as itself.
 */

/** Escapes a value for an unquoted KQL position (`field: <here>`). */
export function escapeKuery(value: string): string {
  const whitespace = value.replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  const special = whitespace.replace(/[\\():<>"*]/g, '\\$&');
  const andOr = special.replace(/(\s+)(and|or)(\s+)/gi, '$1\\$2$3');
  return andOr.replace(/not(\s+)/gi, '\\$&');
}

/** Escapes a value for the inside of a quoted KQL string (`field: "<here>"`). */
export function escapeQuotes(value: string): string {
  return value.replace(/[\\"]/g, '\\$&');
}

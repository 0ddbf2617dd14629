export { toKibanaNdjson, toKibanaRule } from './kibana-ndjson';
export type { ExceptionListsExport } from './kibana-ndjson';

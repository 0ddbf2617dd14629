export { compileExceptionItems, compileExceptionItem } from './compile-exceptions';
export type { ExceptionContext } from './compile-exceptions';
export { compileWildcard, hasWildcard } from './wildcard';
export type { WildcardMatcher } from './wildcard';
export { parseValueList, compileValueListMatcher } from './value-lists';
export type { ValueList, ValueLists, ValueMatcher } from './value-lists';
export { parseIp, parseIpRange, ipInRange } from './ip';
export type { IpRange } from './ip';

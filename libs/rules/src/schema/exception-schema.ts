/**
 * Kibana exception lists as they appear in a rule export (NDJSON) or an exception list export:
 * list containers (`list_id`, `type`, `namespace_type`) and their items (`item_id`, `list_id`,
 * `entries`, `os_types`). Unknown extra fields (ids, timestamps, comments' authors...) are
 * allowed; only what changes matching is checked.
 */
import { z } from 'zod';

const nonEmpty = z.string().min(1);
const operator = z.enum(['included', 'excluded']);

export const entryMatchSchema = z.looseObject({
  type: z.literal('match'),
  field: nonEmpty,
  operator,
  value: nonEmpty,
});

export const entryMatchAnySchema = z.looseObject({
  type: z.literal('match_any'),
  field: nonEmpty,
  operator,
  value: z.array(nonEmpty).min(1),
});

export const entryExistsSchema = z.looseObject({
  type: z.literal('exists'),
  field: nonEmpty,
  operator,
});

export const entryWildcardSchema = z.looseObject({
  type: z.literal('wildcard'),
  field: nonEmpty,
  operator,
  value: nonEmpty,
});

export const entryListSchema = z.looseObject({
  type: z.literal('list'),
  field: nonEmpty,
  operator,
  list: z.looseObject({ id: nonEmpty, type: nonEmpty }),
});

/** Kibana allows match, match_any and exists inside a nested entry. */
export const nestedChildSchema = z.discriminatedUnion('type', [
  entryMatchSchema,
  entryMatchAnySchema,
  entryExistsSchema,
]);

export const entryNestedSchema = z.looseObject({
  type: z.literal('nested'),
  field: nonEmpty,
  entries: z.array(nestedChildSchema).min(1),
});

export const exceptionEntrySchema = z.discriminatedUnion('type', [
  entryMatchSchema,
  entryMatchAnySchema,
  entryExistsSchema,
  entryWildcardSchema,
  entryListSchema,
  entryNestedSchema,
]);

export const osTypeSchema = z.enum(['linux', 'macos', 'windows']);
export const namespaceTypeSchema = z.enum(['single', 'agnostic']);

export const exceptionItemSchema = z.looseObject({
  item_id: nonEmpty,
  list_id: nonEmpty,
  type: z.literal('simple').default('simple'),
  namespace_type: namespaceTypeSchema.default('single'),
  name: z.string().optional(),
  description: z.string().optional(),
  entries: z.array(exceptionEntrySchema).min(1),
  os_types: z.array(osTypeSchema).default([]),
  expire_time: z.string().optional(),
});

export const exceptionListTypeSchema = z.enum([
  'detection',
  'rule_default',
  'endpoint',
  'endpoint_trusted_apps',
  'endpoint_trusted_devices',
  'endpoint_events',
  'endpoint_host_isolation_exceptions',
  'endpoint_blocklists',
]);

export const exceptionListSchema = z.looseObject({
  list_id: nonEmpty,
  id: z.string().optional(),
  type: exceptionListTypeSchema,
  namespace_type: namespaceTypeSchema.default('single'),
  name: z.string().optional(),
  description: z.string().optional(),
  os_types: z.array(osTypeSchema).default([]),
});

/** A rule's reference to an exception list (`exceptions_list` entries). */
export const exceptionListRefSchema = z.looseObject({
  id: z.string(),
  list_id: nonEmpty,
  type: exceptionListTypeSchema,
  namespace_type: namespaceTypeSchema,
});

export type ExceptionEntry = z.infer<typeof exceptionEntrySchema>;
export type NestedChildEntry = z.infer<typeof nestedChildSchema>;
export type ExceptionItem = z.infer<typeof exceptionItemSchema>;
export type ExceptionList = z.infer<typeof exceptionListSchema>;
export type ExceptionListRef = z.infer<typeof exceptionListRefSchema>;

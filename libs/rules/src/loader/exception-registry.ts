/**
 * The exception lists and items found across one load, and the lookup from a rule's
 * `exceptions_list` references to the items that apply to it.
 */
import {
  exceptionItemSchema,
  exceptionListSchema,
  type ExceptionItem,
  type ExceptionList,
  type ExceptionListRef,
} from '../schema/exception-schema';
import { formatIssue, fromZodIssues } from '../schema/issues';

function key(namespaceType: string, listId: string): string {
  return `${namespaceType}/${listId}`;
}

export class ExceptionRegistry {
  private readonly lists = new Map<string, ExceptionList>();
  private readonly items = new Map<string, ExceptionItem[]>();
  private readonly itemIds = new Set<string>();

  /** Validates and adds a list container; returns problems (empty when accepted). */
  addList(raw: unknown, source: string): { errors: string[]; warnings: string[] } {
    const parsed = exceptionListSchema.safeParse(raw, { reportInput: true });
    const id = (raw as { list_id?: unknown } | null)?.list_id;
    if (!parsed.success) {
      const label = typeof id === 'string' ? `exception list ${id}` : undefined;
      return {
        errors: fromZodIssues(parsed.error.issues, raw).map((i) => formatIssue(i, source, label)),
        warnings: [],
      };
    }
    const k = key(parsed.data.namespace_type, parsed.data.list_id);
    if (this.lists.has(k))
      return {
        errors: [],
        warnings: [`${source}: exception list "${parsed.data.list_id}" appears twice; the first is kept`],
      };
    this.lists.set(k, parsed.data);
    return { errors: [], warnings: [] };
  }

  /** Validates and adds an exception item; returns problems (empty when accepted). */
  addItem(raw: unknown, source: string): { errors: string[]; warnings: string[] } {
    const parsed = exceptionItemSchema.safeParse(raw, { reportInput: true });
    const id = (raw as { item_id?: unknown } | null)?.item_id;
    const label = typeof id === 'string' ? `exception item ${id}` : undefined;
    if (!parsed.success) {
      return {
        errors: fromZodIssues(parsed.error.issues, raw).map((i) => formatIssue(i, source, label)),
        warnings: [],
      };
    }
    const item = parsed.data;
    const k = key(item.namespace_type, item.list_id);
    const itemKey = `${k}/${item.item_id}`;
    if (this.itemIds.has(itemKey))
      return {
        errors: [],
        warnings: [`${source}: ${label} appears twice in list "${item.list_id}"; the first is kept`],
      };
    this.itemIds.add(itemKey);
    const list = this.items.get(k) ?? [];
    list.push(item);
    this.items.set(k, list);
    return { errors: [], warnings: [] };
  }

  /** The items for a rule's references, and the references no loaded list or item matched. */
  resolve(refs: readonly ExceptionListRef[]): { items: ExceptionItem[]; missing: ExceptionListRef[] } {
    const items: ExceptionItem[] = [];
    const missing: ExceptionListRef[] = [];
    for (const ref of refs) {
      const k = key(ref.namespace_type, ref.list_id);
      const found = this.items.get(k);
      if (found) items.push(...found);
      else if (!this.lists.has(k)) missing.push(ref);
    }
    return { items, missing };
  }

  allLists(): ExceptionList[] {
    return [...this.lists.values()];
  }

  allItems(): ExceptionItem[] {
    return [...this.items.values()].flat();
  }
}

/**
 * Views built from stored conversations, kept by organization and id and reused while the stored
 * version is the one they were built from. Every change to a conversation moves its version (the
 * store's update refuses one that does not; a division move bumps it too), and every read that
 * uses the cache reads the row first: a change made by any process shows on the next read, with
 * no invalidation message to miss. What a hit saves is parsing the participants JSON and building
 * the view (and, through `serializedOnce` in the routes, serializing it).
 *
 * A cached view is shared by every request that reads that version: callers must not change it.
 */
import type { ConversationRow } from '../../storage/schema.ts';
import type { Conversation } from './model.ts';
import { conversationFromRow } from './rows.ts';

/** Entries kept; the oldest goes first. About 5 KB each (the view and its serialized body). */
const MAX_ENTRIES = 500;

export function createViewCache<V>(build: (c: Conversation) => V, max = MAX_ENTRIES) {
  const entries = new Map<string, { version: number; view: V }>();
  return {
    /** The view of this version of the organization's conversation, if it was built. */
    get(orgId: string, id: string, version: number): V | undefined {
      const hit = entries.get(`${orgId}/${id}`);
      return hit && hit.version === version ? hit.view : undefined;
    },
    /** The view of this row: built once per version. */
    of(row: ConversationRow): V {
      const key = `${row.org_id}/${row.id}`;
      const hit = entries.get(key);
      if (hit && hit.version === row.version) return hit.view;
      const view = build(conversationFromRow(row));
      if (hit) entries.delete(key);
      else if (entries.size >= max) entries.delete(entries.keys().next().value as string);
      entries.set(key, { version: row.version, view });
      return view;
    },
    get size() {
      return entries.size;
    },
  };
}

/** Read-side queries over audit_events. Every query is scoped to one organization. */
import type { Executor } from '../../storage/db.ts';
import type { AuditQueryRow } from '../../storage/schema.ts';
import { containsFolded, jsonText } from '../../storage/text-match.ts';

export interface AuditFilter {
  orgId: string;
  from: string;
  to: string;
  serviceName?: string;
  userId?: string;
  clientId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
}

function filtered(db: Executor, f: AuditFilter) {
  let q = db
    .selectFrom('audit_events')
    .where('org_id', '=', f.orgId)
    .where('occurred_at', '>=', f.from)
    .where('occurred_at', '<', f.to);
  if (f.serviceName) q = q.where('service_name', '=', f.serviceName);
  if (f.userId) q = q.where('actor_user_id', '=', f.userId);
  if (f.clientId) q = q.where('actor_client_id', '=', f.clientId);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  return q;
}

/**
 * Which events may hold a person's data (data-subject requests): any of these texts in the
 * entity name, changes or context (case-insensitive), or an event about or by one of these users.
 * A coarse pre-filter on the stored text; callers check the parsed rows.
 */
export interface MentionFilter {
  orgId: string;
  /** At most MAX_MENTION_TEXTS. */
  texts: string[];
  userIds: string[];
}

/**
 * The most texts one MentionFilter may hold: each is three LIKEs in one OR, and SQLite refuses
 * an expression deeper than 1,000 ("Expression tree is too large"). Callers scan in chunks.
 */
export const MAX_MENTION_TEXTS = 100;

function aboutOrBy(db: Executor, orgId: string, userIds: string[]) {
  return db
    .selectFrom('audit_events')
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('entity_id', 'in', userIds), eb('actor_user_id', 'in', userIds)]));
}

export function createAuditStore() {
  return {
    query: (db: Executor, f: AuditFilter, descending: boolean, offset: number, limit: number) =>
      filtered(db, f)
        .selectAll()
        .orderBy('occurred_at', descending ? 'desc' : 'asc')
        .orderBy('id', descending ? 'desc' : 'asc')
        .offset(offset)
        .limit(limit)
        .execute(),
    count: async (db: Executor, f: AuditFilter) =>
      Number(
        (
          await filtered(db, f)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /** Keyset paging for async results: rows after (or before) the cursor's (time, id). */
    page: (db: Executor, f: AuditFilter, descending: boolean, after: [string, string] | null, limit: number) => {
      let q = filtered(db, f).selectAll();
      if (after) {
        const [ts, id] = after;
        const op = descending ? '<' : '>';
        q = q.where((eb) => eb.or([eb('occurred_at', op, ts), eb.and([eb('occurred_at', '=', ts), eb('id', op, id)])]));
      }
      const dir = descending ? 'desc' : 'asc';
      return q.orderBy('occurred_at', dir).orderBy('id', dir).limit(limit).execute();
    },
    /** Removes events older than the cutoff, and finished queries older than it. */
    purgeBefore: async (db: Executor, cutoff: string) => {
      const events = await db.deleteFrom('audit_events').where('occurred_at', '<', cutoff).executeTakeFirst();
      await db.deleteFrom('audit_queries').where('created_at', '<', cutoff).execute();
      return Number(events.numDeletedRows);
    },
    insertQuery: (db: Executor, row: AuditQueryRow) => db.insertInto('audit_queries').values(row).execute(),
    updateQuery: (db: Executor, id: string, patch: Partial<AuditQueryRow>) =>
      db.updateTable('audit_queries').set(patch).where('id', '=', id).execute(),
    findQuery: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('audit_queries').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    unfinishedQueries: (db: Executor) =>
      db.selectFrom('audit_queries').select(['id', 'org_id']).where('state', 'in', ['Queued', 'Running']).execute(),
    find: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    /** Events caused by one event. */
    causedBy: (db: Executor, orgId: string, id: string) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('cause_event_id', '=', id)
        .orderBy('id')
        .execute(),
    /** The events about (entity) or by (actor) these users, newest first (userIds must not be empty). */
    aboutOrBy: (db: Executor, orgId: string, userIds: string[], limit: number) =>
      aboutOrBy(db, orgId, userIds)
        .selectAll()
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    countAboutOrBy: async (db: Executor, orgId: string, userIds: string[]) =>
      Number(
        (
          await aboutOrBy(db, orgId, userIds)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /** One page, by id, of the events a MentionFilter matches (none when it names nothing). */
    mentioning: async (db: Executor, f: MentionFilter, afterId: string | null, limit: number) => {
      if (f.texts.length > MAX_MENTION_TEXTS)
        throw new Error(`mentioning: ${f.texts.length} texts, at most ${MAX_MENTION_TEXTS} per query`);
      const conditions = f.texts.flatMap((t) => [
        containsFolded('entity_name', t),
        containsFolded('changes', jsonText(t)),
        containsFolded('context', jsonText(t)),
      ]);
      if (conditions.length === 0 && f.userIds.length === 0) return [];
      let q = db
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', f.orgId)
        .where((eb) =>
          eb.or([
            ...conditions,
            ...(f.userIds.length ? [eb('entity_id', 'in', f.userIds), eb('actor_user_id', 'in', f.userIds)] : []),
          ]),
        );
      if (afterId) q = q.where('id', '>', afterId);
      return q.orderBy('id').limit(limit).execute();
    },
    /** The events about these users (their entity), oldest first (userIds must not be empty). */
    about: (db: Executor, orgId: string, userIds: string[]) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('entity_id', 'in', userIds)
        .orderBy('id')
        .execute(),
    /** Rewrites an event's content (personal data erased); who, what and when stay as recorded. */
    rewriteContent: (
      db: Executor,
      orgId: string,
      id: string,
      content: { entity_name: string | null; changes: string; context: string },
    ) => db.updateTable('audit_events').set(content).where('org_id', '=', orgId).where('id', '=', id).execute(),
    /** Names of the users among these ids, for `expand=user`. */
    userNames: async (db: Executor, orgId: string, ids: string[]) =>
      ids.length === 0
        ? new Map<string, string>()
        : new Map(
            (
              await db
                .selectFrom('users')
                .select(['id', 'name'])
                .where('org_id', '=', orgId)
                .where('id', 'in', ids)
                .execute()
            ).map((u) => [u.id, u.name]),
          ),
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;

/** Read-side queries over audit_events. Every query is scoped to one organization. */
import type { Executor } from '../../storage/db.ts';
import type { AuditQueryRow } from '../../storage/schema.ts';

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
  let q = db.selectFrom('audit_events').where('org_id', '=', f.orgId).where('occurred_at', '>=', f.from).where('occurred_at', '<', f.to);
  if (f.serviceName) q = q.where('service_name', '=', f.serviceName);
  if (f.userId) q = q.where('actor_user_id', '=', f.userId);
  if (f.clientId) q = q.where('actor_client_id', '=', f.clientId);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  return q;
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
      Number((await filtered(db, f).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
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
    updateQuery: (db: Executor, id: string, patch: Partial<AuditQueryRow>) => db.updateTable('audit_queries').set(patch).where('id', '=', id).execute(),
    findQuery: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('audit_queries').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    unfinishedQueries: (db: Executor) => db.selectFrom('audit_queries').select(['id', 'org_id']).where('state', 'in', ['Queued', 'Running']).execute(),
    find: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    /** Events caused by one event. */
    causedBy: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).where('cause_event_id', '=', id).orderBy('id').execute(),
    /** Names of the users among these ids, for `expand=user`. */
    userNames: async (db: Executor, orgId: string, ids: string[]) =>
      ids.length === 0
        ? new Map<string, string>()
        : new Map((await db.selectFrom('users').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', ids).execute()).map((u) => [u.id, u.name])),
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;

/** Storage of audit streams and their outbox (audit_deliveries). Every read is scoped to one organization or one stream. */
import type { Executor } from '../../../storage/db.ts';
import type { AuditStreamRow } from '../../../storage/schema.ts';

export function createStreamStore() {
  return {
    insert: (db: Executor, row: AuditStreamRow) => db.insertInto('audit_streams').values(row).execute(),
    update: (db: Executor, id: string, patch: Partial<AuditStreamRow>) =>
      db.updateTable('audit_streams').set(patch).where('id', '=', id).execute(),
    find: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('audit_streams').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    list: (db: Executor, orgId: string, offset: number, limit: number) =>
      db
        .selectFrom('audit_streams')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .orderBy('id')
        .offset(offset)
        .limit(limit)
        .execute(),
    count: async (db: Executor, orgId: string) =>
      Number(
        (
          await db
            .selectFrom('audit_streams')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    remove: async (db: Executor, id: string) => {
      await db.deleteFrom('audit_deliveries').where('stream_id', '=', id).execute();
      await db.deleteFrom('audit_streams').where('id', '=', id).execute();
    },
    /** Deliveries waiting across every stream, and the oldest one's event time (metrics). */
    outbox: async (db: Executor) => {
      const row = await db
        .selectFrom('audit_deliveries as d')
        .innerJoin('audit_events as e', 'e.id', 'd.event_id')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('e.occurred_at').as('oldest')])
        .executeTakeFirst();
      return { backlog: Number(row?.n ?? 0), oldest: (row?.oldest as string | null | undefined) ?? null };
    },
    /** Events waiting per stream. */
    pending: async (db: Executor, ids: string[]) => {
      if (ids.length === 0) return new Map<string, number>();
      const rows = await db
        .selectFrom('audit_deliveries')
        .select(['stream_id', (eb) => eb.fn.countAll().as('n')])
        .where('stream_id', 'in', ids)
        .groupBy('stream_id')
        .execute();
      return new Map(rows.map((r) => [r.stream_id, Number(r.n)]));
    },

    /** Active streams with deliveries that are due and not held by another dispatcher. */
    dueStreams: (db: Executor, now: string) =>
      db
        .selectFrom('audit_streams as s')
        .selectAll('s')
        .where('s.state', '=', 'active')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('audit_deliveries as d')
              .select('d.event_id')
              .whereRef('d.stream_id', '=', 's.id')
              .where('d.next_attempt_at', '<=', now)
              .where('d.lease_until', '<', now),
          ),
        )
        .limit(50)
        .execute(),

    /**
     * Leases up to `limit` due deliveries of one stream, oldest event first. A row another
     * dispatcher leased in between is not taken (the lease condition is checked again by the UPDATE).
     */
    claim: async (db: Executor, streamId: string, now: string, leaseUntil: string, limit: number) => {
      const due = db
        .selectFrom('audit_deliveries')
        .select('event_id')
        .where('stream_id', '=', streamId)
        .where('next_attempt_at', '<=', now)
        .where('lease_until', '<', now)
        .orderBy('event_id')
        .limit(limit);
      const rows = await db
        .updateTable('audit_deliveries')
        .set({ lease_until: leaseUntil })
        .where('stream_id', '=', streamId)
        .where('lease_until', '<', now)
        .where('event_id', 'in', due)
        .returning(['event_id', 'attempts'])
        .execute();
      return rows.sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
    },
    events: (db: Executor, ids: string[]) =>
      db.selectFrom('audit_events').selectAll().where('id', 'in', ids).orderBy('id').execute(),
    delivered: (db: Executor, streamId: string, eventIds: string[]) =>
      db.deleteFrom('audit_deliveries').where('stream_id', '=', streamId).where('event_id', 'in', eventIds).execute(),
    retryLater: (db: Executor, streamId: string, eventIds: string[], nextAttemptAt: string) =>
      db
        .updateTable('audit_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt, lease_until: '' }))
        .where('stream_id', '=', streamId)
        .where('event_id', 'in', eventIds)
        .execute(),
    recordSuccess: (db: Executor, streamId: string, count: number, at: string) =>
      db
        .updateTable('audit_streams')
        .set((eb) => ({ delivered_count: eb('delivered_count', '+', count), last_delivered_at: at }))
        .where('id', '=', streamId)
        .execute(),
    recordFailure: (db: Executor, streamId: string, error: string, at: string) =>
      db
        .updateTable('audit_streams')
        .set({ last_error: error, last_error_at: at })
        .where('id', '=', streamId)
        .execute(),
  };
}

export type StreamStore = ReturnType<typeof createStreamStore>;

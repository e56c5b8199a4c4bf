/** Kysely queries over gdpr_requests. Every query but the resume scan is scoped to one organization. */
import type { Executor } from '../../storage/db.ts';
import type { GdprRequestRow } from '../../storage/schema.ts';

export function createGdprStore() {
  return {
    insert: (db: Executor, row: GdprRequestRow) => db.insertInto('gdpr_requests').values(row).execute(),
    find: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('gdpr_requests').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    update: (db: Executor, id: string, patch: Partial<Omit<GdprRequestRow, 'id' | 'org_id'>>) =>
      db.updateTable('gdpr_requests').set(patch).where('id', '=', id).execute(),
    /** A page of the organization's requests, newest first, without their results documents. */
    list: (db: Executor, orgId: string, offset: number, limit: number) =>
      db
        .selectFrom('gdpr_requests')
        .select(['id', 'org_id', 'name', 'request_type', 'status', 'subject', 'replacement_terms', 'created_by_user', 'created_by_client', 'created_at', 'completed_at', 'error'])
        .where('org_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(offset)
        .limit(limit)
        .execute(),
    count: async (db: Executor, orgId: string) =>
      Number((await db.selectFrom('gdpr_requests').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n),
    /** Every request of the organization with what it holds about its subject (an erasure redacts them). */
    subjects: (db: Executor, orgId: string) =>
      db.selectFrom('gdpr_requests').select(['id', 'subject', 'replacement_terms', 'results']).where('org_id', '=', orgId).execute(),
    /** Requests a stopped process left unfinished, oldest first. */
    unfinished: (db: Executor) =>
      db.selectFrom('gdpr_requests').select(['id', 'org_id']).where('status', 'not in', ['COMPLETED', 'ERROR']).orderBy('created_at').execute(),
  };
}

export type GdprStore = ReturnType<typeof createGdprStore>;

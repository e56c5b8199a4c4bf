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
        .select([
          'id',
          'org_id',
          'name',
          'request_type',
          'status',
          'subject',
          'replacement_terms',
          'created_by_user',
          'created_by_client',
          'created_at',
          'completed_at',
          'error',
          'parent_request_id',
        ])
        .where('org_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(offset)
        .limit(limit)
        .execute(),
    count: async (db: Executor, orgId: string) =>
      Number(
        (
          await db
            .selectFrom('gdpr_requests')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /**
     * Takes an unfinished request for one run until `until`, unless another run holds it: answers
     * whether it did. Two runs never hold one request at once.
     */
    claim: async (db: Executor, id: string, token: string, now: string, until: string) => {
      const res = await db
        .updateTable('gdpr_requests')
        .set({ claimed_until: until, claim_token: token, modified_at: now })
        .where('id', '=', id)
        .where('status', 'not in', ['COMPLETED', 'ERROR'])
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /**
     * A write of the run holding the request (`token`), while it is unfinished: answers whether it
     * was made. A run whose lease another run has taken over writes nothing more.
     */
    updateHeld: async (
      db: Executor,
      id: string,
      token: string,
      patch: Partial<Omit<GdprRequestRow, 'id' | 'org_id'>>,
    ) => {
      const res = await db
        .updateTable('gdpr_requests')
        .set(patch)
        .where('id', '=', id)
        .where('claim_token', '=', token)
        .where('status', 'not in', ['COMPLETED', 'ERROR'])
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** The requests repeated from these ones for the other contacts of a merge set. */
    related: (db: Executor, orgId: string, parentIds: string[]) =>
      parentIds.length
        ? db
            .selectFrom('gdpr_requests')
            .select(['id', 'parent_request_id'])
            .where('org_id', '=', orgId)
            .where('parent_request_id', 'in', parentIds)
            .orderBy('created_at')
            .orderBy('id')
            .execute()
        : Promise.resolve([]),
    /** The organization's completed rectifications, for the former names they replaced. */
    completedUpdates: (db: Executor, orgId: string) =>
      db
        .selectFrom('gdpr_requests')
        .select(['replacement_terms', 'resolved_user_ids'])
        .where('org_id', '=', orgId)
        .where('request_type', '=', 'GDPR_UPDATE')
        .where('status', '=', 'COMPLETED')
        .execute(),
    /** Every request of the organization with what it holds about its subject (an erasure redacts them). */
    subjects: (db: Executor, orgId: string) =>
      db
        .selectFrom('gdpr_requests')
        .select(['id', 'name', 'subject', 'replacement_terms', 'resolved_user_ids', 'results', 'error'])
        .where('org_id', '=', orgId)
        .execute(),
    /** Unfinished requests no process holds (left by a stopped one, or not started), oldest first. */
    unfinished: (db: Executor, now: string) =>
      db
        .selectFrom('gdpr_requests')
        .select(['id', 'org_id'])
        .where('status', 'not in', ['COMPLETED', 'ERROR'])
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .orderBy('created_at')
        .execute(),
  };
}

export type GdprStore = ReturnType<typeof createGdprStore>;

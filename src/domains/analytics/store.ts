/** Kysely queries over analytics_jobs (asynchronous details jobs). Scoped to one organization. */
import type { Executor } from '../../storage/db.ts';
import type { AnalyticsJobRow } from '../../storage/schema.ts';

export function createAnalyticsStore() {
  return {
    insert: (db: Executor, row: AnalyticsJobRow) => db.insertInto('analytics_jobs').values(row).execute(),
    find: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('analytics_jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    update: (db: Executor, id: string, patch: Partial<Omit<AnalyticsJobRow, 'id' | 'org_id'>>) =>
      db.updateTable('analytics_jobs').set(patch).where('id', '=', id).execute(),
    remove: (db: Executor, orgId: string, id: string) =>
      db.deleteFrom('analytics_jobs').where('org_id', '=', orgId).where('id', '=', id).execute(),
    /** Jobs a stopped process left queued or running (picked up again at start). */
    unfinished: (db: Executor) =>
      db.selectFrom('analytics_jobs').select(['id', 'org_id']).where('state', 'in', ['QUEUED', 'PENDING']).execute(),
  };
}

export type AnalyticsStore = ReturnType<typeof createAnalyticsStore>;

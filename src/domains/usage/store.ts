/** The usage domain's stored query executions (usage_queries): what the service reads and writes. */
import type { Db } from '../../storage/db.ts';
import type { UsageQueryRow } from '../../storage/schema.ts';

export function createUsageStore(db: Db) {
  return {
    byId: (id: string) => db.selectFrom('usage_queries').selectAll().where('id', '=', id).executeTakeFirst(),

    inOrganization: (orgId: string, id: string) =>
      db.selectFrom('usage_queries').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst(),

    async complete(id: string, result: string) {
      await db.updateTable('usage_queries').set({ state: 'Complete', result }).where('id', '=', id).execute();
    },

    async fail(id: string, error: string) {
      await db.updateTable('usage_queries').set({ state: 'Failed', error }).where('id', '=', id).execute();
    },

    /** Adds an execution after dropping those created before `keepSince`. */
    async insert(row: UsageQueryRow, keepSince: Date) {
      await db.deleteFrom('usage_queries').where('created_at', '<', keepSince.toISOString()).execute();
      await db.insertInto('usage_queries').values(row).execute();
    },
  };
}

export type UsageStore = ReturnType<typeof createUsageStore>;

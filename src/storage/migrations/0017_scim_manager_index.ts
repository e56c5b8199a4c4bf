// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

/** Deleting a user clears it as the manager of its reports: an index so that is not a scan. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('scim_users_manager').on('scim_users').columns(['org_id', 'manager_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('scim_users_manager').execute();
}

// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

/**
 * Deactivating or deleting a user revokes every refresh token the user holds
 * (`UPDATE refresh_tokens … WHERE user_id = ?`): an index so that is not a scan of the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').columns(['user_id', 'org_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_user').execute();
}

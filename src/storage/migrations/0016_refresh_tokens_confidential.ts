// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

/**
 * Whether the client authenticated with its secret when the refresh token's grant began: a
 * refresh token of a confidential exchange is then refreshed only with the secret too, so a
 * leaked refresh token is useless without it. Rows from before stay 0 (public), as they were.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('refresh_tokens')
    .addColumn('confidential', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('confidential').execute();
}

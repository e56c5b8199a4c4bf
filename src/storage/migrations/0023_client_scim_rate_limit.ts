// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Requests per minute a client may send to the SCIM paths (null: the server's default).
  await db.schema.alterTable('oauth_clients').addColumn('scim_rate_limit', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('oauth_clients').dropColumn('scim_rate_limit').execute();
}

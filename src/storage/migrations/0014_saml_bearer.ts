// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One-time use of SAML2-bearer grant assertions (RFC 7522 §3 item 9): the key is a hash of the
  // issuer and the assertion ID; a concurrent replay loses on the primary key. Kept until the
  // assertion could no longer be valid, then purged.
  await db.schema
    .createTable('sso_bearer_assertions')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sso_bearer_assertions_expiry')
    .on('sso_bearer_assertions')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sso_bearer_assertions').execute();
}

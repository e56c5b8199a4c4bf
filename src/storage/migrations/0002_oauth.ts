// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_clients')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('grant_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(128)')
    .addColumn('token_ttl', 'integer', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('service_user_id', 'varchar(36)', (c) => c.references('users.id'))
    .addColumn('internal', 'integer', (c) => c.notNull())
    .addColumn('date_to_delete', 'varchar(32)')
    .addColumn('created_by', 'varchar(36)')
    .addColumn('modified_by', 'varchar(36)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_clients_org').on('oauth_clients').columns(['org_id', 'name', 'id']).execute();

  // Access tokens are self-verifying (docs/decisions/0002): only revocations are stored, by
  // token id or grant id, until the longest token they could affect has expired.
  await db.schema
    .createTable('token_revocations')
    .addColumn('subject_id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('revoked_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('token_revocations_expiry').on('token_revocations').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('token_revocations').execute();
  await db.schema.dropTable('oauth_clients').execute();
}

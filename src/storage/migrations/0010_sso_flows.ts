// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Requests we sent to an IdP (AuthnRequest or LogoutRequest), remembered until their answer
  // comes back once: the answer's InResponseTo must name one, and it is deleted when consumed.
  // relay_state is the opaque RelayState handle that carries the browser's returnTo.
  await db.schema
    .createTable('sso_requests')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey().notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('relay_state', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('provider_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_requests_expiry').on('sso_requests').column('expires_at').execute();

  // One-time use of browser-SSO assertions: key = sha256(issuer, assertion ID); a concurrent
  // replay loses on the primary key. Kept until the assertion could no longer be valid.
  await db.schema
    .createTable('sso_assertions')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_assertions_expiry').on('sso_assertions').column('expires_at').execute();

  // Console sessions created by a SAML login: for single logout (NameID, SessionIndex) and the
  // AuthorizedClientIDs attribute (JSON array, or null when the IdP sent none).
  await db.schema
    .createTable('sso_sessions')
    .addColumn('token_id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('provider_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('name_id', 'text', (c) => c.notNull())
    .addColumn('name_id_format', 'varchar(255)')
    .addColumn('session_index', 'varchar(255)')
    .addColumn('authorized_client_ids', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_sessions_provider').on('sso_sessions').columns(['org_id', 'provider_id']).execute();
  await db.schema.createIndex('sso_sessions_expiry').on('sso_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sso_sessions').execute();
  await db.schema.dropTable('sso_assertions').execute();
  await db.schema.dropTable('sso_requests').execute();
}

// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Identity providers: the named ones (okta, adfs, …) are at most one per org (named_kind set,
  // unique per org); custom ones (POST /api/v2/identityproviders) have named_kind null.
  await db.schema
    .createTable('sso_providers')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('provider_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('named_kind', 'varchar(32)')
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('issuer_uri', 'text', (c) => c.notNull())
    .addColumn('sso_target_uri', 'text', (c) => c.notNull())
    .addColumn('sso_binding', 'varchar(32)', (c) => c.notNull())
    .addColumn('slo_uri', 'text')
    .addColumn('slo_binding', 'varchar(32)')
    .addColumn('name_id_format', 'varchar(255)')
    .addColumn('relying_party_identifier', 'text')
    .addColumn('sign_authn_requests', 'integer', (c) => c.notNull())
    .addColumn('certificates', 'text', (c) => c.notNull())
    .addColumn('logo_svg', 'text')
    .addColumn('display_on_login', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)')
    .addColumn('modified_by', 'varchar(36)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_providers_org').on('sso_providers').columns(['org_id', 'name', 'id']).execute();
  await db.schema
    .createIndex('sso_providers_named')
    .on('sso_providers')
    .columns(['org_id', 'named_kind'])
    .unique()
    .execute();
  await db.schema.createIndex('sso_providers_issuer').on('sso_providers').column('issuer_uri').execute();

  await db.schema
    .createTable('sso_settings')
    .addColumn('org_id', 'varchar(36)', (c) => c.primaryKey().notNull().references('organizations.id'))
    .addColumn('sso_only', 'integer', (c) => c.notNull())
    .addColumn('break_glass_user_id', 'varchar(36)')
    .addColumn('redirect_allow_list', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  // The org's own SP key pairs: private keys sealed (AES-256-GCM under a server key), certificates PEM.
  await db.schema
    .createTable('sso_sp_credentials')
    .addColumn('org_id', 'varchar(36)', (c) => c.primaryKey().notNull().references('organizations.id'))
    .addColumn('signing_key_sealed', 'text', (c) => c.notNull())
    .addColumn('signing_cert', 'text', (c) => c.notNull())
    .addColumn('encryption_key_sealed', 'text', (c) => c.notNull())
    .addColumn('encryption_cert', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sso_sp_credentials').execute();
  await db.schema.dropTable('sso_settings').execute();
  await db.schema.dropTable('sso_providers').execute();
}

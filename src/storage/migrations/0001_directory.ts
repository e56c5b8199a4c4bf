// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('domain', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('default_language', 'varchar(16)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('divisions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('home', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('divisions_org_name').on('divisions').columns(['org_id', 'name']).unique().execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('email_key', 'varchar(320)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('title', 'varchar(255)')
    .addColumn('department', 'varchar(255)')
    .addColumn('division_id', 'varchar(36)', (c) => c.notNull().references('divisions.id'))
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('service_account', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_org_email').on('users').columns(['org_id', 'email_key']).unique().execute();
  await db.schema.createIndex('users_email').on('users').column('email_key').execute();
  await db.schema.createIndex('users_org_name').on('users').columns(['org_id', 'name', 'id']).execute();

  await db.schema
    .createTable('roles')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('name_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roles_org_name').on('roles').columns(['org_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('role_grants')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('subject_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('role_id', 'varchar(36)', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('division_id', 'varchar(36)', (c) => c.notNull().references('divisions.id'))
    .addPrimaryKeyConstraint('role_grants_pk', ['subject_id', 'role_id', 'division_id'])
    .execute();
  await db.schema.createIndex('role_grants_role').on('role_grants').columns(['role_id', 'subject_type']).execute();

  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey().notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['server_keys', 'role_grants', 'roles', 'users', 'divisions', 'organizations']) {
    await db.schema.dropTable(t).execute();
  }
}

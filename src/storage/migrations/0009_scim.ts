// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // SCIM attributes beside the directory's users row (which keeps userName = email, displayName =
  // name, title, department, active = state and the version that is the ETag). `attributes` holds
  // the rest of the SCIM resource as JSON; the child tables below index what filters search.
  await db.schema
    .createTable('scim_users')
    .addColumn('user_id', 'varchar(36)', (c) => c.primaryKey().notNull().references('users.id'))
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('external_id', 'varchar(255)')
    .addColumn('given_name', 'varchar(255)')
    .addColumn('family_name', 'varchar(255)')
    .addColumn('employee_number', 'varchar(255)')
    .addColumn('manager_id', 'varchar(36)')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('managed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scim_users_org_external').on('scim_users').columns(['org_id', 'external_id']).execute();

  await db.schema
    .createTable('scim_user_emails')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(32)')
    .addColumn('value', 'varchar(320)', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scim_user_emails_pk', ['user_id', 'position'])
    .execute();
  await db.schema
    .createIndex('scim_user_emails_org_value')
    .on('scim_user_emails')
    .columns(['org_id', 'value'])
    .execute();

  // Phone numbers, always E.164.
  await db.schema
    .createTable('scim_user_phones')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(32)')
    .addColumn('value', 'varchar(64)', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scim_user_phones_pk', ['user_id', 'position'])
    .execute();
  await db.schema
    .createIndex('scim_user_phones_org_value')
    .on('scim_user_phones')
    .columns(['org_id', 'value'])
    .execute();

  // The Genesys extension's externalIds: unique per organization and authority.
  await db.schema
    .createTable('scim_user_external_ids')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('authority', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', 'varchar(255)', (c) => c.notNull())
    .addPrimaryKeyConstraint('scim_user_external_ids_pk', ['user_id', 'authority', 'value'])
    .execute();
  await db.schema
    .createIndex('scim_user_external_ids_unique')
    .on('scim_user_external_ids')
    .columns(['org_id', 'authority', 'value'])
    .unique()
    .execute();

  // Groups: created by an administrator, never through SCIM; SCIM changes their members.
  await db.schema
    .createTable('groups')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('name_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('external_id', 'varchar(255)')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('groups_org_name').on('groups').columns(['org_id', 'name_key']).unique().execute();

  // One row per membership: changes are row-level inserts and deletes, never a rewritten list.
  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'varchar(36)', (c) => c.notNull().references('groups.id'))
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').columns(['org_id', 'user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'group_members',
    'groups',
    'scim_user_external_ids',
    'scim_user_phones',
    'scim_user_emails',
    'scim_users',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}

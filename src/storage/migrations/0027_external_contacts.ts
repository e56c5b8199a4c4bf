// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // External contacts (customers) and their organizations. `body` holds the contact as upstream's
  // ExternalContact (phones already in E.164); the columns beside it are what queries filter on.
  // A merge set is every contact with one `canonical_id`; a canonical contact's is its own id.
  await db.schema
    .createTable('external_organizations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('division_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('external_organizations_org_name')
    .on('external_organizations')
    .columns(['org_id', 'name'])
    .execute();
  await db.schema
    .createTable('external_contacts')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('division_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('first_name', 'varchar(255)')
    .addColumn('last_name', 'varchar(255)')
    .addColumn('external_organization_id', 'varchar(36)')
    .addColumn('canonical_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('merged_to', 'varchar(36)')
    .addColumn('merged_from', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('external_contacts_org_canonical')
    .on('external_contacts')
    .columns(['org_id', 'canonical_id'])
    .execute();
  await db.schema
    .createIndex('external_contacts_org_names')
    .on('external_contacts')
    .columns(['org_id', 'last_name', 'first_name'])
    .execute();
  // Every identifier of a contact, normalized (emails and handles lower-cased, phones E.164), so
  // that search and the GDPR subjects search find a contact by any of them through one index.
  await db.schema
    .createTable('external_contact_identifiers')
    .addColumn('contact_id', 'varchar(36)', (c) => c.notNull().references('external_contacts.id').onDelete('cascade'))
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('value', 'varchar(1024)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('external_contact_identifiers_lookup')
    .on('external_contact_identifiers')
    .columns(['org_id', 'kind', 'value'])
    .execute();
  await db.schema
    .createIndex('external_contact_identifiers_contact')
    .on('external_contact_identifiers')
    .columns(['contact_id'])
    .execute();
  // A request for a canonical contact is repeated for each other contact of its merge set: those
  // related requests name the request they came from.
  await db.schema.alterTable('gdpr_requests').addColumn('parent_request_id', 'varchar(36)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('gdpr_requests').dropColumn('parent_request_id').execute();
  await db.schema.dropTable('external_contact_identifiers').execute();
  await db.schema.dropTable('external_contacts').execute();
  await db.schema.dropTable('external_organizations').execute();
}

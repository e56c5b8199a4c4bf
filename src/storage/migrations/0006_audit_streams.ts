// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_streams')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('target', 'varchar(2048)', (c) => c.notNull())
    .addColumn('sealed_secret', 'text')
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('delivered_count', 'bigint', (c) => c.notNull())
    .addColumn('last_delivered_at', 'varchar(32)')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_streams_org').on('audit_streams').columns(['org_id', 'state']).execute();

  // The outbox: one row per (stream, event) still to deliver, written in the event's transaction.
  await db.schema
    .createTable('audit_deliveries')
    .addColumn('stream_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('lease_until', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_deliveries_pk', ['stream_id', 'event_id'])
    .execute();
  await db.schema.createIndex('audit_deliveries_due').on('audit_deliveries').columns(['next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_deliveries').execute();
  await db.schema.dropTable('audit_streams').execute();
}

// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('service_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('entity_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('entity_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('entity_name', 'varchar(255)')
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('actor_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('actor_user_id', 'varchar(36)')
    .addColumn('actor_client_id', 'varchar(36)')
    .addColumn('remote_ip', 'varchar(64)')
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('cause_event_id', 'varchar(36)')
    .addColumn('occurred_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_org_time').on('audit_events').columns(['org_id', 'occurred_at']).execute();
  await db.schema
    .createIndex('audit_org_entity_time')
    .on('audit_events')
    .columns(['org_id', 'entity_id', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('audit_org_service_time')
    .on('audit_events')
    .columns(['org_id', 'service_name', 'occurred_at'])
    .execute();
  await db.schema.createIndex('audit_cause').on('audit_events').column('cause_event_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
}

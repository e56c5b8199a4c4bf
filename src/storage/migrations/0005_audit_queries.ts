// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_queries')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('interval', 'varchar(100)', (c) => c.notNull())
    .addColumn('service_name', 'varchar(64)')
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('sort', 'text', (c) => c.notNull())
    .addColumn('total', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_by', 'varchar(36)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('audit_queries_state').on('audit_queries').columns(['state', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_queries').execute();
}

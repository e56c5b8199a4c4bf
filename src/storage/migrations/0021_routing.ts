// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Routing queues (owned by the routing domain). name_key is the lower-cased name: unique per
  // organization, and what the name filter of the listing matches.
  await db.schema
    .createTable('routing_queues')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('division_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('name_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('acw_wrapup_prompt', 'varchar(32)', (c) => c.notNull())
    .addColumn('acw_timeout_ms', 'integer')
    .addColumn('media_settings', 'text', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)')
    .addColumn('modified_by', 'varchar(36)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('routing_queues_org_name')
    .on('routing_queues')
    .columns(['org_id', 'name_key'])
    .unique()
    .execute();
  await db.schema
    .createTable('routing_queue_members')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('queue_id', 'varchar(36)', (c) => c.notNull().references('routing_queues.id'))
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('joined', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('routing_queue_members_pk', ['queue_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('routing_queue_members_user')
    .on('routing_queue_members')
    .columns(['org_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('routing_queue_members').execute();
  await db.schema.dropTable('routing_queues').execute();
}

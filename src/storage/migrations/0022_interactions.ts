// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Interactions with the analytics structure. The conversation row keeps the whole structure
  // (participants → sessions → segments, as JSON); these columns and the participants table
  // are what the details query filters and orders on (decision 0013).
  await db.schema.alterTable('conversations').addColumn('queue_id', 'varchar(36)').execute();
  await db.schema.alterTable('conversations').addColumn('originating_direction', 'varchar(16)').execute();
  await db.schema
    .createIndex('conversations_org_start')
    .on('conversations')
    .columns(['org_id', 'start_time', 'id'])
    .execute();
  await db.schema
    .createTable('conversation_participants')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('conversation_id', 'varchar(36)', (c) => c.notNull().references('conversations.id'))
    .addColumn('participant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('conversation_start', 'varchar(32)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)')
    .addColumn('queue_id', 'varchar(36)')
    // The customer participant's external contact (linked by the external contacts domain).
    .addColumn('external_contact_id', 'varchar(36)')
    .addColumn('media_type', 'varchar(16)')
    .addColumn('direction', 'varchar(16)')
    .addColumn('wrapup_code', 'varchar(64)')
    .addColumn('disconnect_type', 'varchar(32)')
    .addPrimaryKeyConstraint('conversation_participants_pk', ['conversation_id', 'participant_id'])
    .execute();
  await db.schema
    .createIndex('conversation_participants_user')
    .on('conversation_participants')
    .columns(['org_id', 'user_id', 'conversation_start'])
    .execute();
  await db.schema
    .createIndex('conversation_participants_queue')
    .on('conversation_participants')
    .columns(['org_id', 'queue_id', 'conversation_start'])
    .execute();
  await db.schema
    .createIndex('conversation_participants_contact')
    .on('conversation_participants')
    .columns(['org_id', 'external_contact_id'])
    .execute();
  // Asynchronous details jobs (owned by the analytics domain).
  await db.schema
    .createTable('analytics_jobs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('total', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_by', 'varchar(36)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)')
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('analytics_jobs_org').on('analytics_jobs').columns(['org_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('analytics_jobs').execute();
  await db.schema.dropTable('conversation_participants').execute();
  await db.schema.dropIndex('conversations_org_start').execute();
  await db.schema.alterTable('conversations').dropColumn('originating_direction').execute();
  await db.schema.alterTable('conversations').dropColumn('queue_id').execute();
}

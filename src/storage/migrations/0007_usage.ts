// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Request counts per organization, client, user, method, URL template and UTC hour.
  await db.schema
    .createTable('api_usage_hourly')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('hour', 'varchar(32)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('method', 'varchar(10)', (c) => c.notNull())
    .addColumn('template', 'varchar(512)', (c) => c.notNull())
    .addColumn('client_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('status200', 'bigint', (c) => c.notNull())
    .addColumn('status300', 'bigint', (c) => c.notNull())
    .addColumn('status400', 'bigint', (c) => c.notNull())
    .addColumn('status429', 'bigint', (c) => c.notNull())
    .addColumn('status500', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_usage_hourly_pk', ['org_id', 'hour', 'client_id', 'user_id', 'method', 'template'])
    .execute();

  // Usage query executions: the query, then its result once the job has run.
  await db.schema
    .createTable('usage_queries')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(36)')
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_queries_created').on('usage_queries').column('created_at').execute();

  // Per-user console settings (the API Usage selections the seed says persist until reset).
  await db.schema
    .createTable('user_preferences')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('key', 'varchar(64)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_preferences_pk', ['user_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_preferences').execute();
  await db.schema.dropTable('usage_queries').execute();
  await db.schema.dropTable('api_usage_hourly').execute();
}

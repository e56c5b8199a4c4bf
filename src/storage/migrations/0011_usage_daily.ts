// Frozen: a migration never changes once released and imports nothing but kysely.
import { type Kysely, sql } from 'kysely';

/**
 * The daily usage rollups: api_usage_hourly summed by UTC day, keyed like the hourly table
 * (api_usage_daily), and that summed per client and per method and URL template, so multi-day
 * reports read one row per day instead of 24 (report benchmark, docs/benchmarks.md). Filled here
 * from the hourly rows (hours are ISO strings, so the day is their first ten characters); the
 * meter keeps them in the same transaction as the hourly counts from then on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_usage_daily')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
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
    .addPrimaryKeyConstraint('api_usage_daily_pk', ['org_id', 'day', 'client_id', 'user_id', 'method', 'template'])
    .execute();
  // Per-client reports (the client usage query and summary, the OAuth Client Requests section).
  await db.schema
    .createIndex('api_usage_daily_org_client_day')
    .on('api_usage_daily')
    .columns(['org_id', 'client_id', 'day'])
    .execute();
  // Single-day (hourly) reports of one client.
  await db.schema
    .createIndex('api_usage_hourly_org_client_hour')
    .on('api_usage_hourly')
    .columns(['org_id', 'client_id', 'hour'])
    .execute();

  // Narrower daily sums for the organization-wide reports (per client; per method and URL
  // template): a tenth to a fifth of the rows of api_usage_daily to read.
  await db.schema
    .createTable('api_usage_daily_clients')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('client_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('status200', 'bigint', (c) => c.notNull())
    .addColumn('status300', 'bigint', (c) => c.notNull())
    .addColumn('status400', 'bigint', (c) => c.notNull())
    .addColumn('status429', 'bigint', (c) => c.notNull())
    .addColumn('status500', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_usage_daily_clients_pk', ['org_id', 'day', 'client_id'])
    .execute();
  await db.schema
    .createTable('api_usage_daily_templates')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('method', 'varchar(10)', (c) => c.notNull())
    .addColumn('template', 'varchar(512)', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('status200', 'bigint', (c) => c.notNull())
    .addColumn('status300', 'bigint', (c) => c.notNull())
    .addColumn('status400', 'bigint', (c) => c.notNull())
    .addColumn('status429', 'bigint', (c) => c.notNull())
    .addColumn('status500', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_usage_daily_templates_pk', ['org_id', 'day', 'method', 'template'])
    .execute();
  // Reports by client read this in client order, so each client's days arrive together (and a
  // one-client filter reads only its rows).
  await db.schema
    .createIndex('api_usage_daily_clients_org_client_day')
    .on('api_usage_daily_clients')
    .columns(['org_id', 'client_id', 'day'])
    .execute();

  await sql`
    INSERT INTO api_usage_daily (org_id, day, client_id, user_id, method, template, client_name,
      requests, status200, status300, status400, status429, status500)
    SELECT org_id, substr(hour, 1, 10), client_id, user_id, method, template, max(client_name),
      sum(requests), sum(status200), sum(status300), sum(status400), sum(status429), sum(status500)
    FROM api_usage_hourly
    GROUP BY org_id, substr(hour, 1, 10), client_id, user_id, method, template
  `.execute(db);
  await sql`
    INSERT INTO api_usage_daily_clients (org_id, day, client_id, client_name, requests, status200, status300, status400, status429, status500)
    SELECT org_id, day, client_id, max(client_name),
      sum(requests), sum(status200), sum(status300), sum(status400), sum(status429), sum(status500)
    FROM api_usage_daily
    GROUP BY org_id, day, client_id
  `.execute(db);
  await sql`
    INSERT INTO api_usage_daily_templates (org_id, day, method, template, requests, status200, status300, status400, status429, status500)
    SELECT org_id, day, method, template,
      sum(requests), sum(status200), sum(status300), sum(status400), sum(status429), sum(status500)
    FROM api_usage_daily
    GROUP BY org_id, day, method, template
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('api_usage_hourly_org_client_hour').execute();
  await db.schema.dropTable('api_usage_daily_templates').execute();
  await db.schema.dropTable('api_usage_daily_clients').execute();
  await db.schema.dropTable('api_usage_daily').execute();
}

// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Data-subject requests (GDPR API): INITIATED → SEARCHING → UPDATING | DELETING | FINALIZING →
  // COMPLETED | ERROR. `results` holds the finished request's document (an export, or the counts
  // of what was changed or erased); `resolved_user_ids` the users it was found to be about;
  // `claimed_until` and `claim_token` the lease of the run that holds it.
  await db.schema
    .createTable('gdpr_requests')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'varchar(255)')
    .addColumn('request_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('replacement_terms', 'text')
    .addColumn('created_by_user', 'varchar(36)')
    .addColumn('created_by_client', 'varchar(36)', (c) => c.notNull())
    .addColumn('remote_ip', 'varchar(64)')
    .addColumn('resolved_user_ids', 'text')
    .addColumn('claimed_until', 'varchar(32)')
    .addColumn('claim_token', 'varchar(36)')
    .addColumn('results', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('completed_at', 'varchar(32)')
    .execute();
  await db.schema
    .createIndex('gdpr_requests_org_created')
    .on('gdpr_requests')
    .columns(['org_id', 'created_at'])
    .execute();
  await db.schema.createIndex('gdpr_requests_status').on('gdpr_requests').columns(['status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('gdpr_requests').execute();
}

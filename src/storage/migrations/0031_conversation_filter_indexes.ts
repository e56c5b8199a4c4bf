// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The details query's mediaType filter is answered from the conversation's own column (one
  // media type per conversation). Without this index a day's interval is read through
  // conversations_org_start and every row of it looked up to test its media type; with it the
  // matching rows are a range, already in (start_time, id) order either way (issue 18).
  await db.schema
    .createIndex('conversations_org_media_start')
    .on('conversations')
    .columns(['org_id', 'media_type', 'start_time', 'id'])
    .execute();
  // The originatingDirection conversation filter, the same way.
  await db.schema
    .createIndex('conversations_org_direction_start')
    .on('conversations')
    .columns(['org_id', 'originating_direction', 'start_time', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_org_direction_start').execute();
  await db.schema.dropIndex('conversations_org_media_start').execute();
}

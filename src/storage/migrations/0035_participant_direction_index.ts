// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The details query's `direction` segment filter. Without this index it was an EXISTS per
  // conversation of the interval over that conversation's participant rows; with it the interval's
  // matching participants are one covering range (conversation_id included), a set the day's
  // conversations are tested against in index order, as for a queue (issue 18).
  await db.schema
    .createIndex('conversation_participants_direction')
    .on('conversation_participants')
    .columns(['org_id', 'direction', 'conversation_start', 'conversation_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversation_participants_direction').execute();
}

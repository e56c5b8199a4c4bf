// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Conversations are objects of divisions: counted per division (a division holding any cannot be
  // deleted) and moved between them.
  await db.schema
    .createIndex('conversations_org_division')
    .on('conversations')
    .columns(['org_id', 'division_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_org_division').execute();
}

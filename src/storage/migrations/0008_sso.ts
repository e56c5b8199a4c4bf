// Frozen: a migration never changes once released and imports nothing but kysely.
import type { Kysely } from 'kysely';

export async function up(_db: Kysely<unknown>): Promise<void> {
  // Filled in by the domain that owns it before this migration is released.
}

export async function down(_db: Kysely<unknown>): Promise<void> {}

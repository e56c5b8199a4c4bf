/**
 * Named server keys in the store (server_keys), so every process sharing the store shares them.
 * A key is created on first use; concurrent first uses settle on one value.
 */
import { randomToken } from './crypto.ts';
import type { Db } from '../storage/db.ts';

export async function serverKey(db: Db, name: string, now: Date): Promise<string> {
  const existing = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.value;
  await db
    .insertInto('server_keys')
    .values({ name, value: randomToken(32), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

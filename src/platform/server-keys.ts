/**
 * Named server keys in the store (server_keys), so every process sharing the store shares them.
 * Every value is sealed with the master key (platform/master-key.ts), which the composition root
 * binds to the store once; a copy of the store alone opens none of them. A key is created on
 * first use; concurrent first uses settle on one value.
 */
import { randomToken } from './crypto.ts';
import { MasterKeyError, type MasterKeySource } from './master-key.ts';
import type { Db, Executor } from '../storage/db.ts';

// One master key per open store, bound by the composition root: domains keep calling
// serverKey(db, …) without carrying the key through every constructor.
const masters = new WeakMap<object, MasterKeySource>();

export function bindMasterKey(db: Db, source: MasterKeySource): void {
  masters.set(db, source);
}

function masterOf(db: Db): MasterKeySource {
  const source = masters.get(db);
  if (!source) throw new MasterKeyError('no master key is bound to this store');
  return source;
}

/** Opens a sealed value; after one failure the key file is read again (it may have been rotated). */
function open(source: MasterKeySource, name: string, sealed: string): string {
  try {
    return source.current().open(sealed, name);
  } catch (err) {
    if (!source.file) throw err;
    return source.reload().open(sealed, name);
  }
}

export interface ServerKey {
  name: string;
  value: string;
  created_at: string;
}

export async function serverKey(db: Db, name: string, now: Date): Promise<string> {
  const source = masterOf(db);
  const existing = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return open(source, name, existing.value);
  await addServerKey(db, name, now);
  const row = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return open(source, name, row.value);
}

/** Stores a new random key under `name` (nothing when the name exists). */
export async function addServerKey(db: Db, name: string, now: Date): Promise<void> {
  const sealed = masterOf(db).current().seal(randomToken(32), name);
  await db
    .insertInto('server_keys')
    .values({ name, value: sealed, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** The keys whose name starts with `prefix`, oldest first, opened. */
export async function serverKeysNamed(db: Db, prefix: string): Promise<ServerKey[]> {
  const source = masterOf(db);
  const rows = await db
    .selectFrom('server_keys')
    .selectAll()
    .where('name', 'like', `${prefix}%`)
    .orderBy('created_at')
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ ...r, value: open(source, r.name, r.value) }));
}

export async function deleteServerKey(x: Executor, name: string): Promise<void> {
  await x.deleteFrom('server_keys').where('name', '=', name).execute();
}

/** Seals every key again under `to` (rotate-keys --master), in one transaction. */
export async function resealServerKeys(db: Db, to: MasterKeySource): Promise<number> {
  const from = masterOf(db);
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('server_keys').selectAll().execute();
    for (const r of rows) {
      const value = to.current().seal(open(from, r.name, r.value), r.name);
      await trx.updateTable('server_keys').set({ value }).where('name', '=', r.name).execute();
    }
    return rows.length;
  });
}

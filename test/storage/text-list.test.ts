/**
 * textList (a list of strings as one bound parameter, decision 0027's batching), on every
 * dialect: values come back as given, in order, whatever they hold, in one statement however many.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, type Storage, textList, withTransaction } from '../../src/storage/db.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';

describe.each(DIALECTS)('textList on %s', (dialect) => {
  let fresh: FreshDatabase;
  let storage: Storage;
  beforeAll(async () => {
    fresh = await freshDatabase(dialect);
    storage = createStorage(fresh.url);
    await sql`create table tl_items (id varchar(40) primary key)`.execute(storage.db);
  });
  afterAll(async () => {
    await storage?.close();
    await fresh?.drop();
  });

  it('answers every value as given, in order', async () => {
    const values = ['b', 'a', `quote ' and "double"`, 'comma, {brace}', 'back\\slash', 'ünïcödé 🎉', '', 'NULL', 'a'];
    const { rows } = await sql<{ value: string }>`select list.value from ${textList(storage.db, values)}`.execute(
      storage.db,
    );
    expect(rows.map((r) => r.value)).toEqual(values);
  });

  it('inserts, selects and deletes 20,000 ids in one statement each, inside a transaction', async () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `id-${String(i).padStart(5, '0')}`);
    await withTransaction(storage.db, async (trx) => {
      const inserted = await sql<{ id: string }>`insert into tl_items (id)
        select list.value from ${textList(trx, ids)} where true
        on conflict (id) do nothing returning id`.execute(trx);
      expect(inserted.rows).toHaveLength(ids.length);
      const again = await sql<{ id: string }>`insert into tl_items (id)
        select list.value from ${textList(trx, ids.slice(0, 10))} where true
        on conflict (id) do nothing returning id`.execute(trx);
      expect(again.rows).toEqual([]);
    });
    const some = ids.filter((_, i) => i % 3 === 0);
    const found = await sql<{ id: string }>`select id from tl_items
      where id in (select list.value from ${textList(storage.db, [...some, 'missing'])}) order by id`.execute(
      storage.db,
    );
    expect(found.rows.map((r) => r.id)).toEqual(some);
    const deleted = await sql<{ id: string }>`delete from tl_items
      where id in (select list.value from ${textList(storage.db, some)}) returning id`.execute(storage.db);
    expect(deleted.rows).toHaveLength(some.length);
  });
});

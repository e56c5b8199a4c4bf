/**
 * src/storage/compiled.ts (@see issue 22): a read compiled once per database answers what the
 * same Kysely query answers, with each call's parameters, on every dialect; inside a transaction
 * it sees the transaction's writes; a parameter used where no value binds is refused.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledRead } from '../../src/storage/compiled.ts';
import { createStorage, type Executor, type Storage, withTransaction } from '../../src/storage/db.ts';
import { migrateToLatest } from '../../src/storage/migrations/index.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';

const NOW = '2026-12-04T00:00:00.000Z';

const orgNamed = compiledRead((db, p: { name: string }) =>
  db.selectFrom('organizations').select(['id', 'name']).where('name', '=', p.name),
);
/** Constants of the query (`home = 1`, `description = ''`) sit between the parameters' slots. */
const homeDivisionOf = compiledRead((db, p: { orgId: string; notNamed: string }) =>
  db
    .selectFrom('divisions')
    .select(['id', 'name'])
    .where('home', '=', 1)
    .where('org_id', '=', p.orgId)
    .where('description', '=', '')
    .where('name', '<>', p.notNamed),
);

describe.each(DIALECTS)('compiled reads on %s', (dialect) => {
  let fresh: FreshDatabase;
  let storage: Storage;
  afterAll(async () => {
    await storage?.close();
    await fresh?.drop();
  });

  const addOrg = async (ex: Executor, id: string, name: string) => {
    await ex
      .insertInto('organizations')
      .values({
        id,
        name,
        default_language: 'en-us',
        domain: name,
        state: 'active',
        version: 1,
        created_at: NOW,
        modified_at: NOW,
      })
      .execute();
    await ex
      .insertInto('divisions')
      .values({ id: `${id}-home`, org_id: id, name: `${name} home`, description: '', home: 1, created_at: NOW })
      .execute();
  };

  it('answers each call with its own parameters, the same rows as the query builder', async () => {
    fresh = await freshDatabase(dialect);
    storage = createStorage(fresh.url);
    await migrateToLatest(storage);
    await addOrg(storage.db, 'org-a', 'Alpha');
    await addOrg(storage.db, 'org-b', 'Beta');

    expect(await orgNamed.all(storage.db, { name: 'Alpha' })).toEqual([{ id: 'org-a', name: 'Alpha' }]);
    expect(await orgNamed.first(storage.db, { name: 'Beta' })).toEqual({ id: 'org-b', name: 'Beta' });
    expect(await orgNamed.first(storage.db, { name: 'Gamma' })).toBeUndefined();
    // Compiled once: the SQL has placeholders, not a value.
    expect(orgNamed.sql(storage.db)).not.toContain('Alpha');
    expect(orgNamed.sql(storage.db)).toMatch(dialect === 'postgres' ? /\$1/ : /\?/);

    for (const orgId of ['org-a', 'org-b']) {
      const built = await storage.db
        .selectFrom('divisions')
        .select(['id', 'name'])
        .where('home', '=', 1)
        .where('org_id', '=', orgId)
        .where('description', '=', '')
        .where('name', '<>', 'none')
        .execute();
      expect(await homeDivisionOf.all(storage.db, { orgId, notNamed: 'none' })).toEqual(built);
      expect(built).toHaveLength(1);
    }
    expect(await homeDivisionOf.first(storage.db, { orgId: 'org-b', notNamed: 'Beta home' })).toBeUndefined();
  });

  it('sees the writes of the transaction it runs in', async () => {
    const seen = await withTransaction(storage.db, async (trx) => {
      await addOrg(trx, 'org-c', 'Gamma');
      return orgNamed.first(trx, { name: 'Gamma' });
    });
    expect(seen).toEqual({ id: 'org-c', name: 'Gamma' });
    expect(await orgNamed.first(storage.db, { name: 'Gamma' })).toEqual({ id: 'org-c', name: 'Gamma' });
  });

  it("never sees another caller's uncommitted write, nor one rolled back", async () => {
    // On SQLite a read outside waits for the one connection's open transaction to end; on
    // PostgreSQL it runs on another connection. Either way only committed rows show.
    let written!: () => void;
    const wrote = new Promise<void>((r) => {
      written = r;
    });
    let finish!: (commit: boolean) => void;
    const decided = new Promise<boolean>((r) => {
      finish = r;
    });
    const rolledBack = withTransaction(storage.db, async (trx) => {
      await addOrg(trx, 'org-delta', 'Delta');
      written();
      if (!(await decided)) throw new Error('rolled back');
    }).catch((e: Error) => e.message);
    await wrote;
    const outside = orgNamed.first(storage.db, { name: 'Delta' });
    finish(false);
    expect(await rolledBack).toBe('rolled back');
    expect(await outside).toBeUndefined();
    expect(await orgNamed.first(storage.db, { name: 'Delta' })).toBeUndefined();

    // Once committed, it shows.
    await withTransaction(storage.db, (trx) => addOrg(trx, 'org-epsilon', 'Epsilon'));
    expect(await orgNamed.first(storage.db, { name: 'Epsilon' })).toEqual({ id: 'org-epsilon', name: 'Epsilon' });
  });

  it('refuses a parameter used where no value binds, and a call without a parameter', async () => {
    const asIdentifier = compiledRead((db, p: { table: string }) =>
      db.selectFrom('organizations').select('id').where(sql.ref(p.table), '=', 'x'),
    );
    await expect(asIdentifier.all(storage.db, { table: 'name' })).rejects.toThrow(/reached its SQL text/);
    await expect(orgNamed.all(storage.db, {} as { name: string })).rejects.toThrow(/without its parameter "name"/);
  });
});

/**
 * withGroupedTransaction (decision 0027), on every dialect: concurrent callers on SQLite share
 * one transaction and its commit, each in its own savepoint; on PostgreSQL each runs in its own
 * transaction. On both, a caller that throws loses only its own writes and gets its own error,
 * the others commit; a caller's promise and its afterCommit callbacks wait for the commit; a
 * commit that fails rejects every caller it carried.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  afterCommit,
  createStorage,
  type Db,
  type Executor,
  isUniqueViolation,
  MAX_GROUP,
  type Storage,
  withGroupedTransaction,
} from '../../src/storage/db.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';

describe.each(DIALECTS)('withGroupedTransaction on %s', (dialect) => {
  let fresh: FreshDatabase;
  let storage: Storage;
  let db: Db;
  beforeAll(async () => {
    fresh = await freshDatabase(dialect);
    storage = createStorage(fresh.url);
    // Tables of its own: the test needs no migrations.
    await sql`create table gc_items (name varchar(40) primary key, batch varchar(40) not null)`.execute(storage.db);
    await sql`create table gc_parents (id varchar(40) primary key)`.execute(storage.db);
    await sql`create table gc_children (id varchar(40) primary key, parent_id varchar(40) not null references gc_parents (id))`.execute(
      storage.db,
    );
    db = storage.db;
  });
  afterAll(async () => {
    await storage?.close();
    await fresh?.drop();
  });

  const insert = (ex: Executor, name: string, batch: string) =>
    sql`insert into gc_items (name, batch) values (${name}, ${batch})`.execute(ex);
  const names = async (batch: string) =>
    (await sql<{ name: string }>`select name from gc_items where batch = ${batch} order by name`.execute(db)).rows.map(
      (r) => r.name,
    );

  it('commits every caller; one that throws loses only its own writes and gets its own error', async () => {
    await insert(db, 'taken', 'held');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        withGroupedTransaction(db, async (trx) => {
          await insert(trx, `a${i}`, 'isolation');
          if (i === 3) throw new Error('caller 3 fails after writing');
          // A unique violation, after this caller's first write.
          if (i === 6) await insert(trx, 'taken', 'isolation');
          await insert(trx, `b${i}`, 'isolation');
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[3] as PromiseRejectedResult).reason.message).toBe('caller 3 fails after writing');
    expect(isUniqueViolation((results[6] as PromiseRejectedResult).reason)).toBe(true);
    expect((results[0] as PromiseFulfilledResult<number>).value).toBe(0);
    const kept = [0, 1, 2, 4, 5, 7, 8, 9];
    expect(await names('isolation')).toEqual([...kept.map((i) => `a${i}`), ...kept.map((i) => `b${i}`)].sort());
  });

  it('shares one transaction among concurrent callers on SQLite, one each on PostgreSQL', async () => {
    // Each caller reports whether it sees the row of the caller before it, not yet committed.
    const seen = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        withGroupedTransaction(db, async (trx) => {
          const before =
            i === 0
              ? []
              : (await sql`select name from gc_items where name = ${`s${i - 1}`}`.execute(trx)).rows.map(() => true);
          await insert(trx, `s${i}`, 'sharing');
          return before.length === 1;
        }),
      ),
    );
    if (dialect === 'sqlite') expect(seen).toEqual([false, true, true, true, true]);
    expect(await names('sharing')).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('resolves a caller and runs its afterCommit callbacks only once its writes are visible to others', async () => {
    const events: string[] = [];
    const visibleAtCallback: boolean[] = [];
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        withGroupedTransaction(db, async (trx) => {
          await insert(trx, `v${i}`, 'visibility');
          afterCommit(trx, () => {
            events.push(`after ${i}`);
          });
          if (i === 2) {
            afterCommit(trx, () => events.push('never: caller 2 rolls back'));
            throw new Error('caller 2 fails');
          }
          events.push(`wrote ${i}`);
        }).then(
          async () => {
            events.push(`resolved ${i}`);
            visibleAtCallback.push((await names('visibility')).includes(`v${i}`));
          },
          () => events.push(`rejected ${i}`),
        ),
      ),
    );
    expect(events).not.toContain('never: caller 2 rolls back');
    for (const i of [0, 1, 3]) {
      expect(events.indexOf(`after ${i}`)).toBeGreaterThan(events.indexOf(`wrote ${i}`));
      expect(events.indexOf(`resolved ${i}`)).toBeGreaterThan(events.indexOf(`after ${i}`));
    }
    expect(events).toContain('rejected 2');
    expect(visibleAtCallback).toEqual([true, true, true]);
    expect(await names('visibility')).toEqual(['v0', 'v1', 'v3']);
  });

  it('takes at most MAX_GROUP callers into one transaction and runs every caller queued', async () => {
    const count = MAX_GROUP * 2 + 3;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        withGroupedTransaction(db, (trx) => insert(trx, `m${String(i).padStart(3, '0')}`, 'many')),
      ),
    );
    expect(await names('many')).toHaveLength(count);
  });

  it.runIf(dialect === 'sqlite')(
    'rejects every caller of a group whose commit fails, and keeps none of it',
    async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) =>
          withGroupedTransaction(db, async (trx) => {
            await insert(trx, `c${i}`, 'commit-fails');
            if (i === 1) {
              // Checked at commit: the shared commit fails with a foreign-key violation.
              await sql`pragma defer_foreign_keys = on`.execute(trx);
              await sql`insert into gc_children (id, parent_id) values ('orphan', 'no such parent')`.execute(trx);
            }
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
      expect(await names('commit-fails')).toEqual([]);
      // The store goes on: the next group commits.
      await withGroupedTransaction(db, (trx) => insert(trx, 'after', 'commit-fails'));
      expect(await names('commit-fails')).toEqual(['after']);
    },
  );

  it('rejects every caller of a closed store: none waits for a group that cannot run', async () => {
    const other = await freshDatabase(dialect);
    const closed = createStorage(other.url);
    try {
      await closed.close();
      const results = await Promise.allSettled(
        Array.from({ length: 3 }, (_, i) => withGroupedTransaction(closed.db, (trx) => insert(trx, `x${i}`, 'closed'))),
      );
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    } finally {
      await other.drop();
    }
  });

  it.runIf(dialect === 'sqlite')(
    'rejects the callers a group took when its transaction cannot begin, and the next group runs',
    async () => {
      const other = await freshDatabase(dialect);
      const s = createStorage(other.url);
      try {
        await sql`create table gc_items (name varchar(40) primary key, batch varchar(40) not null)`.execute(s.db);
        // The first transaction cannot begin (as a store that refuses it): without its callers being
        // rejected they would wait, and be retried, with the next group.
        const real = s.db.transaction.bind(s.db);
        let failures = 1;
        (s.db as unknown as { transaction: () => unknown }).transaction = () =>
          failures-- > 0 ? { execute: () => Promise.reject(new Error('cannot begin')) } : real();
        const results = await Promise.allSettled(
          Array.from({ length: 3 }, (_, i) => withGroupedTransaction(s.db, (trx) => insert(trx, `b${i}`, 'begin'))),
        );
        expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
        await withGroupedTransaction(s.db, (trx) => insert(trx, 'next', 'begin'));
        const { rows } = await sql<{ name: string }>`select name from gc_items order by name`.execute(s.db);
        expect(rows.map((r) => r.name)).toEqual(['next']);
      } finally {
        await s.close();
        await other.drop();
      }
    },
  );

  it('rejects a caller whose afterCommit callback throws, as withTransaction would, and keeps its writes', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, (_, i) =>
        withGroupedTransaction(db, async (trx) => {
          await insert(trx, `t${i}`, 'throwing-callback');
          if (i === 1)
            afterCommit(trx, () => {
              throw new Error('callback failed');
            });
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await names('throwing-callback')).toEqual(['t0', 't1', 't2']);
  });
});

/**
 * insertAll (rows for several tables in one statement on PostgreSQL, one a table on SQLite), on
 * every dialect: every row written, rows referencing rows of an earlier table of the same call,
 * empty tables skipped, and a unique violation refusing the whole call inside a transaction.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStorage,
  insertAll,
  insertRows,
  insertThen,
  isUniqueViolation,
  type Storage,
  withTransaction,
} from '../../src/storage/db.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';

describe.each(DIALECTS)('insertAll on %s', (dialect) => {
  let fresh: FreshDatabase;
  let storage: Storage;
  const rows = async (table: string) =>
    (await sql<{ id: string }>`select id from ${sql.table(table)} order by id`.execute(storage.db)).rows.map(
      (r) => r.id,
    );
  beforeAll(async () => {
    fresh = await freshDatabase(dialect);
    storage = createStorage(fresh.url);
    await sql`create table ia_parents (id varchar(40) primary key, label varchar(40) not null unique)`.execute(
      storage.db,
    );
    await sql`create table ia_children (id varchar(40) primary key, parent_id varchar(40) not null references ia_parents (id))`.execute(
      storage.db,
    );
    await sql`create table ia_notes (id varchar(40) primary key, n integer)`.execute(storage.db);
    await sql`create table ia_many (id varchar(40) primary key, n integer not null, label text, gone varchar(10), at varchar(32) default 'unset')`.execute(
      storage.db,
    );
  });
  afterAll(async () => {
    await storage?.close();
    await fresh?.drop();
  });

  // The tables exist only in this test: the typed facility is called through a loose cast.
  const insert = (ex: unknown, inserts: { table: string; rows: Record<string, unknown>[] }[]) =>
    insertAll(ex as Storage['db'], inserts as never);

  it('writes the rows of every table, a child referencing a parent of the same call', async () => {
    await insert(storage.db, [
      {
        table: 'ia_parents',
        rows: [
          { id: 'p1', label: 'one' },
          { id: 'p2', label: 'two' },
        ],
      },
      { table: 'ia_notes', rows: [] },
      {
        table: 'ia_children',
        rows: [
          { id: 'c1', parent_id: 'p1' },
          { id: 'c2', parent_id: 'p2' },
        ],
      },
      { table: 'ia_notes', rows: [{ id: 'n1', n: 7 }] },
    ]);
    expect(await rows('ia_parents')).toEqual(['p1', 'p2']);
    expect(await rows('ia_children')).toEqual(['c1', 'c2']);
    expect(await rows('ia_notes')).toEqual(['n1']);
    await insert(storage.db, []);
    await insert(storage.db, [{ table: 'ia_notes', rows: [] }]);
  });

  it('refuses the whole call on a unique violation inside a transaction', async () => {
    const err = await withTransaction(storage.db, (trx) =>
      insert(trx, [
        { table: 'ia_parents', rows: [{ id: 'p3', label: 'three' }] },
        { table: 'ia_children', rows: [{ id: 'c3', parent_id: 'p3' }] },
        { table: 'ia_parents', rows: [{ id: 'p4', label: 'one' }] },
      ]),
    ).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(await rows('ia_parents')).toEqual(['p1', 'p2']);
    expect(await rows('ia_children')).toEqual(['c1', 'c2']);
  });

  it('insertRows writes thousands of rows of text, integers and nulls, in one statement on PostgreSQL', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({
      id: `m${String(i).padStart(5, '0')}`,
      n: i,
      label: i % 3 ? `it's "${i}", {x}` : null,
      gone: null,
      at: '2026-12-04T00:00:00.000Z',
    }));
    await withTransaction(storage.db, (trx) => insertRows(trx as never, 'ia_many' as never, many as never));
    const { rows: back } = await sql<
      (typeof many)[number]
    >`select id, n, label, gone, at from ia_many order by id`.execute(storage.db);
    expect(back.map((r) => ({ ...r, n: Number(r.n) }))).toEqual(many);
    await insertRows(storage.db, 'ia_many' as never, [] as never);
    const err = await insertRows(storage.db, 'ia_many' as never, [many[0]] as never).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('insertThen writes the rows and then runs the statement after them', async () => {
    await insertThen(storage.db, { table: 'ia_parents', rows: [{ id: 'p9', label: 'nine' }] } as never, (qc) =>
      (qc as unknown as Storage['db'] & { insertInto(t: string): any })
        .insertInto('ia_notes')
        .columns(['id', 'n'])
        .expression(sql`select ${'from-parents'}, count(*) from ia_parents where id in ('p1', 'p2')`),
    );
    expect(await rows('ia_parents')).toContain('p9');
    const { rows: notes } = await sql<{
      id: string;
      n: number;
    }>`select id, n from ia_notes where id = 'from-parents'`.execute(storage.db);
    expect(notes.map((n) => Number(n.n))).toEqual([2]);
  });
});

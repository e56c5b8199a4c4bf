/**
 * What a store still holds, read two ways: every row of every table (as an operator's query
 * would), and the raw bytes of the store's files (as anyone with the files or a backup would).
 */
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Storage } from '../../src/storage/db.ts';

/** The needles found in some row of some table, as `table: needle`. Case-insensitive. */
export async function findInTables(storage: Storage, needles: readonly string[]): Promise<string[]> {
  const tables =
    storage.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(storage.db)).rows.map(
          (r) => r.name,
        )
      : (
          await sql<{ name: string }>`
            select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(storage.db)
        ).rows.map((r) => r.name);
  const found: string[] = [];
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(storage.db);
    const text = rows.map((r) => JSON.stringify(r, (_k, v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v)));
    const all = text.join('\n').toLowerCase();
    for (const n of needles) if (all.includes(n.toLowerCase())) found.push(`${table}: ${n}`);
  }
  return found;
}

/**
 * The store's files as bytes: on SQLite the database file and its WAL; on PostgreSQL every
 * relation file (tables, indexes, TOAST) of the current schema, after a CHECKPOINT has written
 * the shared buffers out (needs a superuser, as the tests' local server grants).
 */
export async function rawStoreBytes(storage: Storage, databaseUrl: string): Promise<Buffer> {
  if (storage.dialect === 'sqlite') {
    const file = databaseUrl.slice('sqlite:'.length);
    return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
  }
  await sql`checkpoint`.execute(storage.db);
  const { rows } = await sql<{ data: Buffer }>`
    with own as (
      select c.oid, c.reltoastrelid from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'i')
    ), rels as (
      select oid from own
      union select reltoastrelid from own where reltoastrelid <> 0
      union select i.indexrelid from pg_index i join own on i.indrelid = own.reltoastrelid
    )
    select pg_read_binary_file(pg_relation_filepath(oid)) as data from rels
    where pg_relation_filepath(oid) is not null and pg_relation_size(oid) > 0`.execute(storage.db);
  return Buffer.concat(rows.map((r) => r.data));
}

/** The needles whose UTF-8 bytes occur in `bytes` (exact, and lower-cased). */
export function findInBytes(bytes: Buffer, needles: readonly string[]): string[] {
  return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')) || bytes.includes(Buffer.from(n.toLowerCase())));
}

/**
 * The needles still in the store's files. On PostgreSQL a dead row version that an older open
 * transaction can still see survives any VACUUM until that transaction ends (the tests share one
 * server with other suites): the tables are rewritten again, as an operator's later VACUUM FULL
 * would, until nothing holds them back (at most `attempts` times).
 */
export async function needlesInFiles(storage: Storage, databaseUrl: string, needles: readonly string[], attempts = 40) {
  for (let i = 1; ; i++) {
    const found = findInBytes(await rawStoreBytes(storage, databaseUrl), needles);
    if (!found.length || storage.dialect === 'sqlite' || i >= attempts) return found;
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(storage.db);
    await storage.purgeErased(
      rows.map((r) => r.name),
      { rewrite: true },
    );
    await new Promise((r) => setTimeout(r, 250));
  }
}

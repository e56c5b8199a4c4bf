/**
 * `gatehouse backup` and `gatehouse restore`: every table of the store as JSON lines, read on one
 * snapshot, dialect-neutral (a SQLite backup restores into PostgreSQL and back). The first line
 * names the format and the migrations the rows were written under; restore migrates an empty
 * store to exactly those, loads the rows in one transaction, then migrates to the latest.
 * The file holds the server keys and secret hashes: it is written 0600 and must be kept like the
 * store itself.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import { type Migrator, sql } from 'kysely';
import type { Storage } from './db.ts';
import { deferForeignKeys, inSnapshot, listTables } from './dialect.ts';
import { MIGRATIONS, migrateToLatest, migratorFor } from './migrations/index.ts';

const FORMAT = 'gatehouse-backup';
const VERSION = 1;
const PAGE = 2_000;
/** Bound parameters per INSERT (SQLite allows 32,766; PostgreSQL 65,535). */
const MAX_PARAMS = 30_000;

interface Header {
  format: typeof FORMAT;
  version: number;
  migrations: string[];
  createdAt: string;
}

type Line = Header | { table: string; columns: string[] } | { row: unknown[] } | { end: Record<string, number> };

export class BackupError extends Error {
  override name = 'BackupError';
  readonly code = 'GATEHOUSE_BACKUP';
}

async function appliedMigrations(migrator: Migrator): Promise<string[]> {
  return (await migrator.getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
}

/** Writes every table to `file` (gzip when it ends in .gz); answers the row count per table. */
export async function backupStore(storage: Storage, file: string): Promise<Record<string, number>> {
  const sink = createWriteStream(file, { mode: 0o600 });
  const gzip = file.endsWith('.gz') ? createGzip() : null;
  if (gzip) gzip.pipe(sink);
  const out = gzip ?? sink;
  const write = async (line: Line) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  const counts: Record<string, number> = {};
  await inSnapshot(storage.dialect, storage.db, async (db) => {
    await write({
      format: FORMAT,
      version: VERSION,
      migrations: await appliedMigrations(await migratorFor(storage, { db })),
      createdAt: new Date().toISOString(),
    });
    for (const table of await listTables(storage.dialect, db)) {
      const { rows: probe } = await sql<Record<string, unknown>>`select * from ${sql.table(table)} limit 1`.execute(db);
      const columns = probe[0] ? Object.keys(probe[0]) : [];
      await write({ table, columns });
      counts[table] = 0;
      if (columns.length === 0) continue;
      // Ordered by every column, so paging is stable on the snapshot.
      const order = sql.raw(columns.map((_, i) => String(i + 1)).join(', '));
      for (let offset = 0; ; offset += PAGE) {
        const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}
          order by ${order} limit ${PAGE} offset ${offset}`.execute(db);
        for (const r of rows) await write({ row: columns.map((c) => r[c] ?? null) });
        counts[table] += rows.length;
        if (rows.length < PAGE) break;
      }
    }
  });
  await write({ end: counts });
  out.end();
  await once(sink, 'finish');
  return counts;
}

/**
 * Loads a backup into a store that holds no organization: migrates it to the backup's
 * migrations, replaces every table's rows in one transaction, then migrates to the latest.
 */
export async function restoreStore(storage: Storage, file: string): Promise<Record<string, number>> {
  const source = createReadStream(file);
  const lines = createInterface({
    input: file.endsWith('.gz') ? source.pipe(createGunzip()) : source,
    crlfDelay: Infinity,
  });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = (first.done ? null : JSON.parse(first.value)) as Header | null;
  if (header?.format !== FORMAT || header.version !== VERSION)
    throw new BackupError(`${file} is not a Gatehouse backup (version ${VERSION})`);
  const unknown = header.migrations.filter((m) => !(m in MIGRATIONS()));
  if (unknown.length)
    throw new BackupError(`the backup needs a newer Gatehouse (unknown migrations: ${unknown.join(', ')})`);
  const last = header.migrations[header.migrations.length - 1];
  const migrator = await migratorFor(storage);
  const applied = await appliedMigrations(migrator);
  if (applied.some((m) => !header.migrations.includes(m)))
    throw new BackupError('the store is newer than the backup; restore into an empty store');
  if (last) {
    const result = await migrator.migrateTo(last);
    if (result.error) throw result.error;
  }
  const existing = await storage.db
    .selectFrom('organizations')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) throw new BackupError('the store is not empty; restore into a new, empty store');

  const counts: Record<string, number> = {};
  await storage.db.transaction().execute(async (trx) => {
    await deferForeignKeys(storage.dialect, trx);
    // Rows a migration may have written are replaced by the backup's, children first.
    for (const table of (await listTables(storage.dialect, trx)).reverse())
      await sql`delete from ${sql.table(table)}`.execute(trx);
    let table = '';
    let columns: string[] = [];
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (batch.length)
        await trx
          .insertInto(table as never)
          .values(batch as never)
          .execute();
      batch = [];
    };
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (!next.value) continue;
      const line = JSON.parse(next.value) as Line;
      if ('table' in line) {
        await flush();
        table = line.table;
        columns = line.columns;
        counts[table] = 0;
      } else if ('row' in line) {
        batch.push(Object.fromEntries(columns.map((c, i) => [c, line.row[i]])));
        counts[table]!++;
        if ((batch.length + 1) * columns.length > MAX_PARAMS) await flush();
      } else if ('end' in line) {
        await flush();
        for (const [t, n] of Object.entries(line.end))
          if (counts[t] !== n) throw new BackupError(`the backup is incomplete: ${t} has ${counts[t]} of ${n} rows`);
        return;
      }
    }
    throw new BackupError('the backup is truncated (no end line)');
  });
  await migrateToLatest(storage);
  return counts;
}

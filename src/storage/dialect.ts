/**
 * Everything that differs between SQLite and PostgreSQL lives here, declared as capabilities
 * and small codecs. No other file may branch on the dialect.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type Dialect,
  type Kysely,
  PostgresAdapter,
  PostgresDialect,
  type QueryCreator,
  type RawBuilder,
  SqliteDialect,
  sql,
} from 'kysely';
import type pgModule from 'pg';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectInfo {
  readonly name: DialectName;
  readonly kysely: Dialect;
  /** Whether DDL inside a transaction rolls back (migrations can be atomic). */
  readonly supportsTransactionalDdl: boolean;
  /** Whether concurrent writers run in parallel (PostgreSQL) or one at a time (SQLite). */
  readonly concurrentWriters: boolean;
  /**
   * Whether withGroupedTransaction lets concurrent callers share one transaction (SQLite: one
   * writer at a time, where each commit writes the WAL pages it touched, so a commit shared by a
   * few small writes costs little more than one). PostgreSQL runs them in parallel instead, each
   * in its own transaction (its WAL flushes are already shared by concurrent commits).
   */
  readonly groupCommits: boolean;
  /**
   * Refreshes the planner's statistics where they are stale. SQLite has none until told: without
   * them it pages an audit query by the (org, time) index instead of the (org, entity, time) one.
   * PostgreSQL's autovacuum keeps its own.
   */
  optimize(): void;
  poolUsage(): PoolUsage;
  /**
   * The tables the open transaction has updated or deleted rows of (PostgreSQL's per-transaction
   * statistics); SQLite needs none (its erasure overwrites in place), so it answers [].
   */
  changedTables(trx: Kysely<any>): Promise<string[]>;
  /**
   * After an erasure has committed, removes what still holds the erased values: on SQLite the
   * WAL's old page images (a checkpoint that truncates it; secure_delete already zeroed the freed
   * space); on PostgreSQL the dead row versions of the tables it changed (VACUUM).
   */
  purgeErased(db: Kysely<any>, tables: readonly string[], options?: PurgeOptions): Promise<void>;
}

export interface PurgeOptions {
  /**
   * PostgreSQL: rewrite the tables (VACUUM FULL) rather than vacuum them. A plain VACUUM removes
   * the dead row versions, but their bytes may stay in the pages' free space until new rows
   * overwrite them; a rewrite leaves none, at the cost of an exclusive lock on each table.
   */
  rewrite?: boolean;
}

/** PostgreSQL connection pool settings (SQLite has one connection and ignores them). */
export interface PoolOptions {
  /** Most connections this process opens (default 10). */
  max?: number;
  /** Longest a statement may run before PostgreSQL cancels it, in ms (0: no limit). */
  statementTimeoutMs?: number;
  /** Called when an idle connection is lost (a restart, failover or pg_terminate_backend). */
  onIdleError?: (err: Error) => void;
}

/** Connections open, idle and waited for (PostgreSQL; SQLite answers one busy connection). */
export interface PoolUsage {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export function dialectFor(databaseUrl: string, options: PoolOptions = {}): DialectInfo {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    if (file !== ':memory:') createPrivateFile(file);
    const database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    // Deleted and overwritten content is zeroed, not left in free pages and freeblocks where anyone
    // with the file (or a backup of it) could read an erased person back (docs/gdpr.md).
    database.pragma('secure_delete = ON');
    // Temporary files (statement and savepoint journals, sorts that outgrow the cache) in memory:
    // a savepoint journal written to a temporary file cost a grouped create (withGroupedTransaction,
    // decision 0027) about a third of its time, and the page images such files hold (personal
    // data, before an erasure overwrites it) never reach the disk.
    database.pragma('temp_store = MEMORY');
    // SQLite's advice for long-lived connections: at open, and then now and then (app.ts: hourly).
    // analysis_limit bounds the work on large tables (approximate statistics are enough).
    database.pragma('analysis_limit = 400');
    const optimize = () => void database.pragma('optimize=0x10002');
    optimize();
    return {
      name: 'sqlite',
      kysely: new SqliteDialect({ database: withStatementCache(database) }),
      supportsTransactionalDdl: true,
      concurrentWriters: false,
      groupCommits: true,
      optimize,
      poolUsage: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
      changedTables: async () => [],
      purgeErased: async (db) => {
        // TRUNCATE: every frame copied back and the WAL file cut to nothing (RESTART would keep the
        // old frames' bytes). Through Kysely, so that it waits for an open transaction to end.
        const { rows } = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
        if (rows[0]?.busy) throw new Error('The WAL checkpoint after an erasure could not complete (busy).');
      },
    };
  }
  // pg is loaded only for a PostgreSQL store (it is a noticeable part of a SQLite server's start-up
  // and memory; docs/benchmarks.md, issue 22).
  const pg = createRequire(import.meta.url)('pg') as typeof pgModule;
  // COUNT(*) and BIGINT arrive as strings from pg; parse int8 as a JS number (safe below 2^53).
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  const max = options.max ?? 10;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    // A request waits at most this long for a connection: with the store down it answers 503
    // instead of hanging until the balancer gives up.
    connectionTimeoutMillis: 5_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // Without a listener, an idle client's socket error (pg_terminate_backend, a restart, a
  // failover) is an unhandled 'error' event and ends the process. The pool drops the client
  // itself; the next query opens a new one.
  pool.on('error', (err) => options.onIdleError?.(err));
  // The same for a connection lost while checked out between two statements (inside a
  // transaction): the statement in flight fails, and the client must not throw the event too.
  pool.on('connect', (client) => client.on('error', () => {}));
  return {
    name: 'postgres',
    kysely: new PostgresDialect({ pool }),
    supportsTransactionalDdl: true,
    concurrentWriters: true,
    groupCommits: false,
    optimize: () => {},
    poolUsage: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    changedTables: async (trx) => {
      const { rows } = await sql<{ relname: string }>`
        select relname from pg_stat_xact_user_tables
        where schemaname = current_schema() and n_tup_upd + n_tup_del > 0`.execute(trx);
      return rows.map((r) => r.relname);
    },
    purgeErased: async (db, tables, options = {}) => {
      // Plain VACUUM takes no lock that stops readers or writers. Neither form can remove a row
      // version an older snapshot still sees; autovacuum does, later (docs/gdpr.md).
      if (!tables.length) return;
      const list = sql.join(tables.map((t) => sql.table(t)));
      await (options.rewrite ? sql`vacuum full ${list}` : sql`vacuum ${list}`).execute(db);
    },
  };
}

/**
 * The store file is readable by its owner only (0600, in a 0700 folder when the folder is new);
 * SQLite gives its -wal and -shm files the same mode as the database file.
 */
function createPrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  try {
    chmodSync(file, 0o600);
  } catch {
    // Not the owner (a file provided read-write by someone else): leave its mode alone.
  }
}

/**
 * Kysely prepares every query anew; preparing costs more than running a small query, so keep
 * prepared statements by SQL text (the set of distinct queries is small and fixed by the code).
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver);
        // Native methods must run with the real database as `this`.
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          if (cache.size >= 1000) cache.delete(cache.keys().next().value as string);
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * Many strings as one bound parameter: a table `list` of one column `value`, in the order given,
 * to select from (`select list.value from ${textList(ex, ids)}`). PostgreSQL unnests a text[],
 * SQLite walks a JSON array (json_each). A statement of any size, instead of a parameter per value
 * (and a chunk of them per statement): a 10,000-member group PATCH is one statement a step.
 */
export function textList(ex: Kysely<any>, values: readonly string[]): RawBuilder<unknown> {
  return ex.getExecutor().adapter instanceof PostgresAdapter
    ? sql`unnest(cast(${values} as text[])) as list(value)`
    : sql`json_each(${JSON.stringify(values)}) as list`;
}

/**
 * Rows for several tables, written in as few statements as the dialect allows: on PostgreSQL one
 * statement (each table's INSERT a data-modifying WITH of the last one's; one round trip instead
 * of one a table), on SQLite one INSERT a table (no round trips to save). Tables with no rows are
 * skipped. A row may reference a row of a table before it in the list. All or nothing only inside
 * a transaction (on SQLite the statements are separate).
 */
export async function insertAll(
  ex: Kysely<any>,
  inserts: readonly { table: string; rows: readonly Record<string, unknown>[] }[],
): Promise<void> {
  const todo = inserts.filter((i) => i.rows.length > 0);
  if (!todo.length) return;
  if (!(ex.getExecutor().adapter instanceof PostgresAdapter) || todo.length === 1) {
    for (const { table, rows } of todo) await ex.insertInto(table).values(rows).execute();
    return;
  }
  const last = todo[todo.length - 1] as (typeof todo)[number];
  let qc: any = ex;
  todo.slice(0, -1).forEach(({ table, rows }, i) => {
    qc = qc.with(`insert_${i}`, (db: Kysely<any>) => db.insertInto(table).values(rows));
  });
  await qc.insertInto(last.table).values(last.rows).execute();
}

/**
 * An INSERT of rows, then the statement `then` builds on the query creator it is given: one
 * statement on PostgreSQL (the INSERT a data-modifying WITH of it, one round trip), two on SQLite.
 * `then` must not read the rows inserted (in the same PostgreSQL statement it would not see them).
 */
export async function insertThen(
  ex: Kysely<any>,
  first: { table: string; rows: readonly Record<string, unknown>[] },
  then: (qc: QueryCreator<any>) => { execute(): Promise<unknown> },
): Promise<void> {
  if (ex.getExecutor().adapter instanceof PostgresAdapter && first.rows.length) {
    await then(ex.with('first_insert', (db) => db.insertInto(first.table).values(first.rows))).execute();
    return;
  }
  if (first.rows.length) await ex.insertInto(first.table).values(first.rows).execute();
  await then(ex).execute();
}

/**
 * Many rows of one table (all with the same columns). On PostgreSQL one statement, each column one
 * array parameter (`insert … select … from unnest($1::text[], …)`), instead of a statement of
 * thousands of parameters for every `chunk` rows, each built, sent and parsed; on SQLite `chunk`
 * rows a statement, as before. A column's array type follows its values: numbers numeric[],
 * booleans boolean[], anything else text[]; a column of nulls only is a plain null.
 */
export async function insertRows(
  ex: Kysely<any>,
  table: string,
  rows: readonly Record<string, unknown>[],
  chunk = 200,
): Promise<void> {
  if (!rows.length) return;
  if (!(ex.getExecutor().adapter instanceof PostgresAdapter)) {
    for (let i = 0; i < rows.length; i += chunk)
      await ex
        .insertInto(table)
        .values(rows.slice(i, i + chunk))
        .execute();
    return;
  }
  const columns = Object.keys(rows[0] as Record<string, unknown>);
  const arrays: RawBuilder<unknown>[] = [];
  const selected = columns.map((column) => {
    const values = rows.map((r) => r[column] ?? null);
    const sample = values.find((v) => v !== null);
    if (sample === undefined) return sql`null`;
    const type = typeof sample === 'number' ? 'numeric[]' : typeof sample === 'boolean' ? 'boolean[]' : 'text[]';
    const name = `c${arrays.length}`;
    arrays.push(sql`cast(${values} as ${sql.raw(type)})`);
    return sql.ref(`u.${name}`);
  });
  const aliases = sql.raw(arrays.map((_, i) => `c${i}`).join(', '));
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    select ${sql.join(selected)} from unnest(${sql.join(arrays)}) as u(${aliases})`.execute(ex);
}

/** True when the error is a unique-constraint violation, in either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown (pg_terminate_backend, a fast shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'SQLITE_BUSY',
]);

/**
 * True when the error says the store cannot be reached right now (connection refused or lost,
 * the server shutting down, no pooled connection in time): the request may succeed later.
 */
export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Client was closed/i.test(
    message,
  );
}

/** True when the store file exists but is not a database (a clear start-up error, not a stack). */
export function isNotADatabase(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return e?.code === 'SQLITE_NOTADB' || e?.code === 'SQLITE_CORRUPT';
}

/**
 * The schema that holds Kysely's migration tables. On PostgreSQL it is the connection's current
 * schema: without naming it, the migrator would find another schema's lock table in the same
 * database and skip creating its own.
 */
export async function migrationTableSchema(name: DialectName, db: Kysely<any>): Promise<string | undefined> {
  if (name !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}

/**
 * The store's tables in creation order (parents before the tables that reference them), without
 * the migrator's own: what a backup writes and a restore loads.
 */
export async function listTables(name: DialectName, db: Kysely<any>): Promise<string[]> {
  const { rows } =
    name === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'
          and name not like 'sqlite_%' and name not like 'kysely_%' order by rowid`.execute(db)
      : await sql<{ name: string }>`select c.relname as name from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and n.nspname = current_schema() and c.relname not like 'kysely_%'
          order by c.oid`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * Runs fn on one consistent snapshot of the store (a backup of a running store): PostgreSQL's
 * REPEATABLE READ, SQLite's read transaction (WAL keeps the snapshot while others write).
 */
export function inSnapshot<T>(name: DialectName, db: Kysely<any>, fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  const tx = db.transaction();
  return (name === 'postgres' ? tx.setIsolationLevel('repeatable read') : tx).execute(fn);
}

/**
 * Loads rows whatever order foreign keys would need within the transaction: SQLite checks them
 * at commit; PostgreSQL's tables come in creation order, parents first.
 */
export async function deferForeignKeys(name: DialectName, trx: Kysely<any>): Promise<void> {
  if (name === 'sqlite') await sql`pragma defer_foreign_keys = on`.execute(trx);
}

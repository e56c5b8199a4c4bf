import { type Insertable, Kysely, type QueryCreator, sql, type Transaction } from 'kysely';
import {
  type DialectName,
  dialectFor,
  insertAll as insertAllRows,
  insertRows as insertTableRows,
  insertThen as insertThenRun,
  type PoolOptions,
  type PoolUsage,
  type PurgeOptions,
} from './dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** A query runner: the database itself or an open transaction. */
export type Executor = Db | Trx;

export interface Storage {
  readonly db: Db;
  readonly dialect: DialectName;
  /** Refreshes stale planner statistics (see DialectInfo.optimize); cheap when nothing changed. */
  optimize(): void;
  /** Connections open, idle and waited for (metrics). */
  poolUsage(): PoolUsage;
  /** Resolves when the store answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** See DialectInfo.changedTables: what the open transaction changed, to purge after an erasure. */
  changedTables(trx: Trx): Promise<string[]>;
  /** See DialectInfo.purgeErased: run after an erasure commits. */
  purgeErased(tables: readonly string[], options?: PurgeOptions): Promise<void>;
  close(): Promise<void>;
}

export function createStorage(databaseUrl: string, options: PoolOptions = {}): Storage {
  const info = dialectFor(databaseUrl, options);
  const db = new Kysely<Database>({ dialect: info.kysely });
  if (info.groupCommits) groups.set(db, { queue: [], running: false });
  return {
    db,
    dialect: info.name,
    optimize: info.optimize,
    poolUsage: info.poolUsage,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    changedTables: (trx) => info.changedTables(trx),
    purgeErased: (tables, options) => info.purgeErased(db, tables, options),
    close: () => db.destroy(),
  };
}

/** What runs once each open transaction (of withTransaction) has committed. */
const afterCommits = new WeakMap<Executor, (() => void)[]>();

/**
 * Runs fn in one transaction: it commits when fn resolves and rolls back when it throws. What
 * `afterCommit` registered on it runs once it has committed (never when it rolled back).
 */
export async function withTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  const pending: (() => void)[] = [];
  const result = await db.transaction().execute((trx) => {
    afterCommits.set(trx, pending);
    return fn(trx);
  });
  for (const run of pending) run();
  return result;
}

/** Rows for one table, for insertAll. */
export type TableRows = {
  [T in keyof Database]: { table: T; rows: readonly Insertable<Database[T]>[] };
}[keyof Database];

/**
 * Rows for several tables in as few statements as the dialect allows: one on PostgreSQL (a round
 * trip, not one a table), one a table on SQLite. Tables with no rows are skipped; a row may
 * reference a row of a table before it. All or nothing only inside a transaction.
 */
export const insertAll = (ex: Executor, inserts: readonly TableRows[]): Promise<void> =>
  insertAllRows(ex, inserts as readonly { table: string; rows: readonly Record<string, unknown>[] }[]);

/**
 * Many rows of one table (all with the same columns): one statement on PostgreSQL (each column one
 * array parameter), `chunk` rows a statement on SQLite.
 */
export const insertRows = <T extends keyof Database>(
  ex: Executor,
  table: T,
  rows: readonly Insertable<Database[T]>[],
  chunk?: number,
): Promise<void> => insertTableRows(ex, table, rows as readonly Record<string, unknown>[], chunk);

/**
 * An INSERT of rows, then the statement `then` builds on the query creator it is given: one
 * statement (a round trip) on PostgreSQL, two on SQLite. `then` must not read the rows inserted.
 */
export const insertThen = (
  ex: Executor,
  first: TableRows,
  then: (qc: QueryCreator<Database>) => { execute(): Promise<unknown> },
): Promise<void> =>
  insertThenRun(ex, first as { table: string; rows: readonly Record<string, unknown>[] }, then as never);

/** A caller of withGroupedTransaction waiting for its turn. */
interface GroupItem {
  fn: (trx: Trx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** The callers of withGroupedTransaction waiting on one store, and whether a group is running. */
interface Group {
  queue: GroupItem[];
  running: boolean;
}

/** The stores whose dialect groups commits (DialectInfo.groupCommits), by their Kysely instance. */
const groups = new WeakMap<Db, Group>();

/**
 * Most callers one shared transaction takes: each waits for those before it in the group, and
 * the store's one connection is held for all of them (about 0.3 ms each for a SCIM create).
 */
export const MAX_GROUP = 16;

/**
 * Runs fn in a transaction, as withTransaction does, but on a store that takes one writer at a
 * time (SQLite, DialectInfo.groupCommits) concurrent callers share one transaction and its one
 * commit (group commit; docs/decisions/0027). Each fn still runs alone and in its own savepoint:
 * when it throws, its writes are rolled back to that savepoint and its own promise rejects with
 * its error, while the others go on. Each promise resolves, and what `afterCommit` registered for
 * it runs, only once the shared transaction has committed; if that commit fails, every caller of
 * the group rejects with the commit's error. Callers that arrive while a group runs join it (up
 * to MAX_GROUP), else the next one. Elsewhere (PostgreSQL) it is withTransaction.
 *
 * Meant for small independent writes arriving together (SCIM provisioning): fn must not wait on
 * anything but its own statements (it holds up the callers after it), and must not depend on
 * another caller's writes failing or not.
 */
export function withGroupedTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  const group = groups.get(db);
  if (!group) return withTransaction(db, fn);
  return new Promise<T>((resolve, reject) => {
    group.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    if (!group.running) void runGroups(db, group);
  });
}

async function runGroups(db: Db, group: Group): Promise<void> {
  group.running = true;
  try {
    while (group.queue.length) await runGroup(db, group);
  } finally {
    group.running = false;
  }
}

/** One shared transaction: the callers queued (and those arriving meanwhile), each in a savepoint. */
async function runGroup(db: Db, group: Group): Promise<void> {
  const done: { item: GroupItem; result: unknown; pending: (() => void)[] }[] = [];
  let current: GroupItem | undefined;
  let taken = 0;
  try {
    await db.transaction().execute(async (trx) => {
      for (let n = 0; n < MAX_GROUP && group.queue.length; n++) {
        const item = group.queue.shift() as GroupItem;
        taken++;
        current = item;
        const pending: (() => void)[] = [];
        afterCommits.set(trx, pending);
        await SAVEPOINT.execute(trx);
        let result: unknown;
        try {
          result = await item.fn(trx);
        } catch (err) {
          current = undefined;
          item.reject(err);
          // Only this caller's writes go; when even that fails, the whole group does (below).
          await ROLLBACK_TO_SAVEPOINT.execute(trx);
          await RELEASE_SAVEPOINT.execute(trx);
          continue;
        }
        await RELEASE_SAVEPOINT.execute(trx);
        current = undefined;
        done.push({ item, result, pending });
      }
    });
  } catch (err) {
    current?.reject(err);
    for (const d of done) d.item.reject(err);
    // No transaction at all (the store closed, or busy): the callers it would have taken fail as
    // theirs would have, rather than being retried.
    if (taken === 0) for (const item of group.queue.splice(0, MAX_GROUP)) item.reject(err);
    return;
  }
  for (const d of done) {
    try {
      for (const run of d.pending) run();
      d.item.resolve(d.result);
    } catch (err) {
      // As withTransaction: a throwing afterCommit callback reaches its caller (the rest is committed).
      d.item.reject(err);
    }
  }
}

const SAVEPOINT = sql`savepoint gatehouse_group_item`;
const ROLLBACK_TO_SAVEPOINT = sql`rollback to savepoint gatehouse_group_item`;
const RELEASE_SAVEPOINT = sql`release savepoint gatehouse_group_item`;

/**
 * Runs `fn` once what `ex` wrote is visible to every other connection: after the transaction of
 * withTransaction commits, or at once outside a transaction (each statement commits by itself).
 * For notices to other processes (the invalidation bus): sent before the commit, they could make
 * a reader cache the state from before the change. `fn` must not throw (the change is committed).
 */
export function afterCommit(ex: Executor, fn: () => void): void {
  const pending = ex.isTransaction ? afterCommits.get(ex) : undefined;
  if (pending) pending.push(fn);
  else fn();
}

export {
  isNotADatabase,
  isStoreUnavailable,
  isUniqueViolation,
  type PoolOptions,
  type PoolUsage,
  textList,
} from './dialect.ts';
export type { Database } from './schema.ts';
export type { PurgeOptions } from './dialect.ts';

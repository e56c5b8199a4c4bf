import { Kysely, sql, type Transaction } from 'kysely';
import { type DialectName, dialectFor, type PoolOptions, type PoolUsage, type PurgeOptions } from './dialect.ts';
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

export { isNotADatabase, isStoreUnavailable, isUniqueViolation, type PoolOptions, type PoolUsage } from './dialect.ts';
export type { Database } from './schema.ts';
export type { PurgeOptions } from './dialect.ts';

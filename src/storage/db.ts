import { Kysely, type Transaction } from 'kysely';
import { type DialectName, dialectFor } from './dialect.ts';
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
  close(): Promise<void>;
}

export function createStorage(databaseUrl: string): Storage {
  const info = dialectFor(databaseUrl);
  const db = new Kysely<Database>({ dialect: info.kysely });
  return { db, dialect: info.name, optimize: info.optimize, close: () => db.destroy() };
}

/** Runs fn in one transaction: it commits when fn resolves and rolls back when it throws. */
export function withTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

export { isNotADatabase, isUniqueViolation } from './dialect.ts';
export type { Database } from './schema.ts';

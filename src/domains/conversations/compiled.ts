/**
 * Reads built and compiled once per database, then only run: Kysely builds and compiles a query
 * anew on every call (nodes frozen and cloned per `where`, then visited to SQL), which on the
 * conversation read cost as much as SQLite running it (docs/benchmarks.md, issue 22). The read is
 * built with stand-in values and compiled against the executor's own dialect (SQL text and
 * placeholders differ between SQLite and PostgreSQL); each call binds its values in their place.
 *
 * Local to this domain until a shared helper lands in src/storage (the same idea).
 */
import type { Compilable, CompiledQuery } from 'kysely';
import type { Executor } from '../../storage/db.ts';

/** A stand-in value no caller sends (NUL is refused at the door: platform/pipeline/input-guard.ts). */
const MARK = '\u0000compiled:';

/**
 * A read of string parameters, named by `names` in the order `build` takes them. The builder
 * runs once per database and must use each parameter as a bound value only, never branch on it.
 */
export function compiledRead<R, N extends string>(
  names: readonly N[],
  build: (ex: Executor, p: Record<N, string>) => Compilable<R>,
) {
  const byDb = new WeakMap<Executor, { query: CompiledQuery; slots: (N | { value: unknown })[] }>();
  const prepared = (ex: Executor) => {
    let p = byDb.get(ex);
    if (!p) {
      const stand = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as Record<N, string>;
      const query = build(ex, stand).compile() as CompiledQuery;
      if (query.sql.includes(MARK)) throw new Error(`a compiled read's parameter reached its SQL: ${query.sql}`);
      const slots = query.parameters.map((v) =>
        typeof v === 'string' && v.startsWith(MARK) ? (v.slice(MARK.length) as N) : { value: v },
      );
      p = { query, slots };
      // A transaction is a new executor each time: compiled for that call only.
      if (!ex.isTransaction) byDb.set(ex, p);
    }
    return p;
  };
  return async (ex: Executor, params: Record<N, string>): Promise<R[]> => {
    const { query, slots } = prepared(ex);
    const parameters = slots.map((s) => (typeof s === 'string' ? params[s] : s.value));
    // The compiled node and id are reused: no plugin transforms them (createStorage adds none).
    return (await ex.executeQuery<R>({ query: query.query, queryId: query.queryId, sql: query.sql, parameters })).rows;
  };
}

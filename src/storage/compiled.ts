/**
 * Hot reads compiled once and run many times. Kysely builds and compiles a query anew on every
 * call (immutable nodes frozen and cloned per `where`, then visited to SQL): on the hottest reads
 * that costs as much as the database's own work (docs/benchmarks.md, issue 22). A compiled read is
 * built with stand-ins for its parameters, compiled on first use against an executor's own dialect
 * (the SQL text and placeholder style differ between SQLite and PostgreSQL), and afterwards only
 * runs: the stand-ins' slots in the parameter list are filled from the call's values.
 *
 * Parameters are scalar values only (strings, numbers, null), each used where Kysely binds a value
 * (`where('id', '=', p.id)`), not as an identifier, a literal or a list: a stand-in that reaches
 * the SQL text itself is refused when the query is compiled. The builder runs once, so it must not
 * branch on a parameter's value; a query whose shape varies is one compiled read per shape.
 */
import type { Compilable, CompiledQuery } from 'kysely';
import type { Executor } from './db.ts';

/** Parameter values a compiled read binds. */
export type ParamValue = string | number | null;

/** A compiled read's parameters, by name. */
export type Params = Record<string, ParamValue>;

export interface CompiledRead<P extends Params, R> {
  /** Every row the read answers. */
  all(ex: Executor, params: P): Promise<R[]>;
  /** The first row, or undefined when there is none. */
  first(ex: Executor, params: P): Promise<R | undefined>;
  /** The SQL this executor's dialect runs (compiled on first use): for tests and EXPLAIN. */
  sql(ex: Executor): string;
}

/** A stand-in's prefix: a NUL and a name no value in the code carries. */
const MARK = '\u0000gatehouse-compiled-param:';

/** Where each bound value of the compiled query comes from: a parameter by name, or a constant of the query. */
type Slot = { param: string } | { value: unknown };

interface Prepared {
  query: CompiledQuery;
  slots: readonly Slot[];
}

/** The stand-ins: `p.orgId` is a marker string that the compiled parameters are searched for. */
const standIns = new Proxy({} as Record<string, string>, {
  get: (_target, key) => (typeof key === 'string' ? `${MARK}${key}` : undefined),
});

function prepare(query: CompiledQuery): Prepared {
  if (query.sql.includes(MARK))
    throw new Error(`A compiled read's parameter reached its SQL text (use it as a bound value): ${query.sql}`);
  const slots: Slot[] = query.parameters.map((v) =>
    typeof v === 'string' && v.startsWith(MARK) ? { param: v.slice(MARK.length) } : { value: v },
  );
  return { query, slots };
}

/**
 * A read compiled once per database (its dialect) and run with parameters:
 *
 *   const findUser = compiledRead((db, p: { orgId: string; id: string }) =>
 *     db.selectFrom('users').selectAll().where('org_id', '=', p.orgId).where('id', '=', p.id));
 *   const row = await findUser.first(db, { orgId, id });
 *
 * Inside a transaction the query is built and compiled for that call (a transaction is a new
 * executor each time; the cached form belongs to the database it was compiled on).
 */
export function compiledRead<P extends Params, R>(build: (ex: Executor, p: P) => Compilable<R>): CompiledRead<P, R> {
  const byExecutor = new WeakMap<Executor, Prepared>();
  const preparedFor = (ex: Executor): Prepared => {
    let prepared = byExecutor.get(ex);
    if (!prepared) {
      prepared = prepare(build(ex, standIns as unknown as P).compile() as CompiledQuery);
      if (!ex.isTransaction) byExecutor.set(ex, prepared);
    }
    return prepared;
  };
  const run = async (ex: Executor, params: P): Promise<R[]> => {
    const { query, slots } = preparedFor(ex);
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if ('param' in slot) {
        const value = params[slot.param];
        if (value === undefined) throw new Error(`A compiled read was run without its parameter "${slot.param}".`);
        parameters[i] = value;
      } else parameters[i] = slot.value;
    }
    // The compiled query's node and id are reused: nothing transforms them again (no plugins).
    const result = await ex.executeQuery<R>({ query: query.query, queryId: query.queryId, sql: query.sql, parameters });
    return result.rows;
  };
  return {
    all: run,
    first: async (ex, params) => (await run(ex, params))[0],
    sql: (ex) => preparedFor(ex).query.sql,
  };
}

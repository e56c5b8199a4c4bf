/**
 * The query side of division-scoped access (platform/division-access.ts computes the reach from
 * the caller): narrows a query to rows whose division is within reach. Lives in storage so that
 * every domain's store can apply it to its own table.
 */
import type { DeleteQueryBuilder, ExpressionBuilder, SelectQueryBuilder, UpdateQueryBuilder } from 'kysely';
import type { Executor } from './db.ts';

/** Where a permission reaches: everywhere, or these divisions (`home` also covers rows without a division). */
export interface DivisionReach {
  readonly everywhere: boolean;
  readonly divisionIds: readonly string[];
  readonly home: boolean;
}

type Filterable<DB, TB extends keyof DB, O> =
  | SelectQueryBuilder<DB, TB, O>
  | UpdateQueryBuilder<DB, TB, TB, O>
  | DeleteQueryBuilder<DB, TB, O>;

/**
 * Narrows a query to the rows within reach. `column` is the division column as the query names
 * it (`division_id`, or `u.division_id` with an alias).
 */
export function whereInReach<DB, TB extends keyof DB, O, Q extends Filterable<DB, TB, O>>(
  query: Q,
  column: string,
  reach: DivisionReach,
): Q {
  if (reach.everywhere) return query;
  const ids = reach.divisionIds.length ? [...reach.divisionIds] : ['-'];
  // The column is named by the caller's table (Kysely checks it when the query runs); one filter serves select,
  // update and delete builders alike, hence the loose types.
  const where = (eb: ExpressionBuilder<any, any>) =>
    reach.home ? eb.or([eb(column, 'in', ids), eb(column, 'is', null)]) : eb(column, 'in', ids);
  return (query as any).where(where) as Q;
}

/** Tables whose rows are division objects with nothing else to narrow by (a division's contents, a move). */
type PlainDivisioned = 'conversations' | 'routing_queues' | 'users' | 'oauth_clients';

/** How many rows of `table` the division holds (a division holding any cannot be deleted). */
export async function countInDivision(db: Executor, table: PlainDivisioned, orgId: string, divisionId: string) {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('org_id', '=', orgId)
    .where('division_id', '=', divisionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The division of each of these rows of `table` that exists in the organization. */
export async function divisionsOfRows(
  db: Executor,
  table: PlainDivisioned,
  orgId: string,
  ids: string[],
): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .select(['id', 'division_id'])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.division_id ?? null]));
}

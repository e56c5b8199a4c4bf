/** Kysely queries for divisions beyond the basics in store.ts: deleted ones, cursors, grants per division. */
import type { Executor } from '../../storage/db.ts';
import { divisionsOfRows } from '../../storage/division-filter.ts';
import type { DivisionRow } from '../../storage/schema.ts';

export function createDivisionsStore() {
  return {
    updateDivision: (db: Executor, orgId: string, id: string, patch: Partial<DivisionRow>) =>
      db.updateTable('divisions').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute(),
    /** A division in any state, deleted ones included. */
    findAnyDivision: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('divisions').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    /** Live divisions filtered by ids and a name fragment, after/before a (name, id) position, `limit` of them. */
    queryDivisions: (
      db: Executor,
      orgId: string,
      f: { ids?: string[]; name?: string; deleted?: boolean },
      offset: number,
      limit: number,
      after?: [string, string],
    ) => {
      let q = db
        .selectFrom('divisions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('deleted_at', f.deleted ? 'is not' : 'is', null);
      if (f.ids?.length) q = q.where('id', 'in', f.ids);
      if (f.name) q = q.where((eb) => eb(eb.fn('lower', ['name']), 'like', `%${f.name!.toLowerCase()}%`));
      if (after)
        q = q.where((eb) =>
          eb.or([eb('name', '>', after[0]), eb.and([eb('name', '=', after[0]), eb('id', '>', after[1])])]),
        );
      return q.orderBy('name').orderBy('id').offset(offset).limit(limit).execute();
    },
    countDivisionsWhere: async (
      db: Executor,
      orgId: string,
      f: { ids?: string[]; name?: string; deleted?: boolean },
    ) => {
      let q = db
        .selectFrom('divisions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', orgId)
        .where('deleted_at', f.deleted ? 'is not' : 'is', null);
      if (f.ids?.length) q = q.where('id', 'in', f.ids);
      if (f.name) q = q.where((eb) => eb(eb.fn('lower', ['name']), 'like', `%${f.name!.toLowerCase()}%`));
      return Number((await q.executeTakeFirstOrThrow()).n);
    },
    /** Grants in one division, with their role rows. */
    grantsInDivision: (db: Executor, orgId: string, divisionId: string, offset: number, limit: number) =>
      db
        .selectFrom('role_grants')
        .innerJoin('roles', 'roles.id', 'role_grants.role_id')
        .select([
          'role_grants.subject_id',
          'role_grants.subject_type',
          'role_grants.division_id',
          'roles.id as role_id',
          'roles.name as role_name',
          'roles.description as role_description',
          'roles.is_default',
        ])
        .where('role_grants.org_id', '=', orgId)
        .where('role_grants.division_id', '=', divisionId)
        .orderBy('role_grants.subject_id')
        .orderBy('roles.id')
        .offset(offset)
        .limit(limit)
        .execute(),
    countGrantsInDivision: async (db: Executor, orgId: string, divisionId: string) =>
      Number(
        (
          await db
            .selectFrom('role_grants')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .where('division_id', '=', divisionId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    deleteGrantsInDivision: (db: Executor, orgId: string, divisionId: string) =>
      db.deleteFrom('role_grants').where('org_id', '=', orgId).where('division_id', '=', divisionId).execute(),
    countUsersInDivision: async (db: Executor, orgId: string, divisionId: string) =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .where('division_id', '=', divisionId)
            .where('state', '!=', 'deleted')
            .executeTakeFirstOrThrow()
        ).n,
      ),
    divisionsOfUsers: (db: Executor, orgId: string, ids: string[]) => divisionsOfRows(db, 'users', orgId, ids),
    moveUsers: (db: Executor, orgId: string, ids: string[], divisionId: string, now: string) =>
      db
        .updateTable('users')
        .set({ division_id: divisionId, modified_at: now })
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute(),
  };
}

export type DivisionsStore = ReturnType<typeof createDivisionsStore>;

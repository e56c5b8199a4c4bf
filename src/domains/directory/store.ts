/**
 * Kysely queries for the directory tables. Every query takes the organization id: nothing here
 * can read across organizations. No business rules live here.
 */
import { sql } from 'kysely';
import { type DivisionReach, whereInReach } from '../../storage/division-filter.ts';
import { compiledRead } from '../../storage/compiled.ts';
import type { Executor } from '../../storage/db.ts';
import type { DivisionRow, OrganizationRow, RoleRow, UserRow } from '../../storage/schema.ts';

export interface UserFilter {
  /** active | inactive | deleted | any (upstream default: active). */
  state: string;
  ids?: string[];
  descending?: boolean;
  /** The divisions the caller may see users of (all when absent). */
  reach?: DivisionReach;
}

/**
 * A user's shown columns with the name of its division (null when the division is deleted), in one
 * read compiled once: GET /api/v2/users/{id} checks the division and shows the row (issue 22).
 * Only what the view shows is read (not the password hash).
 */
const userWithDivision = compiledRead((db, p: { orgId: string; id: string }) =>
  db
    .selectFrom('users as u')
    .leftJoin('divisions as d', (j) =>
      j.onRef('d.org_id', '=', 'u.org_id').onRef('d.id', '=', 'u.division_id').on('d.deleted_at', 'is', null),
    )
    .select([
      'u.id',
      'u.name',
      'u.division_id',
      'u.department',
      'u.email',
      'u.state',
      'u.title',
      'u.version',
      'd.name as division_name',
    ])
    .where('u.org_id', '=', p.orgId)
    .where('u.id', '=', p.id),
);

export function createDirectoryStore() {
  return {
    insertOrganization: (db: Executor, row: OrganizationRow) => db.insertInto('organizations').values(row).execute(),
    findOrganization: (db: Executor, id: string) =>
      db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst(),
    findOrganizationByName: (db: Executor, name: string) =>
      db.selectFrom('organizations').selectAll().where('name', '=', name).executeTakeFirst(),
    countOrganizations: async (db: Executor) =>
      Number(
        (
          await db
            .selectFrom('organizations')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),

    insertDivision: (db: Executor, row: DivisionRow) => db.insertInto('divisions').values(row).execute(),
    homeDivision: (db: Executor, orgId: string) =>
      db
        .selectFrom('divisions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('home', '=', 1)
        .executeTakeFirstOrThrow(),
    /** A division that is not deleted. */
    findDivision: (db: Executor, orgId: string, id: string) =>
      db
        .selectFrom('divisions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst(),
    listDivisions: (db: Executor, orgId: string, offset: number, limit: number) =>
      db
        .selectFrom('divisions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .orderBy('name')
        .orderBy('id')
        .offset(offset)
        .limit(limit)
        .execute(),
    countDivisions: async (db: Executor, orgId: string) =>
      Number(
        (
          await db
            .selectFrom('divisions')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .where('deleted_at', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      ),

    insertUser: (db: Executor, row: UserRow) => db.insertInto('users').values(row).execute(),
    updateUser: (db: Executor, orgId: string, id: string, patch: Partial<UserRow>) =>
      db.updateTable('users').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute(),
    /** Optimistic update: answers false when the version moved since it was read. */
    updateUserVersioned: async (
      db: Executor,
      orgId: string,
      id: string,
      expectedVersion: number,
      patch: Partial<UserRow>,
    ) => {
      const r = await db
        .updateTable('users')
        .set(patch)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Bumps the version of these users (deleted ones excepted), in id order (no deadlock): answers them. */
    bumpUserVersions: async (db: Executor, orgId: string, ids: string[], modifiedAt: string) => {
      const out: { id: string; name: string }[] = [];
      const sorted = [...ids].sort();
      for (let i = 0; i < sorted.length; i += 500) {
        out.push(
          ...(await db
            .updateTable('users')
            .set((eb) => ({ version: eb('version', '+', 1), modified_at: modifiedAt }))
            .where('org_id', '=', orgId)
            .where('id', 'in', sorted.slice(i, i + 500))
            .where('state', '<>', 'deleted')
            .returning(['id', 'name'])
            .execute()),
        );
      }
      return out;
    },
    findUser: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    /** A user's shown columns and its division's name (null: the division is deleted), in one read. */
    findUserWithDivision: (db: Executor, orgId: string, id: string) => userWithDivision.first(db, { orgId, id }),
    findUserByEmail: (db: Executor, orgId: string, emailKey: string) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('email_key', '=', emailKey)
        .executeTakeFirst(),
    /** Users with this email across organizations, for the login page (which org?). */
    findLoginCandidates: (db: Executor, emailKey: string) =>
      db
        .selectFrom('users')
        .innerJoin('organizations', 'organizations.id', 'users.org_id')
        .selectAll('users')
        .select(['organizations.name as org_name'])
        .where('users.email_key', '=', emailKey)
        .where('users.state', '=', 'active')
        .execute(),
    listUsers: (db: Executor, orgId: string, f: UserFilter, offset: number, limit: number) =>
      usersQuery(db, orgId, f)
        .selectAll()
        .orderBy('name', f.descending ? 'desc' : 'asc')
        .orderBy('id')
        .offset(offset)
        .limit(limit)
        .execute(),
    countUsers: async (db: Executor, orgId: string, f: UserFilter) =>
      Number(
        (
          await usersQuery(db, orgId, f)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),

    insertRole: (db: Executor, row: RoleRow) => db.insertInto('roles').values(row).execute(),
    updateRole: (db: Executor, orgId: string, id: string, patch: Partial<RoleRow>) =>
      db.updateTable('roles').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute(),
    deleteRole: (db: Executor, orgId: string, id: string) =>
      db.deleteFrom('roles').where('org_id', '=', orgId).where('id', '=', id).execute(),
    findRole: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('roles').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    findRoleByName: (db: Executor, orgId: string, nameKey: string) =>
      db.selectFrom('roles').selectAll().where('org_id', '=', orgId).where('name_key', '=', nameKey).executeTakeFirst(),
    findRoles: (db: Executor, orgId: string, ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([] as RoleRow[])
        : db.selectFrom('roles').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute(),
    listRoles: (db: Executor, orgId: string, offset: number, limit: number, name?: string) => {
      let q = db.selectFrom('roles').selectAll().where('org_id', '=', orgId);
      if (name) q = q.where('name_key', 'like', `%${name.toLowerCase()}%`);
      return q.orderBy('name_key').orderBy('id').offset(offset).limit(limit).execute();
    },
    countRoles: async (db: Executor, orgId: string, name?: string) => {
      let q = db
        .selectFrom('roles')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', orgId);
      if (name) q = q.where('name_key', 'like', `%${name.toLowerCase()}%`);
      return Number((await q.executeTakeFirstOrThrow()).n);
    },
    /** Number of distinct users holding each role. */
    roleUserCounts: async (db: Executor, orgId: string, roleIds: string[]) => {
      if (roleIds.length === 0) return new Map<string, number>();
      const rows = await db
        .selectFrom('role_grants')
        .select(['role_id', (eb) => eb.fn.count<number>('subject_id').distinct().as('n')])
        .where('org_id', '=', orgId)
        .where('subject_type', '=', 'user')
        .where('role_id', 'in', roleIds)
        .groupBy('role_id')
        .execute();
      return new Map(rows.map((r) => [r.role_id, Number(r.n)]));
    },

    /** Role grants of one subject (user or OAuth client), with the role rows. */
    grantsOf: (db: Executor, orgId: string, subjectId: string) =>
      db
        .selectFrom('role_grants')
        .innerJoin('roles', 'roles.id', 'role_grants.role_id')
        .select(['roles.id as role_id', 'roles.name as role_name', 'roles.permissions', 'role_grants.division_id'])
        .where('role_grants.org_id', '=', orgId)
        .where('role_grants.subject_id', '=', subjectId)
        .orderBy('roles.name_key')
        .execute(),
    /** Role grants of several subjects in one read (a page of OAuth clients), each subject's in role-name order. */
    grantsOfMany: (db: Executor, orgId: string, subjectIds: readonly string[]) =>
      db
        .selectFrom('role_grants')
        .innerJoin('roles', 'roles.id', 'role_grants.role_id')
        .select(['role_grants.subject_id', 'roles.id as role_id', 'role_grants.division_id'])
        .where('role_grants.org_id', '=', orgId)
        .where('role_grants.subject_id', 'in', subjectIds)
        .orderBy('roles.name_key')
        .execute(),
    insertGrants: async (
      db: Executor,
      rows: { org_id: string; subject_type: string; subject_id: string; role_id: string; division_id: string }[],
    ): Promise<void> => {
      if (rows.length === 0) return;
      await db
        .insertInto('role_grants')
        .values(rows)
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    /** Number of distinct subjects (users and clients) holding each role. */
    roleSubjectCounts: async (db: Executor, orgId: string, roleIds: string[]) => {
      if (roleIds.length === 0) return new Map<string, number>();
      const rows = await db
        .selectFrom('role_grants')
        .select(['role_id', (eb) => eb.fn.count<number>('subject_id').distinct().as('n')])
        .where('org_id', '=', orgId)
        .where('role_id', 'in', roleIds)
        .groupBy('role_id')
        .execute();
      return new Map(rows.map((r) => [r.role_id, Number(r.n)]));
    },
    /** Every grant of one role. */
    grantsOfRole: (db: Executor, orgId: string, roleId: string) =>
      db
        .selectFrom('role_grants')
        .select(['subject_id', 'subject_type', 'division_id'])
        .where('org_id', '=', orgId)
        .where('role_id', '=', roleId)
        .orderBy('subject_id')
        .orderBy('division_id')
        .execute(),
    /** The divisions a role is granted in, to anyone. */
    divisionsOfRole: async (db: Executor, orgId: string, roleId: string) =>
      (
        await db
          .selectFrom('role_grants')
          .select('division_id')
          .distinct()
          .where('org_id', '=', orgId)
          .where('role_id', '=', roleId)
          .orderBy('division_id')
          .execute()
      ).map((r) => r.division_id),
    /** The users holding a role, in any division. */
    usersHoldingRole: async (db: Executor, orgId: string, roleId: string) =>
      (
        await db
          .selectFrom('role_grants')
          .select('subject_id')
          .distinct()
          .where('org_id', '=', orgId)
          .where('role_id', '=', roleId)
          .where('subject_type', '=', 'user')
          .orderBy('subject_id')
          .execute()
      ).map((r) => r.subject_id),
    deleteGrantsOfRole: (db: Executor, orgId: string, roleId: string) =>
      db.deleteFrom('role_grants').where('org_id', '=', orgId).where('role_id', '=', roleId).execute(),
    deleteGrantsOf: (db: Executor, orgId: string, subjectId: string) =>
      db.deleteFrom('role_grants').where('org_id', '=', orgId).where('subject_id', '=', subjectId).execute(),

    /** Optimistic update: answers false when the version moved since the row was read. */
    updateUserIfVersion: async (
      db: Executor,
      orgId: string,
      id: string,
      expectedVersion: number,
      patch: Partial<UserRow>,
    ) =>
      Number(
        (
          await db
            .updateTable('users')
            .set(patch)
            .where('org_id', '=', orgId)
            .where('id', '=', id)
            .where('version', '=', expectedVersion)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,
    /** Users of any state among these ids (data-subject requests). */
    findUsersByIds: (db: Executor, orgId: string, ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([] as UserRow[])
        : db
            .selectFrom('users')
            .selectAll()
            .where('org_id', '=', orgId)
            .where('id', 'in', ids)
            .orderBy('name')
            .orderBy('id')
            .execute(),
    /**
     * Users of any state holding one of these lower-cased emails: a deleted user's key is the
     * address followed by `#deleted:<id>` (compared by prefix, so no LIKE escaping and no
     * collation order is involved).
     */
    findUsersByEmailKeys: (db: Executor, orgId: string, keys: string[], limit: number) =>
      keys.length === 0
        ? Promise.resolve([] as UserRow[])
        : db
            .selectFrom('users')
            .selectAll()
            .where('org_id', '=', orgId)
            .where((eb) =>
              eb.or(
                keys.flatMap((k) => {
                  const prefix = `${k}#deleted:`;
                  return [
                    eb('email_key', '=', k),
                    eb(sql<string>`substr(email_key, 1, ${sql.lit([...prefix].length)})`, '=', prefix),
                  ];
                }),
              ),
            )
            .orderBy('id')
            .limit(limit)
            .execute(),
    /** Users of any state whose name is this one, case-insensitively (folded by the database). */
    findUsersByName: (db: Executor, orgId: string, name: string, limit: number) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('org_id', '=', orgId)
        .where((eb) => eb(eb.fn('lower', ['name']), '=', eb.fn('lower', [eb.val(name)])))
        .orderBy('id')
        .limit(limit)
        .execute(),
  };
}

function usersQuery(db: Executor, orgId: string, f: UserFilter) {
  let q = db.selectFrom('users').where('org_id', '=', orgId);
  if (f.state !== 'any') q = q.where('state', '=', f.state);
  if (f.ids?.length) q = q.where('id', 'in', f.ids);
  if (f.reach) q = whereInReach(q, 'division_id', f.reach);
  return q;
}

export type DirectoryStore = ReturnType<typeof createDirectoryStore>;

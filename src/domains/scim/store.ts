/**
 * Kysely queries for SCIM: the directory's users rows as SCIM reads them (the directory writes
 * them), the SCIM side tables, groups and row-level group membership. Every query takes the
 * organization id.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { type Executor, textList } from '../../storage/db.ts';
import type { Database, GroupRow, ScimUserRow, ScimUserValueRow, UserRow } from '../../storage/schema.ts';

type Where = (eb: ExpressionBuilder<any, any>) => Expression<SqlBool>;

/**
 * Whether a client-sent id can be an id at all (ids are varchar(36); PostgreSQL refuses NUL in
 * text): anything else is answered as "no such row" without asking the database.
 */
const possibleId = (id: string) => id.length <= 36 && !id.includes('\u0000');

export function createScimStore() {
  return {
    findUser: (db: Executor, orgId: string, id: string) =>
      !possibleId(id)
        ? Promise.resolve(undefined)
        : db
            .selectFrom('users')
            .selectAll()
            .where('org_id', '=', orgId)
            .where('id', '=', id)
            .where('state', '<>', 'deleted')
            .executeTakeFirst(),
    /** Another user (any state but deleted) holding this lower-cased email. */
    emailHolder: (db: Executor, orgId: string, emailKey: string) =>
      db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where('email_key', '=', emailKey)
        .executeTakeFirst(),
    externalIdHolders: (db: Executor, orgId: string, pairs: { authority: string; value: string }[]) =>
      pairs.length === 0
        ? Promise.resolve([] as { user_id: string; authority: string; value: string }[])
        : db
            .selectFrom('scim_user_external_ids')
            .select(['user_id', 'authority', 'value'])
            .where('org_id', '=', orgId)
            .where((eb) =>
              eb.or(pairs.map((p) => eb.and([eb('authority', '=', p.authority), eb('value', '=', p.value)]))),
            )
            .execute(),

    findUsers: (db: Executor, orgId: string, ids: string[]) =>
      ids.length
        ? db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute()
        : Promise.resolve([] as UserRow[]),

    homeDivision: (db: Executor, orgId: string) =>
      db
        .selectFrom('divisions')
        .select(['id', 'name'])
        .where('org_id', '=', orgId)
        .where('home', '=', 1)
        .executeTakeFirstOrThrow(),
    divisionByName: (db: Executor, orgId: string, name: string) =>
      db
        .selectFrom('divisions')
        .select(['id', 'name'])
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .executeTakeFirst(),
    upsertScimUser: (db: Executor, row: ScimUserRow) =>
      db
        .insertInto('scim_users')
        .values(row)
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({
            external_id: row.external_id,
            given_name: row.given_name,
            family_name: row.family_name,
            employee_number: row.employee_number,
            manager_id: row.manager_id,
            attributes: row.attributes,
            managed: row.managed,
            modified_at: row.modified_at,
          }),
        )
        .execute(),
    /** `fresh`: a new user holds none yet (nothing to delete). */
    replaceValues: async (
      db: Executor,
      table: 'scim_user_emails' | 'scim_user_phones',
      userId: string,
      rows: ScimUserValueRow[],
      fresh = false,
    ) => {
      if (!fresh) await db.deleteFrom(table).where('user_id', '=', userId).execute();
      if (rows.length) await db.insertInto(table).values(rows).execute();
    },
    replaceExternalIds: async (
      db: Executor,
      orgId: string,
      userId: string,
      rows: { authority: string; value: string }[],
      fresh = false,
    ) => {
      if (!fresh) await db.deleteFrom('scim_user_external_ids').where('user_id', '=', userId).execute();
      if (rows.length)
        await db
          .insertInto('scim_user_external_ids')
          .values(rows.map((r) => ({ ...r, user_id: userId, org_id: orgId })))
          .execute();
    },
    /** Removes what a deleted user held: index rows and group memberships. */
    clearUser: async (db: Executor, orgId: string, userId: string) => {
      for (const t of ['scim_user_emails', 'scim_user_phones', 'scim_user_external_ids'] as const) {
        await db.deleteFrom(t).where('user_id', '=', userId).execute();
      }
      return db
        .deleteFrom('group_members')
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .returning('group_id')
        .execute();
    },

    /**
     * A deleted manager's reports lose it: answers their ids (the directory bumps their versions
     * first, in the order every user update takes the rows, so this cannot deadlock).
     */
    reportsOf: async (db: Executor, orgId: string, managerId: string) =>
      (
        await db
          .selectFrom('scim_users')
          .select('user_id')
          .where('org_id', '=', orgId)
          .where('manager_id', '=', managerId)
          .execute()
      ).map((r) => r.user_id),
    clearManager: (db: Executor, orgId: string, managerId: string, modifiedAt: string) =>
      db
        .updateTable('scim_users')
        .set({ manager_id: null, modified_at: modifiedAt })
        .where('org_id', '=', orgId)
        .where('manager_id', '=', managerId)
        .execute(),
    /** Of these users, those an identity provider manages (the users listing's `expand=scim`). */
    managedAmong: async (db: Executor, orgId: string, userIds: string[]) =>
      (
        await db
          .selectFrom('scim_users')
          .select('user_id')
          .where('org_id', '=', orgId)
          .where('managed', '=', 1)
          .where('user_id', 'in', userIds)
          .execute()
      ).map((r) => r.user_id),

    // Data-subject requests: who holds a value, and everything held about some users.
    /** Users with one of these values among their SCIM emails (case-insensitive) or phone numbers (exact, E.164). */
    usersByValues: async (
      db: Executor,
      orgId: string,
      table: 'scim_user_emails' | 'scim_user_phones',
      values: string[],
      limit: number,
    ) =>
      values.length === 0
        ? []
        : (
            await db
              .selectFrom(table)
              .select('user_id')
              .distinct()
              .where('org_id', '=', orgId)
              .where((eb) =>
                table === 'scim_user_emails'
                  ? eb.or(values.map((v) => eb(eb.fn('lower', ['value']), '=', eb.fn('lower', [eb.val(v)]))))
                  : eb('value', 'in', values),
              )
              .orderBy('user_id')
              .limit(limit)
              .execute()
          ).map((r) => r.user_id),
    /** Users holding one of these external ids (the SCIM externalId or a Genesys externalIds value, any authority). */
    usersByExternalIds: async (db: Executor, orgId: string, values: string[], limit: number) => {
      if (values.length === 0) return [];
      const [indexed, columns] = await Promise.all([
        db
          .selectFrom('scim_user_external_ids')
          .select('user_id')
          .distinct()
          .where('org_id', '=', orgId)
          .where('value', 'in', values)
          .orderBy('user_id')
          .limit(limit)
          .execute(),
        db
          .selectFrom('scim_users')
          .select('user_id')
          .where('org_id', '=', orgId)
          .where('external_id', 'in', values)
          .orderBy('user_id')
          .limit(limit)
          .execute(),
      ]);
      return [...new Set([...indexed, ...columns].map((r) => r.user_id))];
    },
    /** Users whose SCIM given and family names, joined by a space, are this name (case-insensitive). */
    usersByFullName: async (db: Executor, orgId: string, name: string, limit: number) =>
      (
        await db
          .selectFrom('scim_users')
          .select('user_id')
          .where('org_id', '=', orgId)
          .where((eb) =>
            eb(
              sql`lower(trim(coalesce(given_name, '') || ' ' || coalesce(family_name, '')))`,
              '=',
              eb.fn('lower', [eb.val(name)]),
            ),
          )
          .orderBy('user_id')
          .limit(limit)
          .execute()
      ).map((r) => r.user_id),
    /** SCIM rows whose attributes hold addresses (the caller reads them). */
    scimUsersWithAddresses: (db: Executor, orgId: string) =>
      db
        .selectFrom('scim_users')
        .select(['user_id', 'attributes'])
        .where('org_id', '=', orgId)
        .where('attributes', 'like', '%"addresses"%')
        .orderBy('user_id')
        .execute(),
    scimUsersOf: (db: Executor, orgId: string, userIds: string[]) =>
      userIds.length
        ? db.selectFrom('scim_users').selectAll().where('org_id', '=', orgId).where('user_id', 'in', userIds).execute()
        : Promise.resolve([] as ScimUserRow[]),
    valuesOf: (db: Executor, orgId: string, table: 'scim_user_emails' | 'scim_user_phones', userIds: string[]) =>
      userIds.length
        ? db
            .selectFrom(table)
            .selectAll()
            .where('org_id', '=', orgId)
            .where('user_id', 'in', userIds)
            .orderBy('user_id')
            .orderBy('position')
            .execute()
        : Promise.resolve([] as ScimUserValueRow[]),
    externalIdsOf: (db: Executor, orgId: string, userIds: string[]) =>
      userIds.length
        ? db
            .selectFrom('scim_user_external_ids')
            .select(['user_id', 'authority', 'value'])
            .where('org_id', '=', orgId)
            .where('user_id', 'in', userIds)
            .orderBy('user_id')
            .orderBy('authority')
            .orderBy('value')
            .execute()
        : Promise.resolve([] as { user_id: string; authority: string; value: string }[]),
    updateScimUser: (
      db: Executor,
      orgId: string,
      userId: string,
      patch: Partial<Omit<ScimUserRow, 'user_id' | 'org_id'>>,
    ) => db.updateTable('scim_users').set(patch).where('org_id', '=', orgId).where('user_id', '=', userId).execute(),

    groupsOfUsers: (db: Executor, orgId: string, userIds: string[]) =>
      userIds.length
        ? db
            .selectFrom('group_members')
            .innerJoin('groups', 'groups.id', 'group_members.group_id')
            .select(['group_members.user_id', 'groups.id', 'groups.name'])
            .where('group_members.org_id', '=', orgId)
            .where('group_members.user_id', 'in', userIds)
            .orderBy('groups.name_key')
            .execute()
        : Promise.resolve([] as { user_id: string; id: string; name: string }[]),

    insertGroup: (db: Executor, row: GroupRow) => db.insertInto('groups').values(row).execute(),
    findGroup: (db: Executor, orgId: string, id: string) =>
      !possibleId(id)
        ? Promise.resolve(undefined)
        : db.selectFrom('groups').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    listGroups: (db: Executor, orgId: string, where: Where, offset: number, limit: number) =>
      db
        .selectFrom('groups')
        .selectAll()
        .where('org_id', '=', orgId)
        .where((eb) => where(eb))
        .orderBy('name_key')
        .orderBy('id')
        .offset(offset)
        .limit(limit)
        .execute(),
    countGroups: async (db: Executor, orgId: string, where: Where) =>
      Number(
        (
          await db
            .selectFrom('groups')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .where((eb) => where(eb))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /**
     * The first statement of a membership change: bumps the version in one UPDATE, which takes the
     * group's row lock before any member row is touched (so concurrent PATCHes of one group queue
     * here instead of deadlocking on member index entries), and is the If-Match check (`versions`:
     * the versions the client accepts, or '*' for any). Answers the updated row, or undefined when
     * the group does not exist or its version is not one of `versions`.
     */
    lockGroup: (db: Executor, orgId: string, id: string, modifiedAt: string, versions: number[] | '*') =>
      (versions !== '*' && versions.length === 0) || !possibleId(id)
        ? Promise.resolve(undefined)
        : db
            .updateTable('groups')
            .set((eb) => ({ version: eb('version', '+', 1), modified_at: modifiedAt }))
            .where('org_id', '=', orgId)
            .where('id', '=', id)
            .$if(versions !== '*', (qb) => qb.where('version', 'in', versions as number[]))
            .returningAll()
            .executeTakeFirst(),
    setGroupExternalId: (db: Executor, orgId: string, id: string, externalId: string | null) =>
      db
        .updateTable('groups')
        .set({ external_id: externalId })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute(),
    members: (db: Executor, orgId: string, groupId: string) =>
      db
        .selectFrom('group_members')
        .innerJoin('users', 'users.id', 'group_members.user_id')
        .select(['users.id', 'users.name'])
        .where('group_members.org_id', '=', orgId)
        .where('group_members.group_id', '=', groupId)
        .orderBy('users.id')
        .execute(),
    countMembers: async (db: Executor, orgId: string, groupId: string) =>
      Number(
        (
          await db
            .selectFrom('group_members')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .where('group_id', '=', groupId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /**
     * Those among `ids` that are users of the organization (not deleted), with their names: one
     * statement however many, the ids one parameter (textList).
     */
    existingUsers: async (db: Executor, orgId: string, ids: string[]) => {
      const wanted = ids.filter(possibleId);
      if (!wanted.length) return [];
      const { rows } = await sql<{ id: string; name: string }>`select users.id, users.name from users
        where users.org_id = ${orgId} and users.state <> 'deleted'
        and users.id in (select list.value from ${textList(db, wanted)})`.execute(db);
      return rows;
    },
    /** Row-level inserts in one statement; answers the ids actually added (already-members are skipped). */
    addMembers: async (db: Executor, orgId: string, groupId: string, userIds: string[], at: string) => {
      if (!userIds.length) return [];
      // Sorted: every writer takes the member rows' index entries in the same order. `where true`:
      // SQLite reads an upsert after `insert … select … from` only with a WHERE clause.
      const { rows } = await sql<{ user_id: string }>`insert into group_members (group_id, user_id, org_id, created_at)
        select ${groupId}, list.value, ${orgId}, ${at} from ${textList(db, [...userIds].sort())} where true
        on conflict (group_id, user_id) do nothing returning user_id`.execute(db);
      return rows.map((r) => r.user_id);
    },
    /** Row-level deletes (all members when `userIds` is null), in one statement; answers the ids removed. */
    removeMembers: async (db: Executor, orgId: string, groupId: string, userIds: string[] | null) => {
      const base = () => db.deleteFrom('group_members').where('org_id', '=', orgId).where('group_id', '=', groupId);
      if (userIds === null) return (await base().returning('user_id').execute()).map((r) => r.user_id);
      const wanted = userIds.filter(possibleId);
      if (!wanted.length) return [];
      const { rows } = await sql<{ user_id: string }>`delete from group_members
        where org_id = ${orgId} and group_id = ${groupId}
        and user_id in (select list.value from ${textList(db, wanted.sort())}) returning user_id`.execute(db);
      return rows.map((r) => r.user_id);
    },
  };
}

export type ScimStore = ReturnType<typeof createScimStore>;
export type { Database };

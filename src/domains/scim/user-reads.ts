/**
 * How SCIM reads users, in as few statements as a resource needs (docs/benchmarks.md, issue #19):
 * one SELECT answers the users rows of a page (or one id) with their scim_users row, division
 * name and groups joined. It is written as SQL templates rather than built with the
 * query builder, whose per-request cost was most of a `userName eq` lookup (decision 0019).
 */
import { type Expression, expressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import { compiledRead } from '../../storage/compiled.ts';
import type { Executor } from '../../storage/db.ts';
import type { Database, ScimUserRow, UserRow } from '../../storage/schema.ts';
import type { StoredUser } from './resource.ts';

/** The expression builder filters compile with (`users` joined with `scim_users`). */
export const usersEb = expressionBuilder<Database, 'users' | 'scim_users'>();
export type UserCondition = Expression<SqlBool> | RawBuilder<SqlBool>;

const WITH_SCIM = 'users left join scim_users on scim_users.user_id = users.id';
const FROM = sql.raw(`${WITH_SCIM} left join divisions on divisions.id = users.division_id`);
const COLUMNS = sql.raw(
  [
    'users.*',
    'scim_users.user_id as s_user_id',
    'scim_users.external_id as s_external_id',
    'scim_users.given_name as s_given_name',
    'scim_users.family_name as s_family_name',
    'scim_users.employee_number as s_employee_number',
    'scim_users.manager_id as s_manager_id',
    'scim_users.attributes as s_attributes',
    'scim_users.managed as s_managed',
    'scim_users.created_at as s_created_at',
    'scim_users.modified_at as s_modified_at',
    'divisions.name as division_name',
  ].join(', '),
);

type Row = UserRow & {
  s_user_id: string | null;
  s_external_id: string | null;
  s_given_name: string | null;
  s_family_name: string | null;
  s_employee_number: string | null;
  s_manager_id: string | null;
  s_attributes: string | null;
  s_managed: ScimUserRow['managed'] | null;
  s_created_at: string | null;
  s_modified_at: string | null;
  division_name: string | null;
};

type PageRow = Row & { g_id: string | null; g_name: string | null };

/** A row of the page as stored (fields picked one by one: a rest copy per row cost more than the SQL). */
function toStored(row: Row): StoredUser {
  const user: UserRow = {
    id: row.id,
    org_id: row.org_id,
    email: row.email,
    email_key: row.email_key,
    name: row.name,
    title: row.title,
    department: row.department,
    division_id: row.division_id,
    state: row.state,
    password_hash: row.password_hash,
    service_account: row.service_account,
    version: row.version,
    created_at: row.created_at,
    modified_at: row.modified_at,
  };
  const scim: ScimUserRow | undefined =
    row.s_user_id === null
      ? undefined
      : {
          user_id: row.s_user_id,
          org_id: row.org_id,
          external_id: row.s_external_id,
          given_name: row.s_given_name,
          family_name: row.s_family_name,
          employee_number: row.s_employee_number,
          manager_id: row.s_manager_id,
          attributes: row.s_attributes ?? '{}',
          managed: row.s_managed ?? 0,
          created_at: row.s_created_at ?? row.created_at,
          modified_at: row.s_modified_at ?? row.modified_at,
        };
  return { user, scim, divisionName: row.division_name ?? '', groups: [] };
}

/**
 * Users (not deleted) meeting `where`, in creation order, as stored, in one statement: the page
 * (users joined with scim_users and divisions) joined with the groups of its users, one row per
 * user and group. The LIMIT is written into the SQL (one statement per page size, at most 100):
 * bound as a parameter it made SQLite (with STAT4 statistics) plan the statement again on every
 * lookup, which cost five times the lookup itself.
 */
export async function pageOfUsers(
  db: Executor,
  orgId: string,
  where: UserCondition,
  offset: number,
  limit: number,
): Promise<StoredUser[]> {
  const { rows } = await pageStatement(orgId, where, offset, limit).execute(db);
  return fromPageRows(rows);
}

function pageStatement(orgId: string, where: UserCondition, offset: number, limit: number) {
  return sql<PageRow>`select p.*, g.id as g_id, g.name as g_name from (
      select ${COLUMNS} from ${FROM} where users.org_id = ${orgId} and users.state <> 'deleted' and ${where}
      order by users.created_at, users.id limit ${sql.lit(Math.trunc(limit))} offset ${offset}
    ) p
    left join group_members gm on gm.org_id = p.org_id and gm.user_id = p.id
    left join groups g on g.id = gm.group_id
    order by p.created_at, p.id, g.name_key`;
}

function fromPageRows(rows: PageRow[]): StoredUser[] {
  const out: StoredUser[] = [];
  let last: StoredUser | undefined;
  for (const row of rows) {
    if (last?.user.id !== row.id) {
      last = toStored(row);
      out.push(last);
    }
    if (row.g_id !== null) last.groups.push({ id: row.g_id, name: row.g_name ?? '' });
  }
  return out;
}

/**
 * The active user whose userName (email, lower-cased in email_key) is `emailKey`, with its groups:
 * what `userName eq` lists. The (org_id, email_key) index is unique, so it is at most one user.
 * Compiled once (issue #19): an identity provider looks users up this way before every push.
 */
const activeByEmailKey = compiledRead((db, p: { orgId: string; emailKey: string }) => ({
  compile: () =>
    pageStatement(p.orgId, sql<SqlBool>`(users.email_key = ${p.emailKey} and users.state = 'active')`, 0, 1).compile(
      db,
    ),
}));

export async function activeUserByEmailKey(db: Executor, orgId: string, emailKey: string): Promise<StoredUser[]> {
  return fromPageRows((await activeByEmailKey.all(db, { orgId, emailKey })) as PageRow[]);
}

/** One user (not deleted) as stored, or undefined. */
export async function storedUser(db: Executor, orgId: string, id: string): Promise<StoredUser | undefined> {
  // Ids are varchar(36) and PostgreSQL refuses NUL in text: anything else is no user.
  if (id.length > 36 || id.includes('\u0000')) return undefined;
  return (await pageOfUsers(db, orgId, sql<SqlBool>`users.id = ${id}`, 0, 1))[0];
}

/** How many users (not deleted) meet `where`. */
export async function countUsers(db: Executor, orgId: string, where: UserCondition): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.raw(WITH_SCIM)}
    where users.org_id = ${orgId} and users.state <> 'deleted' and ${where}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

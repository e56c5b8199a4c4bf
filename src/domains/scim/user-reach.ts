/**
 * SCIM's users keep to the caller's divisions, as the directory's own user routes do
 * (docs/authorization.md): a permission granted in a division reaches only the users of that
 * division. Reads see the users of every division where the caller holds one of the SCIM user
 * permissions; PUT, PATCH and DELETE find a user only where the caller holds the route's
 * permission (elsewhere 404, as an unknown user); a user is created in, or moved to, only such a
 * division (403 naming it).
 */
import { sql, type SqlBool } from 'kysely';
import { type DivisionReach, divisionReach, divisionReachAny, inReach } from '../../platform/division-access.ts';
import type { Principal } from '../../platform/principal.ts';
import { ScimError, scimNotFound } from './errors.ts';
import { CREATE_USER_PERMISSIONS, EDIT_USER_PERMISSIONS } from './field-permissions.ts';
import type { UserCondition } from './user-reads.ts';

const DELETE_USER = 'directory:user:delete';
const READ_USER_PERMISSIONS = [
  ...new Set(['directory:user:view', DELETE_USER, ...CREATE_USER_PERMISSIONS, ...EDIT_USER_PERMISSIONS]),
];

export const readReach = (principal: Principal) => divisionReachAny(principal, READ_USER_PERMISSIONS);
export const createReach = (principal: Principal) => divisionReachAny(principal, CREATE_USER_PERMISSIONS);
export const editReach = (principal: Principal) => divisionReachAny(principal, EDIT_USER_PERMISSIONS);
export const deleteReach = (principal: Principal) => divisionReach(principal, DELETE_USER);

/** `where`, narrowed to the users of the divisions within reach. */
export function withinReach(where: UserCondition, reach: DivisionReach): UserCondition {
  if (reach.everywhere) return where;
  const ids = reach.divisionIds.length ? reach.divisionIds : ['-'];
  const inIds = sql<SqlBool>`users.division_id in (${sql.join(ids.map((id) => sql`${id}`))})`;
  return reach.home
    ? sql<SqlBool>`(${where} and (${inIds} or users.division_id is null))`
    : sql<SqlBool>`(${where} and ${inIds})`;
}

/** 404, as for an unknown user, unless the user's division is within reach. */
export function assertUserInReach(reach: DivisionReach, divisionId: string | null, id: string): void {
  if (!inReach(reach, divisionId)) throw scimNotFound('User', id);
}

/** 403 unless a user may be placed in this division. */
export function assertPlaceable(reach: DivisionReach, division: { id: string; name?: string }): void {
  if (!inReach(reach, division.id))
    throw new ScimError(403, `You cannot place users in the division "${division.name ?? division.id}".`);
}

/**
 * Division-scoped access, once for every domain: a permission granted in a division reaches
 * only the objects of that division. Lists filter to the reachable divisions; a read, change or
 * delete of an object outside them answers 404, as upstream does for objects the caller cannot see.
 *
 * Any table with a `division_id` column uses it in three calls (docs/authorization.md):
 *   const reach = divisionReach(principal, 'routing:queue:view');
 *   query = whereInReach(query, 'division_id', reach);           // lists and counts (in the store)
 *   assertInReach(principal, 'routing:queue:edit', row?.division_id, 'queue', id);  // one object
 *
 * A null division_id reads as the home division. A principal without a division map (the system
 * principals of jobs) reaches everything; the pipeline has already checked the permission itself.
 */
import type { DivisionReach } from '../storage/division-filter.ts';
import { notFound } from './errors/index.ts';
import { hasPermission } from './permissions.ts';
import type { Principal } from './principal.ts';

export { type DivisionReach, whereInReach } from '../storage/division-filter.ts';

/**
 * The division id of a grant in "all divisions" (upstream's `*`): it reaches every division of
 * the organization, including those created after the grant (docs/decisions/0017-all-divisions-grants.md).
 */
export const ALL_DIVISIONS = '*';

/** The divisions in which the principal holds `permission` (a grant in `*` reaches every division). */
export function divisionReach(principal: Principal, permission: string): DivisionReach {
  const map = principal.divisionPermissions;
  if (!map) return { everywhere: true, divisionIds: [], home: true };
  if (hasPermission(map.get(ALL_DIVISIONS) ?? [], permission)) return { everywhere: true, divisionIds: [], home: true };
  const divisionIds = [...map].filter(([, perms]) => hasPermission(perms, permission)).map(([d]) => d);
  return {
    everywhere: false,
    divisionIds,
    home: !!principal.homeDivisionId && divisionIds.includes(principal.homeDivisionId),
  };
}

/** The divisions in which the principal holds one of `permissions` (a route's ANY requirement). */
export function divisionReachAny(principal: Principal, permissions: readonly string[]): DivisionReach {
  const each = permissions.map((p) => divisionReach(principal, p));
  if (each.some((r) => r.everywhere)) return { everywhere: true, divisionIds: [], home: true };
  return {
    everywhere: false,
    divisionIds: [...new Set(each.flatMap((r) => r.divisionIds))],
    home: each.some((r) => r.home),
  };
}

/** Whether an object of this division (null: home) is within reach. */
export function inReach(reach: DivisionReach, divisionId: string | null | undefined): boolean {
  if (reach.everywhere) return true;
  if (divisionId === null || divisionId === undefined) return reach.home;
  return reach.divisionIds.includes(divisionId);
}

/** Whether the principal holds `permission` in the object's division. */
export const reaches = (principal: Principal, permission: string, divisionId: string | null | undefined) =>
  inReach(divisionReach(principal, permission), divisionId);

/** Whether the principal holds one of `permissions` in the object's division (a route's ANY requirement). */
export const reachesAny = (
  principal: Principal,
  permissions: readonly string[],
  divisionId: string | null | undefined,
) => permissions.some((p) => reaches(principal, p, divisionId));

/**
 * Throws the upstream 404 unless the object exists and its division is within the permission's
 * reach: an object in another division is as invisible as one that does not exist.
 */
export function assertInReach(
  principal: Principal,
  permission: string,
  divisionId: string | null | undefined,
  entity: string,
  id: string,
  exists = true,
): void {
  if (!exists || !reaches(principal, permission, divisionId)) throw notFound(entity, id);
}

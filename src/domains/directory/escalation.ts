/**
 * No privilege escalation: nobody gives a subject (user, OAuth client) or a role a permission
 * they do not hold themselves in that division. Every grant path calls this module: role grants
 * to users and clients (client creation and edits, user roles, subjects grants) and role
 * permission edits. Master Admin (`*:*:*`) is only given by someone holding `*:*:*` there, since
 * a wildcard is only covered by an equal or wider wildcard (platform/permissions.ts). A grant in
 * "all divisions" (`*`) is only given by someone holding every one of its permissions in `*`:
 * holding them in each division that exists today is not enough, as `*` also reaches those to come.
 *
 * A refusal is a 403 ErrorBody naming what is missing, and it is audited. The grant usually runs
 * inside a transaction that the refusal rolls back, so the refusal is thrown as GrantRefused and
 * recorded by `auditRefusals` after that transaction ended (docs/decisions/0006-authorization-divisions.md).
 */
import { type AuditEvent, auditOrigin, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { ApiError } from '../../platform/errors/index.ts';
import { ALL_DIVISIONS } from '../../platform/division-access.ts';
import { hasPermission } from '../../platform/permissions.ts';
import type { Caller, Principal } from '../../platform/principal.ts';
import { type Db, withTransaction } from '../../storage/db.ts';

registerAuditEntity('Authorization', 'Grant', ['Refuse']);

/** A permission set asked for in one division: a role granted there, or permissions added to a role granted there. */
export interface RequestedGrant {
  divisionId: string;
  permissions: readonly string[];
  /** What is given, for the message and the audit event (a role name). */
  label: string;
}

/**
 * The permissions a principal holds in one division (its grants there and in `*`), or in `*`
 * itself (only its `*` grants). A system principal (no division map) holds its list everywhere.
 */
export function heldIn(principal: Principal, divisionId: string): readonly string[] {
  const map = principal.divisionPermissions;
  if (!map) return principal.permissions;
  const everywhere = map.get(ALL_DIVISIONS) ?? [];
  return divisionId === ALL_DIVISIONS ? everywhere : [...(map.get(divisionId) ?? []), ...everywhere];
}

/** Every division in which the principal holds something. */
export function divisionsOf(principal: Principal): string[] {
  return principal.divisionPermissions ? [...principal.divisionPermissions.keys()] : [];
}

/** The `permission` strings (sorted, unique) the principal lacks to give these grants. */
export function missingForGrants(principal: Principal, grants: readonly RequestedGrant[]): string[] {
  const missing = new Set<string>();
  for (const g of grants) {
    const held = heldIn(principal, g.divisionId);
    for (const p of g.permissions) if (!hasPermission(held, p)) missing.add(p);
  }
  return [...missing].sort();
}

/** The permissions of `wanted` the principal holds in no division at all (a new role, granted nowhere yet). */
export function missingAnywhere(principal: Principal, wanted: readonly string[]): string[] {
  const everyDivision = principal.divisionPermissions
    ? [...principal.divisionPermissions.values()]
    : [principal.permissions];
  return [...new Set(wanted.filter((p) => !everyDivision.some((held) => hasPermission(held, p))))].sort();
}

export class GrantRefused extends ApiError {
  constructor(
    missing: string[],
    readonly event: AuditEvent,
  ) {
    super(
      403,
      'missing.permissions',
      'Unable to perform the requested action: nobody can give a permission they do not hold themselves in that ' +
        `division. You are missing the following permission(s): ${missing.join(', ')}`,
      {
        messageParams: { permissions: missing.join(', ') },
        details: missing.map((p) => ({ errorCode: 'missing.permissions', entityName: p })),
      },
    );
  }
}

export interface GrantTarget {
  /** user | client | role */
  type: string;
  id: string;
  name: string;
}

/**
 * Throws GrantRefused when the caller lacks some of what it gives. A null caller is the system
 * (seeding, the command line), which may give anything.
 */
export function assertMayGive(
  orgId: string,
  caller: Caller | null,
  target: GrantTarget,
  grants: readonly RequestedGrant[],
  anywhere: readonly string[] = [],
) {
  if (!caller) return;
  const missing = [
    ...new Set([...missingForGrants(caller.principal, grants), ...missingAnywhere(caller.principal, anywhere)]),
  ].sort();
  if (missing.length === 0) return;
  throw new GrantRefused(missing, {
    orgId,
    serviceName: 'Authorization',
    entityType: 'Grant',
    entityId: target.id,
    entityName: target.name,
    action: 'Refuse',
    ...auditOrigin(caller),
    context: {
      subjectType: target.type,
      missingPermissions: missing.join(','),
      requested: grants.map((g) => `${g.label}@${g.divisionId}`).join(','),
    },
  });
}

/**
 * Runs `fn`; a GrantRefused coming out of it is recorded in its own transaction (the one that
 * tried the grant has rolled back) and thrown on.
 */
export async function auditRefusals<T>(db: Db, clock: Clock, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GrantRefused) await withTransaction(db, (trx) => recordAudit(trx, clock, err.event));
    throw err;
  }
}

/** Roles, their permission policies and role grants (per division) to users and OAuth clients. */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import { ALL_DIVISIONS } from '../../platform/division-access.ts';
import { invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Executor, isUniqueViolation, withTransaction } from '../../storage/db.ts';
import type { RoleRow } from '../../storage/schema.ts';
import type { DirectoryDeps } from './deps.ts';
import { roleNameTaken, unknownPermission } from './errors.ts';
import { assertMayGive, auditRefusals, type RequestedGrant } from './escalation.ts';
import { isKnownPermission } from './permission-catalogue.ts';
import { parsePermissions, roleView } from './views.ts';

registerAuditEntity('Authorization', 'Role', ['Create', 'Update', 'Delete']);
registerAuditEntity('Authorization', 'UserRoles', ['Update']);

export interface RoleInput {
  name: string;
  description?: string;
  permissions?: string[];
  permissionPolicies?: { domain?: string; entityName?: string; actionSet?: string[] }[];
}

export interface RoleGrant {
  roleId: string;
  divisionId: string;
}

/** A role's permissions from either upstream form: the flat list or the policies. */
function permissionsOf(input: RoleInput): string[] {
  const fromPolicies = (input.permissionPolicies ?? []).flatMap((p) =>
    (p.actionSet ?? []).map((a) => `${p.domain ?? ''}:${p.entityName ?? ''}:${a}`),
  );
  const all = [...new Set([...(input.permissions ?? []), ...fromPolicies])].sort();
  for (const p of all) if (!isKnownPermission(p)) throw unknownPermission(p);
  return all;
}

const snapshot = (r: RoleRow) => ({ name: r.name, description: r.description, permissions: parsePermissions(r) });

export function createRoles({ db, store, clock }: DirectoryDeps) {
  async function view(orgId: string, r: RoleRow) {
    const counts = await store.roleUserCounts(db, orgId, [r.id]);
    return roleView(r, counts.get(r.id) ?? 0);
  }

  async function writeRole(
    trx: Executor,
    caller: Caller | null,
    orgId: string,
    action: 'Create' | 'Update',
    before: RoleRow | null,
    row: RoleRow,
  ) {
    try {
      if (before) await store.updateRole(trx, orgId, row.id, row);
      else await store.insertRole(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw roleNameTaken(row.name);
      throw err;
    }
    await recordAudit(trx, clock, {
      orgId,
      serviceName: 'Authorization',
      entityType: 'Role',
      entityId: row.id,
      entityName: row.name,
      action,
      ...auditOrigin(caller),
      changes: diffProperties(before && snapshot(before), snapshot(row)),
    });
  }

  async function requireRole(orgId: string, roleId: string, trx: Executor = db) {
    const r = isUuid(roleId) ? await store.findRole(trx, orgId, roleId) : undefined;
    if (!r) throw notFound('role', roleId);
    return r;
  }

  return {
    async list(orgId: string, page: PageRequest, name: string | undefined, query: Record<string, unknown>) {
      const [rows, total] = await Promise.all([
        store.listRoles(db, orgId, page.offset, page.pageSize, name),
        store.countRoles(db, orgId, name),
      ]);
      const counts = await store.roleUserCounts(
        db,
        orgId,
        rows.map((r) => r.id),
      );
      return listing(
        rows.map((r) => roleView(r, counts.get(r.id) ?? 0)),
        total,
        page,
        '/api/v2/authorization/roles',
        query,
      );
    },

    get: async (orgId: string, roleId: string) => view(orgId, await requireRole(orgId, roleId)),

    async create(orgId: string, caller: Caller | null, input: RoleInput, isDefault = false) {
      const name = input.name.trim();
      if (!name) throw invalidValue('name', 'name must not be empty.');
      const now = clock.now().toISOString();
      const row: RoleRow = {
        id: newId(),
        org_id: orgId,
        name,
        name_key: name.toLowerCase(),
        description: input.description ?? '',
        permissions: JSON.stringify(permissionsOf(input)),
        is_default: isDefault ? 1 : 0,
        created_at: now,
        modified_at: now,
      };
      // A new role is granted nowhere yet: its permissions must be held somewhere by whoever writes it.
      await auditRefusals(db, clock, () =>
        withTransaction(db, async (trx) => {
          assertMayGive(orgId, caller, { type: 'role', id: row.id, name }, [], permissionsOf(input));
          await writeRole(trx, caller, orgId, 'Create', null, row);
        }),
      );
      return roleView(row, 0);
    },

    /** PUT replaces name, description and permissions; PATCH keeps what the body leaves out. */
    async update(orgId: string, caller: Caller, roleId: string, input: Partial<RoleInput>, replace: boolean) {
      const row = await auditRefusals(db, clock, () =>
        withTransaction(db, async (trx) => {
          const before = await requireRole(orgId, roleId, trx);
          const name = (input.name ?? before.name).trim();
          if (!name) throw invalidValue('name', 'name must not be empty.');
          const givesPermissions = input.permissions !== undefined || input.permissionPolicies !== undefined;
          const permissions =
            givesPermissions || replace ? permissionsOf({ name, ...input }) : parsePermissions(before);
          const next: RoleRow = {
            ...before,
            name,
            name_key: name.toLowerCase(),
            description: input.description ?? (replace ? '' : before.description),
            permissions: JSON.stringify(permissions),
            modified_at: clock.now().toISOString(),
          };
          // What the edit adds reaches every subject holding the role, in each division it is granted in.
          const kept = new Set(parsePermissions(before));
          const added = permissions.filter((p) => !kept.has(p));
          if (added.length) {
            const divisions = await store.divisionsOfRole(trx, orgId, roleId);
            const grants = divisions.map((divisionId) => ({ divisionId, permissions: added, label: name }));
            assertMayGive(orgId, caller, { type: 'role', id: roleId, name }, grants, divisions.length ? [] : added);
          }
          await writeRole(trx, caller, orgId, 'Update', before, next);
          return next;
        }),
      );
      return view(orgId, row);
    },

    async remove(orgId: string, caller: Caller, roleId: string) {
      await withTransaction(db, async (trx) => {
        const before = await requireRole(orgId, roleId, trx);
        // Every user holding the role loses it: each loss is its own event, caused by the deletion.
        const holders = await store.usersHoldingRole(trx, orgId, roleId);
        const rolesBefore = new Map<string, string[]>();
        for (const userId of holders)
          rolesBefore.set(
            userId,
            (await store.grantsOf(trx, orgId, userId)).map((g) => g.role_name),
          );
        await store.deleteGrantsOfRole(trx, orgId, roleId);
        await store.deleteRole(trx, orgId, roleId);
        const cause = await recordAudit(trx, clock, {
          orgId,
          serviceName: 'Authorization',
          entityType: 'Role',
          entityId: roleId,
          entityName: before.name,
          action: 'Delete',
          ...auditOrigin(caller),
          changes: diffProperties(snapshot(before), null),
        });
        for (const userId of holders) {
          const user = await store.findUser(trx, orgId, userId);
          const after = (await store.grantsOf(trx, orgId, userId)).map((g) => g.role_name);
          await recordAudit(trx, clock, {
            orgId,
            serviceName: 'Authorization',
            entityType: 'UserRoles',
            entityId: userId,
            entityName: user?.name ?? userId,
            action: 'Update',
            ...auditOrigin(caller),
            changes: diffProperties({ roles: rolesBefore.get(userId) ?? [] }, { roles: after }),
            causeEventId: cause,
          });
        }
      });
    },

    /** Upstream UserAuthorization for a subject (user or client). */
    async authorizationOf(orgId: string, subjectId: string) {
      const grants = await store.grantsOf(db, orgId, subjectId);
      const roles = [...new Map(grants.map((g) => [g.role_id, { id: g.role_id, name: g.role_name }])).values()];
      const permissions = [...new Set(grants.flatMap((g) => JSON.parse(g.permissions) as string[]))].sort();
      return { roles, unusedRoles: [], permissions, permissionPolicies: [] };
    },

    /** Raw grants (role and division) of a subject. */
    grantRowsOf: (orgId: string, subjectId: string, trx: Executor = db) => store.grantsOf(trx, orgId, subjectId),

    /** Raw grants of several subjects (one read), by subject id; a subject without grants has none. */
    async grantRowsOfMany(orgId: string, subjectIds: readonly string[]) {
      const bySubject = new Map<string, { role_id: string; division_id: string }[]>();
      if (subjectIds.length === 0) return bySubject;
      for (const g of await store.grantsOfMany(db, orgId, subjectIds)) {
        const list = bySubject.get(g.subject_id);
        if (list) list.push(g);
        else bySubject.set(g.subject_id, [g]);
      }
      return bySubject;
    },

    /** A subject's permissions per division id (`*`: every division), from its (role, division) grants. */
    async divisionPermissionsOf(orgId: string, subjectId: string): Promise<Map<string, string[]>> {
      const out = new Map<string, Set<string>>();
      for (const g of await store.grantsOf(db, orgId, subjectId)) {
        const set = out.get(g.division_id) ?? new Set<string>();
        for (const p of JSON.parse(g.permissions) as string[]) set.add(p);
        out.set(g.division_id, set);
      }
      return new Map([...out].map(([d, set]) => [d, [...set].sort()]));
    },

    /** The union of permissions granted to a subject through its roles. */
    async permissionsOf(orgId: string, subjectId: string): Promise<string[]> {
      const grants = await store.grantsOf(db, orgId, subjectId);
      return [...new Set(grants.flatMap((g) => JSON.parse(g.permissions) as string[]))];
    },

    /** Refuses (GrantRefused) a caller that lacks some of the subject's grants, e.g. to give it a new secret. */
    async assertMayActAs(
      orgId: string,
      caller: Caller | null,
      subject: { type: string; id: string; name: string },
      trx: Executor = db,
    ) {
      const grants = (await store.grantsOf(trx, orgId, subject.id)).map((g) => ({
        divisionId: g.division_id,
        permissions: JSON.parse(g.permissions) as string[],
        label: g.role_name,
      }));
      assertMayGive(orgId, caller, subject, grants);
    },

    /** Runs a grant path; a refusal coming out of it is audited after its transaction rolled back. */
    auditRefusals: <T>(fn: () => Promise<T>) => auditRefusals(db, clock, fn),

    /**
     * Replaces a subject's role grants. Roles and divisions must belong to the organization (or be
     * `*`, every division), and
     * the caller must hold every permission of each added (role, division) there (escalation.ts).
     * Runs inside the caller's transaction when one is given (client creation grants roles): that
     * caller then wraps its transaction in `auditRefusals`.
     */
    async replaceGrants(
      orgId: string,
      caller: Caller | null,
      subject: { type: 'user' | 'client'; id: string; name: string },
      grants: RoleGrant[],
      trx?: Executor,
    ) {
      const run = async (t: Executor) => {
        const roleIds = [...new Set(grants.map((g) => g.roleId))];
        const found = await store.findRoles(t, orgId, roleIds);
        const missing = roleIds.filter((id) => !found.some((r) => r.id === id));
        if (missing.length) throw invalidValue('roleId', `No role "${missing[0]}" exists in this organization.`);
        for (const divisionId of new Set(grants.map((g) => g.divisionId))) {
          if (divisionId !== ALL_DIVISIONS && !(await store.findDivision(t, orgId, divisionId)))
            throw invalidValue('divisionId', `No division "${divisionId}" exists in this organization.`);
        }
        const before = await store.grantsOf(t, orgId, subject.id);
        const had = new Set(before.map((g) => `${g.role_id}/${g.division_id}`));
        const added: RequestedGrant[] = grants
          .filter((g) => !had.has(`${g.roleId}/${g.divisionId}`))
          .map((g) => {
            const role = found.find((r) => r.id === g.roleId)!;
            return { divisionId: g.divisionId, permissions: parsePermissions(role), label: role.name };
          });
        assertMayGive(orgId, caller, subject, added);
        await store.deleteGrantsOf(t, orgId, subject.id);
        await store.insertGrants(
          t,
          grants.map((g) => ({
            org_id: orgId,
            subject_type: subject.type,
            subject_id: subject.id,
            role_id: g.roleId,
            division_id: g.divisionId,
          })),
        );
        if (subject.type === 'user') {
          await recordAudit(t, clock, {
            orgId,
            serviceName: 'Authorization',
            entityType: 'UserRoles',
            entityId: subject.id,
            entityName: subject.name,
            action: 'Update',
            ...auditOrigin(caller),
            changes: diffProperties({ roles: before.map((g) => g.role_name) }, { roles: found.map((r) => r.name) }),
          });
        }
      };
      return trx ? run(trx) : auditRefusals(db, clock, () => withTransaction(db, run));
    },
  };
}

export type Roles = ReturnType<typeof createRoles>;

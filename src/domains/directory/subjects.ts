/**
 * Grants seen from their subjects (users and OAuth clients): /api/v2/authorization/subjects/*,
 * /roles/{roleId}/users and /roles/{roleId}/subjectgrants. Every change goes through
 * roles.replaceGrants, where the escalation check runs. OAuth clients are looked up through a
 * resolver the oauth domain registers (app.ts), so this file reads no oauth table.
 */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import { ALL_DIVISIONS, reaches } from '../../platform/division-access.ts';
import { invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid } from '../../platform/ids.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller, Principal } from '../../platform/principal.ts';
import { type Executor, withTransaction } from '../../storage/db.ts';
import type { DirectoryDeps } from './deps.ts';
import type { RoleGrant, Roles } from './roles.ts';
import { grantDivisionView, roleUri, userView } from './views.ts';

export interface Subject {
  type: 'user' | 'client';
  id: string;
  name: string;
  /** The division the subject itself lives in (null: home). */
  divisionId: string | null;
}

/** Finds an OAuth client subject of the organization (registered by the oauth domain). */
export type ClientSubjectResolver = (ex: Executor, orgId: string, id: string) => Promise<Subject | undefined>;

registerAuditEntity('Authorization', 'ClientRoles', ['Update']);

const UPSTREAM_TYPE = { user: 'PC_USER', client: 'PC_OAUTH_CLIENT' } as const;

export function createSubjects({ db, store, clock }: DirectoryDeps, roles: Roles) {
  let resolveClient: ClientSubjectResolver = async () => undefined;

  async function find(ex: Executor, orgId: string, id: string, subjectType?: string): Promise<Subject | undefined> {
    if (!isUuid(id)) return undefined;
    const wantClient = subjectType?.toUpperCase() === 'PC_OAUTH_CLIENT';
    if (!wantClient) {
      const u = await store.findUser(ex, orgId, id);
      if (u && u.state !== 'deleted') return { type: 'user', id: u.id, name: u.name, divisionId: u.division_id };
    }
    return resolveClient(ex, orgId, id);
  }

  /** The subject, or 404 when unknown or outside the caller's reach for `permission`. */
  async function requireSubject(principal: Principal, id: string, permission: string, subjectType?: string, ex = db) {
    const s = await find(ex, principal.orgId, id, subjectType);
    if (!s || !reaches(principal, permission, s.divisionId)) throw notFound('subject', id);
    return s;
  }

  /** Each grant division's view, `*` included; a division deleted since is left out. */
  async function divisionsOf(orgId: string, ids: string[]) {
    const divisions = new Map<string, NonNullable<ReturnType<typeof grantDivisionView>>>();
    for (const id of new Set(ids)) {
      const d = grantDivisionView(id, id === ALL_DIVISIONS ? undefined : await store.findDivision(db, orgId, id));
      if (d) divisions.set(id, d);
    }
    return divisions;
  }

  async function view(orgId: string, s: Subject) {
    const grants = await store.grantsOf(db, orgId, s.id);
    const divisions = await divisionsOf(
      orgId,
      grants.map((g) => g.division_id),
    );
    return {
      id: s.id,
      name: s.name,
      grants: grants
        .filter((g) => divisions.has(g.division_id))
        .map((g) => ({
          subjectId: s.id,
          division: divisions.get(g.division_id)!,
          role: { id: g.role_id, name: g.role_name, selfUri: roleUri(g.role_id) },
        })),
      version: 1,
      selfUri: `/api/v2/authorization/subjects/${s.id}`,
    };
  }

  const key = (g: RoleGrant) => `${g.roleId}/${g.divisionId}`;

  /** Reads the subject's grants, applies `change`, and writes them back (escalation-checked). */
  async function changeGrants(
    caller: Caller,
    id: string,
    permission: string,
    subjectType: string | undefined,
    change: (current: RoleGrant[]) => RoleGrant[],
  ) {
    const orgId = caller.principal.orgId;
    await roles.auditRefusals(() =>
      withTransaction(db, async (trx) => {
        const s = await requireSubject(caller.principal, id, permission, subjectType, trx);
        const current = (await store.grantsOf(trx, orgId, s.id)).map((g) => ({
          roleId: g.role_id,
          divisionId: g.division_id,
        }));
        const next = change(current);
        const unique = [...new Map(next.map((g) => [key(g), g])).values()];
        await roles.replaceGrants(orgId, caller, s, unique, trx);
        // A user's grants are audited by replaceGrants (UserRoles); a client's are audited here.
        const was = current.map(key).sort();
        const now = unique.map(key).sort();
        if (s.type === 'client' && was.join() !== now.join())
          await recordAudit(trx, clock, {
            orgId,
            serviceName: 'Authorization',
            entityType: 'ClientRoles',
            entityId: s.id,
            entityName: s.name,
            action: 'Update',
            ...auditOrigin(caller),
            changes: diffProperties({ roleDivisions: was }, { roleDivisions: now }),
          });
      }),
    );
  }

  const checkPairs = (grants: RoleGrant[]) => {
    for (const g of grants)
      if (!isUuid(g.roleId) || !(isUuid(g.divisionId) || g.divisionId === ALL_DIVISIONS))
        throw invalidValue(
          'grants',
          'Each grant needs a roleId and a divisionId of this organization, or "*" for every division.',
        );
    return grants;
  };

  return {
    registerClientResolver(r: ClientSubjectResolver) {
      resolveClient = r;
    },

    async me(principal: Principal) {
      const id = principal.clientCredentials || !principal.userId ? principal.clientId : principal.userId;
      const s = await find(db, principal.orgId, id, principal.clientCredentials ? 'PC_OAUTH_CLIENT' : undefined);
      if (!s) throw notFound('subject', id);
      return view(principal.orgId, s);
    },

    get: async (principal: Principal, id: string) =>
      view(principal.orgId, await requireSubject(principal, id, 'authorization:grant:view')),

    /** roleId → number of subjects holding it (upstream answers an object keyed by role id). */
    async roleCounts(orgId: string, roleIds: string[]) {
      const ids = roleIds.filter(isUuid);
      const counts = await store.roleSubjectCounts(db, orgId, ids);
      return Object.fromEntries(ids.map((id) => [id, counts.get(id) ?? 0]));
    },

    bulkAdd: (caller: Caller, id: string, grants: RoleGrant[], subjectType?: string) =>
      changeGrants(caller, id, 'authorization:grant:add', subjectType, (cur) => [...cur, ...checkPairs(grants)]),

    bulkRemove: (caller: Caller, id: string, grants: RoleGrant[]) => {
      const gone = new Set(checkPairs(grants).map(key));
      return changeGrants(caller, id, 'authorization:grant:delete', undefined, (cur) =>
        cur.filter((g) => !gone.has(key(g))),
      );
    },

    bulkReplace: (caller: Caller, id: string, grants: RoleGrant[], subjectType?: string) =>
      changeGrants(caller, id, 'authorization:grant:add', subjectType, () => checkPairs(grants)),

    /** Users holding a role (in any division), as upstream's user listing. */
    async roleUsers(principal: Principal, roleId: string, page: PageRequest, query: Record<string, unknown>) {
      await roles.get(principal.orgId, roleId);
      const ids = await store.usersHoldingRole(db, principal.orgId, roleId);
      const users = (await store.findUsersByIds(db, principal.orgId, ids)).filter(
        (u) => u.state !== 'deleted' && reaches(principal, 'directory:user:view', u.division_id),
      );
      const pageRows = users.slice(page.offset, page.offset + page.pageSize);
      const views = [];
      for (const u of pageRows) {
        const d = await store.findDivision(db, principal.orgId, u.division_id);
        views.push(userView(u, d ?? { id: u.division_id, name: '' }));
      }
      return listing(views, users.length, page, `/api/v2/authorization/roles/${roleId}/users`, query);
    },

    /** Gives the role to users in the home division. */
    async addRoleUsers(caller: Caller, roleId: string, userIds: string[]) {
      await roles.get(caller.principal.orgId, roleId);
      const home = await store.homeDivision(db, caller.principal.orgId);
      for (const id of [...new Set(userIds)])
        await changeGrants(caller, id, 'authorization:grant:add', 'PC_USER', (cur) => [
          ...cur,
          { roleId, divisionId: home.id },
        ]);
      return userIds;
    },

    /** Takes the role from users, in every division. */
    async removeRoleUsers(caller: Caller, roleId: string, userIds: string[]) {
      await roles.get(caller.principal.orgId, roleId);
      for (const id of [...new Set(userIds)])
        await changeGrants(caller, id, 'authorization:grant:delete', 'PC_USER', (cur) =>
          cur.filter((g) => g.roleId !== roleId),
        );
      return userIds;
    },

    /** SubjectDivisionGrantsEntityListing: who holds the role, and in which divisions. */
    async roleSubjectGrants(principal: Principal, roleId: string, page: PageRequest, query: Record<string, unknown>) {
      await roles.get(principal.orgId, roleId);
      const rows = await store.grantsOfRole(db, principal.orgId, roleId);
      const bySubject = new Map<string, { type: string; divisions: string[] }>();
      for (const r of rows) {
        const e = bySubject.get(r.subject_id) ?? { type: r.subject_type, divisions: [] };
        e.divisions.push(r.division_id);
        bySubject.set(r.subject_id, e);
      }
      const visible: { s: Subject; divisions: string[] }[] = [];
      for (const [id, e] of bySubject) {
        const s = await find(db, principal.orgId, id, e.type === 'client' ? 'PC_OAUTH_CLIENT' : 'PC_USER');
        const perm = s?.type === 'client' ? 'oauth:client:view' : 'directory:user:view';
        if (s && reaches(principal, perm, s.divisionId)) visible.push({ s, divisions: e.divisions });
      }
      const entities = [];
      for (const { s, divisions } of visible.slice(page.offset, page.offset + page.pageSize)) {
        const views = await divisionsOf(principal.orgId, divisions);
        const ds = [...views.values()].map((d) => ({ id: d.id, name: d.name, selfUri: d.selfUri }));
        entities.push({ id: s.id, name: s.name, divisions: ds, type: UPSTREAM_TYPE[s.type] });
      }
      return listing(entities, visible.length, page, `/api/v2/authorization/roles/${roleId}/subjectgrants`, query);
    },
  };
}

export type Subjects = ReturnType<typeof createSubjects>;

/** The directory service: users, roles, organizations, and the checks the login page needs. */
import type { Clock } from '../../platform/clock.ts';
import { verifyPassword } from '../../platform/crypto.ts';
import { ApiError, badCredentials } from '../../platform/errors/index.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { afterCommit, type Db, type Executor } from '../../storage/db.ts';
import { createOrganizations } from './organizations.ts';
import { createDirectoryPersonalData } from './personal-data.ts';
import { permissionCollections } from './permission-catalogue.ts';
import { createDivisions } from './divisions.ts';
import { createRoles } from './roles.ts';
import { createSubjects } from './subjects.ts';
import { createDirectoryStore, type DirectoryStore } from './store.ts';
import { createUserHooks } from './user-hooks.ts';
import { noticingUserChanges } from './user-changes.ts';
import { createUsers } from './users.ts';

/**
 * The store, with every write of roles or grants announcing the organization once it has
 * committed: tokens cached with the old permissions are dropped in every process (the oauth
 * domain listens). Announced before the commit, another process could re-read and cache the
 * grants from before the change.
 */
function noticingGrantChanges(store: DirectoryStore, changed: (orgId: string) => void): DirectoryStore {
  const notice =
    <A extends unknown[], R>(write: (db: Executor, ...args: A) => R, orgOf: (...args: A) => string) =>
    async (db: Executor, ...args: A): Promise<Awaited<R>> => {
      const result = await write(db, ...args);
      const orgId = orgOf(...args);
      afterCommit(db, () => changed(orgId));
      return result;
    };
  return {
    ...store,
    updateRole: notice(store.updateRole, (orgId) => orgId),
    deleteRole: notice(store.deleteRole, (orgId) => orgId),
    insertGrants: notice(store.insertGrants, (rows) => rows[0]?.org_id ?? ''),
    deleteGrantsOfRole: notice(store.deleteGrantsOfRole, (orgId) => orgId),
    deleteGrantsOf: notice(store.deleteGrantsOf, (orgId) => orgId),
  };
}

export const ADMIN_ROLE = 'Master Admin';
export const EMPLOYEE_ROLE = 'Employee';
const EMPLOYEE_PERMISSIONS = ['directory:user:view', 'authorization:division:view'];

export function createDirectoryService({ db, clock }: { db: Db; clock: Clock }) {
  const hooks = createUserHooks();
  const store = noticingUserChanges(
    noticingGrantChanges(createDirectoryStore(), hooks.grantsChanged),
    hooks.usersChanged,
  );
  const deps = { db, store, clock, hooks };
  const users = createUsers(deps);
  const roles = createRoles(deps);
  const organizations = createOrganizations(deps);
  const divisions = createDivisions(deps);
  const subjects = createSubjects(deps, roles);

  return {
    users,
    roles,
    organizations,
    divisions,
    subjects,
    /** Where other domains attach to users (token revocation, SCIM's release, list expansions). */
    hooks: {
      onUserDeactivated: hooks.onUserDeactivated,
      onUserDeleted: hooks.onUserDeleted,
      registerExpansion: hooks.registerExpansion,
      extendPersonalData: hooks.extendPersonalData,
      onGrantsChanged: hooks.onGrantsChanged,
      onUsersChanged: hooks.onUsersChanged,
    },

    /**
     * The users source of data-subject requests, with what the extension registered through
     * `hooks.extendPersonalData` (SCIM) holds merged in; an erasure runs the hooks a deletion
     * through the users API runs. Built after the domains that extend it.
     */
    personalData: () =>
      createDirectoryPersonalData({
        store,
        clock,
        onUserDeactivated: hooks.runDeactivated,
        onUserDeleted: hooks.runDeleted,
        extension: hooks.personalDataExtension(),
      }),

    permissions(page: PageRequest, query: Record<string, unknown>) {
      const all = permissionCollections();
      return listing(
        all.slice(page.offset, page.offset + page.pageSize),
        all.length,
        page,
        '/api/v2/authorization/permissions',
        query,
      );
    },

    async replaceUserRoles(caller: Caller, userId: string, roleIds: string[]) {
      const orgId = caller.principal.orgId;
      const user = await users.getRow(orgId, userId);
      const home = await store.homeDivision(db, orgId);
      await roles.replaceGrants(
        orgId,
        caller,
        { type: 'user', id: user.id, name: user.name },
        roleIds.map((roleId) => ({ roleId, divisionId: home.id })),
      );
      return roles.authorizationOf(orgId, userId);
    },

    /**
     * Checks an email and password for the console login. The password is checked first, against
     * every organization the email belongs to, so a caller without it learns nothing (not even
     * that the email is in several organizations); only when it matches in more than one must
     * the caller name the organization.
     */
    async verifyLogin(email: string, password: string, organization?: string) {
      let candidates = await store.findLoginCandidates(db, email.trim().toLowerCase());
      if (organization)
        candidates = candidates.filter((c) => c.org_name.toLowerCase() === organization.trim().toLowerCase());
      // An unknown email costs one hash check too, so timing does not tell it apart.
      if (candidates.length === 0) await verifyPassword(null, password);
      const matching = [];
      for (const c of candidates) if (await verifyPassword(c.password_hash, password)) matching.push(c);
      if (matching.length === 0) throw badCredentials('Invalid login credentials.');
      if (matching.length > 1) {
        throw new ApiError(
          400,
          'organization.required',
          'This email belongs to several organizations; enter the organization name.',
        );
      }
      const user = matching[0]!;
      return { userId: user.id, orgId: user.org_id, name: user.name, email: user.email, orgName: user.org_name };
    },

    /** A new organization with its Home division and the two standard roles. */
    async createOrganization(name: string, domain: string) {
      const { org, homeDivisionId } = await organizations.create(name, domain);
      const admin = await roles.create(
        org.id,
        null,
        { name: ADMIN_ROLE, description: 'Every permission in the organization', permissions: ['*:*:*'] },
        true,
      );
      const employee = await roles.create(
        org.id,
        null,
        { name: EMPLOYEE_ROLE, description: 'Basic access for every user', permissions: EMPLOYEE_PERMISSIONS },
        true,
      );
      return { org, homeDivisionId, adminRoleId: admin.id, employeeRoleId: employee.id };
    },
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;

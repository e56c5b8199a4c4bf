/** Rows → upstream shapes (User, DomainOrganizationRole, Organization, AuthzDivision). */
import { ALL_DIVISIONS } from '../../platform/division-access.ts';
import type { DivisionRow, OrganizationRow, RoleRow, UserRow } from '../../storage/schema.ts';

export const userUri = (id: string) => `/api/v2/users/${id}`;
export const roleUri = (id: string) => `/api/v2/authorization/roles/${id}`;
export const divisionUri = (id: string) => `/api/v2/authorization/divisions/${id}`;

/** The columns of a user that its view shows (the division comes separately). */
export type ViewedUser = Pick<UserRow, 'id' | 'name' | 'department' | 'email' | 'state' | 'title' | 'version'>;

export function userView(u: ViewedUser, division: Pick<DivisionRow, 'id' | 'name'>) {
  return {
    id: u.id,
    name: u.name,
    division: { id: division.id, name: division.name, selfUri: divisionUri(division.id) },
    chat: { jabberId: `${u.id}@gatehouse.local` },
    ...(u.department ? { department: u.department } : {}),
    email: u.email,
    primaryContactInfo: [{ address: u.email, mediaType: 'EMAIL', type: 'PRIMARY' }],
    addresses: [],
    state: u.state,
    ...(u.title ? { title: u.title } : {}),
    username: u.email,
    version: u.version,
    acdAutoAnswer: false,
    selfUri: userUri(u.id),
  };
}

export type UserView = ReturnType<typeof userView>;

export const parsePermissions = (r: Pick<RoleRow, 'permissions'>): string[] => JSON.parse(r.permissions) as string[];

export function roleView(r: RoleRow, userCount: number) {
  const permissions = parsePermissions(r);
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions,
    permissionPolicies: permissions.map((p) => {
      const [domain, entityName, action] = p.split(':');
      return { domain, entityName, actionSet: [action], allowConditions: false };
    }),
    userCount,
    default: r.is_default === 1,
    base: false,
    selfUri: roleUri(r.id),
  };
}

export function organizationView(o: OrganizationRow) {
  return {
    id: o.id,
    name: o.name,
    defaultLanguage: o.default_language,
    domain: o.domain,
    version: o.version,
    state: o.state,
    productPlatform: 'GenesysCloud',
    selfUri: '/api/v2/organizations/me',
  };
}

export function divisionView(d: DivisionRow) {
  return { id: d.id, name: d.name, description: d.description, homeDivision: d.home === 1, selfUri: divisionUri(d.id) };
}

/** The division of a grant in "all divisions" (upstream's division id `*`), as grants show it. */
export const allDivisionsView = () => ({
  id: ALL_DIVISIONS,
  name: 'All Divisions',
  description: 'Every division of the organization, including those created later',
  homeDivision: false,
  selfUri: divisionUri(ALL_DIVISIONS),
});

/** A grant's division as grants show it: `*` or the division's row (undefined: gone). */
export const grantDivisionView = (id: string, row: DivisionRow | undefined) =>
  id === ALL_DIVISIONS ? allDivisionsView() : row && divisionView(row);

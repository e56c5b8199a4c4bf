/** Request and response shapes of the directory routes (upstream User, Role, Organization...). */
import { type Static, Type } from '@sinclair/typebox';
import { EntityListing, EntityRef, NamedEntity, PagingQuery, QueryList } from '../../platform/schemas.ts';

const Contact = Type.Object({
  address: Type.Optional(Type.String()),
  display: Type.Optional(Type.String()),
  mediaType: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
});

export const DomainRole = Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) });

export const UserAuthorization = Type.Object({
  roles: Type.Array(DomainRole),
  unusedRoles: Type.Array(DomainRole),
  permissions: Type.Array(Type.String()),
  permissionPolicies: Type.Array(Type.Unknown()),
});

export const Organization = Type.Object({
  id: Type.String(),
  name: Type.String(),
  defaultLanguage: Type.Optional(Type.String()),
  domain: Type.Optional(Type.String()),
  version: Type.Integer(),
  state: Type.Optional(Type.String()),
  productPlatform: Type.Optional(Type.String()),
  selfUri: Type.String(),
});

const userFields = {
  id: Type.String(),
  name: Type.String(),
  division: EntityRef,
  chat: Type.Object({ jabberId: Type.Optional(Type.String()) }),
  department: Type.Optional(Type.String()),
  email: Type.String(),
  primaryContactInfo: Type.Array(Contact),
  addresses: Type.Array(Contact),
  state: Type.String(),
  title: Type.Optional(Type.String()),
  username: Type.String(),
  version: Type.Integer(),
  acdAutoAnswer: Type.Boolean(),
  authorization: Type.Optional(UserAuthorization),
  /** Beyond upstream, with `expand=scim`: the user is managed by an identity provider through SCIM. */
  scimManaged: Type.Optional(Type.Boolean()),
  selfUri: Type.String(),
};

export const User = Type.Object(userFields);
export const UserMe = Type.Object({ ...userFields, organization: Type.Optional(Organization) });
export const UserEntityListing = EntityListing(User);

export const UsersQuery = Type.Object({
  ...PagingQuery,
  id: Type.Optional(QueryList),
  sortOrder: Type.Optional(Type.String()),
  expand: Type.Optional(QueryList),
  state: Type.Optional(Type.String()),
});

export const CreateUser = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  email: Type.String({ minLength: 3, maxLength: 320 }),
  divisionId: Type.Optional(Type.String()),
  department: Type.Optional(Type.String({ maxLength: 255 })),
  title: Type.Optional(Type.String({ maxLength: 255 })),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
  state: Type.Optional(Type.String()),
  addresses: Type.Optional(Type.Array(Contact)),
});
export type CreateUser = Static<typeof CreateUser>;

export const UpdateUser = Type.Object({
  version: Type.Integer(),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  email: Type.Optional(Type.String({ maxLength: 320 })),
  department: Type.Optional(Type.String({ maxLength: 255 })),
  title: Type.Optional(Type.String({ maxLength: 255 })),
  state: Type.Optional(Type.String()),
});
export type UpdateUser = Static<typeof UpdateUser>;

const PermissionPolicy = Type.Object({
  domain: Type.Optional(Type.String()),
  entityName: Type.Optional(Type.String()),
  policyName: Type.Optional(Type.String()),
  actionSet: Type.Optional(Type.Array(Type.String())),
  allowConditions: Type.Optional(Type.Boolean()),
});

export const Role = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(Type.String()),
  permissionPolicies: Type.Array(PermissionPolicy),
  userCount: Type.Integer(),
  default: Type.Boolean(),
  base: Type.Boolean(),
  selfUri: Type.String(),
});
export const RoleListing = EntityListing(Role);

export const RoleBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  permissions: Type.Optional(Type.Array(Type.String())),
  permissionPolicies: Type.Optional(Type.Array(PermissionPolicy)),
});
export type RoleBody = Static<typeof RoleBody>;
export const RolePatchBody = Type.Partial(RoleBody);

export const RolesQuery = Type.Object({ ...PagingQuery, name: Type.Optional(Type.String()) });

export const Division = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  homeDivision: Type.Boolean(),
  selfUri: Type.String(),
});
export const DivisionListing = EntityListing(Division);

/** AuthzDivision as read (with objectCounts when asked) and as written (name, description). */
export const DivisionWithCounts = Type.Object({
  ...Division.properties,
  objectCounts: Type.Optional(Type.Record(Type.String(), Type.Integer())),
});
export const DivisionWithCountsListing = EntityListing(DivisionWithCounts);
export const DivisionBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  homeDivision: Type.Optional(Type.Boolean()),
});
export type DivisionBody = Static<typeof DivisionBody>;
export const RestoreDivisionBody = Type.Partial(DivisionBody);
export const DivisionCursorListing = Type.Object({
  entities: Type.Array(Division),
  nextUri: Type.Optional(Type.String()),
  selfUri: Type.Optional(Type.String()),
  previousUri: Type.Optional(Type.String()),
});
export const DivisionsQuery = Type.Object({
  ...PagingQuery,
  id: Type.Optional(QueryList),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  objectCount: Type.Optional(Type.Boolean()),
  sortBy: Type.Optional(Type.String()),
  expand: Type.Optional(QueryList),
});

const GrantRole = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  default: Type.Optional(Type.Boolean()),
  selfUri: Type.String(),
});
export const AuthzGrant = Type.Object({ subjectId: Type.String(), division: Division, role: GrantRole });
export const AuthzSubject = Type.Object({
  id: Type.String(),
  name: Type.String(),
  grants: Type.Array(AuthzGrant),
  version: Type.Integer(),
  selfUri: Type.String(),
});
export const DivisionGrantListing = Type.Object({
  entities: Type.Array(AuthzGrant),
  pageSize: Type.Integer(),
  pageNumber: Type.Integer(),
  total: Type.Integer(),
  pageCount: Type.Integer(),
});
export const RoleDivisionGrants = Type.Object({
  grants: Type.Array(
    Type.Object({ roleId: Type.String({ maxLength: 64 }), divisionId: Type.String({ maxLength: 64 }) }),
    { maxItems: 500 },
  ),
});
export type RoleDivisionGrants = Static<typeof RoleDivisionGrants>;
export const SubjectDivisionGrantsListing = EntityListing(
  Type.Object({
    id: Type.String(),
    name: Type.String(),
    divisions: Type.Array(EntityRef),
    type: Type.String(),
  }),
);

export const PermissionListing = EntityListing(
  Type.Object({
    id: Type.String(),
    name: Type.String(),
    domain: Type.String(),
    permissionMap: Type.Record(
      Type.String(),
      Type.Array(
        Type.Object({
          domain: Type.String(),
          entityType: Type.String(),
          action: Type.String(),
          label: Type.String(),
          allowsConditions: Type.Boolean(),
          divisionAware: Type.Boolean(),
        }),
      ),
    ),
    selfUri: Type.String(),
  }),
);

export { NamedEntity };

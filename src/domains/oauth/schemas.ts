import { type Static, Type } from '@sinclair/typebox';
import { EntityListing, NamedEntity } from '../../platform/schemas.ts';

export const RoleDivision = Type.Object({ roleId: Type.String(), divisionId: Type.String() });

export const OrgOAuthClient = Type.Object({
  id: Type.String(),
  name: Type.String(),
  dateCreated: Type.Optional(Type.String()),
  dateModified: Type.Optional(Type.String()),
  authorizedGrantType: Type.String(),
  scope: Type.Optional(Type.Array(Type.String())),
  roleDivisions: Type.Optional(Type.Array(RoleDivision)),
  state: Type.Optional(Type.String()),
  organization: Type.Optional(NamedEntity),
});

export const TokenInfo = Type.Object({
  organization: NamedEntity,
  homeOrganization: NamedEntity,
  authorizedScope: Type.Array(Type.String()),
  dateTokenIdles: Type.Optional(Type.String()),
  OAuthClient: OrgOAuthClient,
});

export const OAuthClient = Type.Object({
  id: Type.String(),
  name: Type.String(),
  accessTokenValiditySeconds: Type.Integer(),
  description: Type.String(),
  registeredRedirectUri: Type.Array(Type.String()),
  secret: Type.Optional(Type.String()),
  roleIds: Type.Array(Type.String()),
  dateCreated: Type.String(),
  dateModified: Type.String(),
  createdBy: Type.Optional(Type.Object({ id: Type.String(), selfUri: Type.Optional(Type.String()) })),
  modifiedBy: Type.Optional(Type.Object({ id: Type.String(), selfUri: Type.Optional(Type.String()) })),
  authorizedGrantType: Type.String(),
  scope: Type.Array(Type.String()),
  roleDivisions: Type.Array(RoleDivision),
  state: Type.String(),
  dateToDelete: Type.Optional(Type.String()),
  /** Gatehouse extension: whether the client is a service account (its tokens act as its own user). */
  serviceAccount: Type.Optional(Type.Boolean()),
  /** Gatehouse extension: the service account's non-human user. */
  serviceAccountUser: Type.Optional(Type.Object({ id: Type.String(), selfUri: Type.Optional(Type.String()) })),
  /** Beyond upstream: the client's own limit on the SCIM paths (requests per minute). */
  scimRequestsPerMinute: Type.Optional(Type.Integer()),
  selfUri: Type.String(),
});

/** Without `secret`: what list and get answer (the response schema drops any secret). */
export const OAuthClientPublic = Type.Omit(OAuthClient, ['secret']);
export const OAuthClientListing = EntityListing(OAuthClientPublic);

export const OAuthClientRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  accessTokenValiditySeconds: Type.Optional(Type.Integer()),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  registeredRedirectUri: Type.Optional(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 1000 })),
  roleIds: Type.Optional(Type.Array(Type.String())),
  authorizedGrantType: Type.String(),
  scope: Type.Optional(Type.Array(Type.String())),
  roleDivisions: Type.Optional(Type.Array(RoleDivision)),
  state: Type.Optional(Type.String()),
  dateToDelete: Type.Optional(Type.String()),
  /**
   * Gatehouse extension, read on create only: a CLIENT-CREDENTIALS client made a service account
   * gets its own non-human user, which its tokens carry (/users/me answers it).
   */
  serviceAccount: Type.Optional(Type.Boolean()),
  /** Beyond upstream: requests per minute this client may send to the SCIM paths (omitted: the default). */
  scimRequestsPerMinute: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
});
export type OAuthClientRequest = Static<typeof OAuthClientRequest>;

export const OAuthScope = Type.Object({ id: Type.String(), description: Type.String(), selfUri: Type.String() });
export const OAuthScopeListing = Type.Object({
  total: Type.Integer(),
  entities: Type.Array(OAuthScope),
  selfUri: Type.String(),
});

export const OAuthAuthorization = Type.Object({
  client: OAuthClientPublic,
  scope: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
  resourceOwner: Type.Object({ id: Type.String(), selfUri: Type.Optional(Type.String()) }),
  dateCreated: Type.String(),
  dateModified: Type.String(),
  createdBy: Type.Optional(Type.Object({ id: Type.String(), selfUri: Type.Optional(Type.String()) })),
  modifiedBy: Type.Optional(Type.Object({ id: Type.String(), selfUri: Type.Optional(Type.String()) })),
  pending: Type.Boolean(),
  state: Type.String(),
  selfUri: Type.String(),
});
export const OAuthAuthorizationListing = Type.Object({
  total: Type.Integer(),
  entities: Type.Array(OAuthAuthorization),
  selfUri: Type.String(),
});

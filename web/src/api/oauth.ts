import type { Static } from '@sinclair/typebox';
import type {
  OAuthAuthorization,
  OAuthClientRequest,
  OAuthClient as OAuthClientSchema,
  OAuthScopeListing,
} from '../../../src/domains/oauth/schemas.ts';
import type { Division, DivisionListing, RoleListing } from '../../../src/domains/directory/schemas.ts';
import { request } from './client.ts';

/** A client as the API answers it (the server's schema; `secret` only on create and regenerate). */
export type OAuthClient = Static<typeof OAuthClientSchema>;
export type ClientRequest = OAuthClientRequest;
/** An app's authorization of the signed-in user; `state` is one of upstream's three. */
export type Authorization = Omit<Static<typeof OAuthAuthorization>, 'state'> & {
  state: 'Requested' | 'Authorized' | 'Revoked';
};

export const GRANT_LABELS: Record<string, string> = {
  'CLIENT-CREDENTIALS': 'Client Credentials',
  CODE: 'Code Authorization',
  TOKEN: 'Token Implicit Grant (Browser)',
  'SAML2-BEARER': 'SAML2 Bearer',
};

/** The seed's names for upstream's authorization states. */
export const STATE_LABELS = { Requested: 'Pending', Authorized: 'Approved', Revoked: 'Revoked' } as const;

export const oauthApi = {
  client: (id: string) => request<OAuthClient>(`/api/v2/oauth/clients/${id}`),
  create: (body: ClientRequest) => request<OAuthClient>('/api/v2/oauth/clients', { method: 'POST', body }),
  update: (id: string, body: ClientRequest) =>
    request<OAuthClient>(`/api/v2/oauth/clients/${id}`, { method: 'PUT', body }),
  remove: (id: string) => request<void>(`/api/v2/oauth/clients/${id}`, { method: 'DELETE' }),
  regenerate: (id: string) => request<OAuthClient>(`/api/v2/oauth/clients/${id}/secret`, { method: 'POST' }),
  scopes: () => request<Static<typeof OAuthScopeListing>>('/api/v2/oauth/scopes'),
  roles: () => request<Static<typeof RoleListing>>('/api/v2/authorization/roles?pageSize=500'),
  homeDivision: () => request<Static<typeof Division>>('/api/v2/authorization/divisions/home'),
  divisions: () => request<Static<typeof DivisionListing>>('/api/v2/authorization/divisions?pageSize=500'),
  authorizations: (state?: string) =>
    request<{ entities: Authorization[] }>(`/api/v2/oauth/authorizations${state ? `?state=${state}` : ''}`),
  approve: (clientId: string) =>
    request<Authorization>(`/api/v2/oauth/authorizations/${clientId}/approve`, { method: 'POST' }),
  editScopes: (clientId: string, scope: string[]) =>
    request<Authorization>(`/api/v2/oauth/authorizations/${clientId}`, { method: 'PUT', body: { scope } }),
  revoke: (clientId: string) =>
    request<Authorization>(`/api/v2/oauth/authorizations/${clientId}`, { method: 'DELETE' }),
};

import { request } from './client.ts';

export interface OAuthClient {
  id: string;
  name: string;
  description: string;
  accessTokenValiditySeconds: number;
  authorizedGrantType: string;
  registeredRedirectUri: string[];
  scope: string[];
  roleDivisions: { roleId: string; divisionId: string }[];
  state: string;
  dateCreated: string;
  secret?: string;
  /** Gatehouse extension: the client's tokens act as its own non-human user. */
  serviceAccount?: boolean;
  serviceAccountUser?: { id: string };
  /** Gatehouse extension: requests per minute on the SCIM paths (absent: the server's default). */
  scimRequestsPerMinute?: number;
}

export interface ClientRequest {
  name: string;
  description?: string;
  accessTokenValiditySeconds: number;
  authorizedGrantType: string;
  registeredRedirectUri?: string[];
  scope?: string[];
  roleDivisions?: { roleId: string; divisionId: string }[];
  state?: string;
  serviceAccount?: boolean;
  scimRequestsPerMinute?: number | null;
}

export interface Authorization {
  client: OAuthClient;
  scope: string[];
  roles: string[];
  state: 'Requested' | 'Authorized' | 'Revoked';
  pending: boolean;
  dateModified: string;
}

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
  scopes: () => request<{ entities: { id: string; description: string }[] }>('/api/v2/oauth/scopes'),
  roles: () => request<{ entities: { id: string; name: string }[] }>('/api/v2/authorization/roles?pageSize=500'),
  homeDivision: () => request<{ id: string; name: string }>('/api/v2/authorization/divisions/home'),
  divisions: () =>
    request<{ entities: { id: string; name: string }[] }>('/api/v2/authorization/divisions?pageSize=500'),
  authorizations: (state?: string) =>
    request<{ entities: Authorization[] }>(`/api/v2/oauth/authorizations${state ? `?state=${state}` : ''}`),
  approve: (clientId: string) =>
    request<Authorization>(`/api/v2/oauth/authorizations/${clientId}/approve`, { method: 'POST' }),
  editScopes: (clientId: string, scope: string[]) =>
    request<Authorization>(`/api/v2/oauth/authorizations/${clientId}`, { method: 'PUT', body: { scope } }),
  revoke: (clientId: string) =>
    request<Authorization>(`/api/v2/oauth/authorizations/${clientId}`, { method: 'DELETE' }),
};

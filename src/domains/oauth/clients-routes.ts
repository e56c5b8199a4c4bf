import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { assertInReach, divisionReach } from '../../platform/division-access.ts';
import { notFound } from '../../platform/errors/index.ts';
import type { Principal } from '../../platform/principal.ts';
import { parsePage } from '../../platform/paging.ts';
import { IdParam, PagingQuery } from '../../platform/schemas.ts';
import type { ClientInput } from './client-rules.ts';
import { SCOPES, scopeById } from './scopes.ts';
import type { OAuthService } from './service.ts';
import {
  OAuthClient,
  OAuthClientListing,
  OAuthClientPublic,
  OAuthClientRequest,
  OAuthScope,
  OAuthScopeListing,
} from './schemas.ts';

const ClientParams = IdParam('clientId');

/** Upstream body → service input (roleIds is the deprecated form of roleDivisions: home division). */
function toInput(body: OAuthClientRequest): ClientInput {
  return {
    name: body.name,
    description: body.description,
    grantType: body.authorizedGrantType,
    tokenTtl: body.accessTokenValiditySeconds,
    redirectUris: body.registeredRedirectUri,
    scopes: body.scope,
    roleDivisions: body.roleDivisions,
    state: body.state,
    scimRateLimit: body.scimRequestsPerMinute,
  };
}

export function registerClientRoutes(app: FastifyInstance, { oauth }: { oauth: OAuthService }) {
  const { clients } = oauth;

  /** A client outside the divisions where the caller holds `permission` answers 404, as an unknown one. */
  async function requireInReach(principal: Principal, permission: string, clientId: string) {
    const row = await clients.find(principal.orgId, clientId);
    assertInReach(principal, permission, row?.division_id, 'OAuth client', clientId, !!row && row.internal !== 1);
  }
  const withRoleIds = async (orgId: string, body: OAuthClientRequest) => {
    const input = toInput(body);
    if (!input.roleDivisions?.length && body.roleIds?.length) {
      const home = await oauth.homeDivisionId(orgId);
      input.roleDivisions = body.roleIds.map((roleId) => ({ roleId, divisionId: home }));
    }
    return input;
  };

  app.get<{ Querystring: { pageSize?: number; pageNumber?: number } }>(
    '/api/v2/oauth/clients',
    {
      schema: { querystring: Type.Object(PagingQuery), response: { 200: OAuthClientListing } },
      config: { permission: 'oauth:client:view' },
    },
    async (request) =>
      clients.list(
        request.caller.principal.orgId,
        parsePage(request.query),
        request.query,
        divisionReach(request.caller.principal, 'oauth:client:view'),
      ),
  );

  app.post<{ Body: OAuthClientRequest }>(
    '/api/v2/oauth/clients',
    {
      schema: { body: OAuthClientRequest, response: { 200: OAuthClient } },
      config: { permission: 'oauth:client:add' },
    },
    async (request) => {
      const orgId = request.caller.principal.orgId;
      const input = { ...(await withRoleIds(orgId, request.body)), serviceAccount: request.body.serviceAccount };
      const { client, secret } = await clients.create(orgId, request.caller, input);
      return { ...client, secret };
    },
  );

  app.get<{ Params: { clientId: string } }>(
    '/api/v2/oauth/clients/:clientId',
    {
      schema: { params: ClientParams, response: { 200: OAuthClientPublic } },
      config: { permission: 'oauth:client:view' },
    },
    async (request) => {
      await requireInReach(request.caller.principal, 'oauth:client:view', request.params.clientId);
      return clients.get(request.caller.principal.orgId, request.params.clientId);
    },
  );

  app.put<{ Params: { clientId: string }; Body: OAuthClientRequest }>(
    '/api/v2/oauth/clients/:clientId',
    {
      schema: { params: ClientParams, body: OAuthClientRequest, response: { 200: OAuthClientPublic } },
      config: { permission: 'oauth:client:edit' },
    },
    async (request) => {
      const orgId = request.caller.principal.orgId;
      await requireInReach(request.caller.principal, 'oauth:client:edit', request.params.clientId);
      return clients.update(orgId, request.caller, request.params.clientId, await withRoleIds(orgId, request.body));
    },
  );

  app.delete<{ Params: { clientId: string } }>(
    '/api/v2/oauth/clients/:clientId',
    {
      schema: { params: ClientParams },
      config: { permission: 'oauth:client:delete' },
    },
    async (request, reply) => {
      await requireInReach(request.caller.principal, 'oauth:client:delete', request.params.clientId);
      await clients.remove(request.caller.principal.orgId, request.caller, request.params.clientId);
      return reply.code(200).send();
    },
  );

  app.post<{ Params: { clientId: string } }>(
    '/api/v2/oauth/clients/:clientId/secret',
    {
      schema: { params: ClientParams, response: { 200: OAuthClient } },
      config: { permission: 'oauth:client:edit' },
    },
    async (request) => {
      await requireInReach(request.caller.principal, 'oauth:client:edit', request.params.clientId);
      return clients.regenerateSecret(request.caller.principal.orgId, request.caller, request.params.clientId);
    },
  );

  const scopeView = (s: { id: string; description: string }) => ({
    id: s.id,
    description: s.description,
    selfUri: `/api/v2/oauth/scopes/${s.id}`,
  });

  app.get('/api/v2/oauth/scopes', { schema: { response: { 200: OAuthScopeListing } } }, async () => ({
    total: SCOPES.length,
    entities: SCOPES.map(scopeView),
    selfUri: '/api/v2/oauth/scopes',
  }));

  app.get<{ Params: { scopeId: string } }>(
    '/api/v2/oauth/scopes/:scopeId',
    {
      schema: { params: IdParam('scopeId'), response: { 200: OAuthScope } },
    },
    async (request) => {
      const scope = scopeById(request.params.scopeId);
      if (!scope) throw notFound('scope', request.params.scopeId);
      return scopeView(scope);
    },
  );
}

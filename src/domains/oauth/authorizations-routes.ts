/**
 * Authorized applications. The two GETs are upstream's; approve, edit scopes and revoke are
 * beyond upstream (its console does them through private endpoints) and add paths only.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdParam } from '../../platform/schemas.ts';
import type { OAuthService } from './service.ts';
import { OAuthAuthorization, OAuthAuthorizationListing } from './schemas.ts';

const ClientParams = IdParam('clientId');
const permission = 'oauth:client:authorize';

export function registerAuthorizedAppRoutes(app: FastifyInstance, { oauth }: { oauth: OAuthService }) {
  const { authorizations } = oauth;

  app.get<{ Querystring: { state?: string } }>(
    '/api/v2/oauth/authorizations',
    {
      schema: {
        querystring: Type.Object({ state: Type.Optional(Type.String()) }),
        response: { 200: OAuthAuthorizationListing },
      },
      config: { permission },
    },
    async (request) => authorizations.list(request.caller.principal.orgId, request.query.state),
  );

  app.get<{ Params: { clientId: string } }>(
    '/api/v2/oauth/authorizations/:clientId',
    {
      schema: { params: ClientParams, response: { 200: OAuthAuthorization } },
      config: { permission },
    },
    async (request) => authorizations.get(request.caller.principal.orgId, request.params.clientId),
  );

  app.post<{ Params: { clientId: string } }>(
    '/api/v2/oauth/authorizations/:clientId/approve',
    {
      schema: { params: ClientParams, response: { 200: OAuthAuthorization } },
      config: { permission },
    },
    async (request) => authorizations.approve(request.caller, request.params.clientId),
  );

  app.put<{ Params: { clientId: string }; Body: { scope: string[] } }>(
    '/api/v2/oauth/authorizations/:clientId',
    {
      schema: {
        params: ClientParams,
        body: Type.Object({ scope: Type.Array(Type.String(), { maxItems: 100 }) }),
        response: { 200: OAuthAuthorization },
      },
      config: { permission },
    },
    async (request) => authorizations.editScopes(request.caller, request.params.clientId, request.body.scope),
  );

  app.delete<{ Params: { clientId: string } }>(
    '/api/v2/oauth/authorizations/:clientId',
    {
      schema: { params: ClientParams, response: { 200: OAuthAuthorization } },
      config: { permission },
    },
    async (request) => authorizations.revoke(request.caller, request.params.clientId),
  );
}

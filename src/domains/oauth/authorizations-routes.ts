/**
 * Authorized applications. The two GETs are upstream's; approve, edit scopes and revoke are
 * beyond upstream (its console does them through private endpoints) and add paths only.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { assertInReach, reaches } from '../../platform/division-access.ts';
import type { Principal } from '../../platform/principal.ts';
import { IdParam } from '../../platform/schemas.ts';
import type { OAuthService } from './service.ts';
import { OAuthAuthorization, OAuthAuthorizationListing } from './schemas.ts';

const ClientParams = IdParam('clientId');
const permission = 'oauth:client:authorize';

export function registerAuthorizedAppRoutes(app: FastifyInstance, { oauth }: { oauth: OAuthService }) {
  const { authorizations, clients } = oauth;
  /**
   * An app whose client lives in this organization follows the client's division (404 elsewhere,
   * as the client itself); another organization's app carries no division of this one.
   */
  const divisionOf = async (orgId: string, clientId: string) => {
    const row = await clients.find(orgId, clientId);
    return row ? { divisioned: true, divisionId: row.division_id } : { divisioned: false, divisionId: null };
  };
  async function requireInReach(principal: Principal, clientId: string) {
    const { divisioned, divisionId } = await divisionOf(principal.orgId, clientId);
    if (divisioned) assertInReach(principal, permission, divisionId, 'authorization', clientId);
  }

  app.get<{ Querystring: { state?: string } }>(
    '/api/v2/oauth/authorizations',
    {
      schema: {
        querystring: Type.Object({ state: Type.Optional(Type.String()) }),
        response: { 200: OAuthAuthorizationListing },
      },
      config: { permission },
    },
    async (request) => {
      const { principal } = request.caller;
      const all = await authorizations.list(principal.orgId, request.query.state);
      const divisions = await clients.divisionsOf(
        principal.orgId,
        all.entities.map((e) => e.client.id),
      );
      const visible = all.entities.filter(
        (e) => !divisions.has(e.client.id) || reaches(principal, permission, divisions.get(e.client.id)),
      );
      return { ...all, total: visible.length, entities: visible };
    },
  );

  app.get<{ Params: { clientId: string } }>(
    '/api/v2/oauth/authorizations/:clientId',
    {
      schema: { params: ClientParams, response: { 200: OAuthAuthorization } },
      config: { permission },
    },
    async (request) => {
      await requireInReach(request.caller.principal, request.params.clientId);
      return authorizations.get(request.caller.principal.orgId, request.params.clientId);
    },
  );

  app.post<{ Params: { clientId: string } }>(
    '/api/v2/oauth/authorizations/:clientId/approve',
    {
      schema: { params: ClientParams, response: { 200: OAuthAuthorization } },
      config: { permission },
    },
    async (request) => {
      await requireInReach(request.caller.principal, request.params.clientId);
      return authorizations.approve(request.caller, request.params.clientId);
    },
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
    async (request) => {
      await requireInReach(request.caller.principal, request.params.clientId);
      return authorizations.editScopes(request.caller, request.params.clientId, request.body.scope);
    },
  );

  app.delete<{ Params: { clientId: string } }>(
    '/api/v2/oauth/authorizations/:clientId',
    {
      schema: { params: ClientParams, response: { 200: OAuthAuthorization } },
      config: { permission },
    },
    async (request) => {
      await requireInReach(request.caller.principal, request.params.clientId);
      return authorizations.revoke(request.caller, request.params.clientId);
    },
  );
}

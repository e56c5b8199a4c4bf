/**
 * The administrator's groups API (upstream /api/v2/groups, ErrorBody errors): groups are created
 * here, never through SCIM, and identity providers then link to them by name.
 */
import type { FastifyInstance } from 'fastify';
import { conflict, invalidValue } from '../../platform/errors/index.ts';
import { parsePage } from '../../platform/paging.ts';
import { IdParam } from '../../platform/schemas.ts';
import { ScimError } from './errors.ts';
import { CreateGroup, Group, GroupEntityListing, GroupsQuery } from './schemas.ts';
import type { ScimService } from './service.ts';

export function registerGroupRoutes(app: FastifyInstance, { scim }: { scim: ScimService }) {
  app.get<{ Querystring: { pageSize?: number; pageNumber?: number } }>(
    '/api/v2/groups',
    {
      // No permission, as upstream: any token of the organization may read its groups.
      schema: { querystring: GroupsQuery, response: { 200: GroupEntityListing } },
    },
    async (request) => scim.groups.adminList(request.caller.principal.orgId, parsePage(request.query), request.query),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v2/groups/:id',
    {
      schema: { params: IdParam('id'), response: { 200: Group } },
    },
    async (request) => scim.groups.adminGet(request.caller.principal.orgId, request.params.id),
  );

  app.post<{ Body: CreateGroup }>(
    '/api/v2/groups',
    {
      schema: { body: CreateGroup, response: { 200: Group } },
      config: { permission: 'directory:group:add' },
    },
    async (request) => {
      try {
        const row = await scim.groups.create(request.caller.principal.orgId, request.caller, request.body);
        return scim.groups.adminGet(request.caller.principal.orgId, row.id);
      } catch (err) {
        // The service speaks SCIM errors; this is an upstream /api/v2 route.
        if (err instanceof ScimError && err.status === 409) throw conflict(err.detail);
        if (err instanceof ScimError && err.status === 400) throw invalidValue('name', err.detail);
        throw err;
      }
    },
  );
}

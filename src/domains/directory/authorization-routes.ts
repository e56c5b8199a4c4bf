import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { parsePage } from '../../platform/paging.ts';
import { IdParam, PagingQuery } from '../../platform/schemas.ts';
import type { DirectoryService } from './service.ts';
import { Organization, PermissionListing, Role, RoleBody, RoleListing, RolePatchBody, RolesQuery } from './schemas.ts';

type Paging = { pageSize?: number; pageNumber?: number };
const RoleParams = IdParam('roleId');

export function registerAuthorizationRoutes(app: FastifyInstance, { directory }: { directory: DirectoryService }) {
  const { roles, organizations } = directory;

  app.get<{ Querystring: Paging & { name?: string } }>(
    '/api/v2/authorization/roles',
    {
      schema: { querystring: RolesQuery, response: { 200: RoleListing } },
      config: { permission: 'authorization:role:view' },
    },
    async (request) =>
      roles.list(request.caller.principal.orgId, parsePage(request.query), request.query.name, request.query),
  );

  app.post<{ Body: RoleBody }>(
    '/api/v2/authorization/roles',
    {
      schema: { body: RoleBody, response: { 200: Role } },
      config: { permission: 'authorization:role:add' },
    },
    async (request) => roles.create(request.caller.principal.orgId, request.caller, request.body),
  );

  app.get<{ Params: { roleId: string } }>(
    '/api/v2/authorization/roles/:roleId',
    {
      schema: { params: RoleParams, response: { 200: Role } },
      config: { permission: 'authorization:role:view' },
    },
    async (request) => roles.get(request.caller.principal.orgId, request.params.roleId),
  );

  app.put<{ Params: { roleId: string }; Body: RoleBody }>(
    '/api/v2/authorization/roles/:roleId',
    {
      schema: { params: RoleParams, body: RoleBody, response: { 200: Role } },
      config: { permission: 'authorization:role:edit' },
    },
    async (request) =>
      roles.update(request.caller.principal.orgId, request.caller, request.params.roleId, request.body, true),
  );

  app.patch<{ Params: { roleId: string }; Body: Partial<RoleBody> }>(
    '/api/v2/authorization/roles/:roleId',
    {
      schema: { params: RoleParams, body: RolePatchBody, response: { 200: Role } },
      config: { permission: 'authorization:role:edit' },
    },
    async (request) =>
      roles.update(request.caller.principal.orgId, request.caller, request.params.roleId, request.body, false),
  );

  app.delete<{ Params: { roleId: string } }>(
    '/api/v2/authorization/roles/:roleId',
    {
      schema: { params: RoleParams },
      config: { permission: 'authorization:role:delete' },
    },
    async (request, reply) => {
      await roles.remove(request.caller.principal.orgId, request.caller, request.params.roleId);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: Paging }>(
    '/api/v2/authorization/permissions',
    {
      schema: { querystring: Type.Object(PagingQuery), response: { 200: PermissionListing } },
    },
    async (request) => directory.permissions(parsePage(request.query), request.query),
  );

  app.get(
    '/api/v2/organizations/me',
    {
      schema: { response: { 200: Organization } },
    },
    // The principal carries the organization's view, cached with the token's state (docs/decisions/0020).
    async (request) => request.caller.principal.organization ?? organizations.me(request.caller.principal.orgId),
  );
}

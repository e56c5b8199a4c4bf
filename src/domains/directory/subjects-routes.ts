/** /api/v2/authorization/subjects/* and the role-centred grant routes (/roles/{roleId}/users, /subjectgrants). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parsePage, splitList } from '../../platform/paging.ts';
import { IdParam, PagingQuery, QueryList } from '../../platform/schemas.ts';
import { AuthzSubject, RoleDivisionGrants, SubjectDivisionGrantsListing, UserEntityListing } from './schemas.ts';
import type { DirectoryService } from './service.ts';

type Paging = { pageSize?: number; pageNumber?: number };
const SubjectParams = IdParam('subjectId');
const RoleParams = IdParam('roleId');
const SubjectTypeQuery = Type.Object({ subjectType: Type.Optional(Type.String({ maxLength: 32 })) });
const UserIds = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 });

export function registerSubjectRoutes(app: FastifyInstance, { directory }: { directory: DirectoryService }) {
  const { subjects } = directory;

  app.get(
    '/api/v2/authorization/subjects/me',
    {
      schema: {
        querystring: Type.Object({ includeDuplicates: Type.Optional(Type.Boolean()) }),
        response: { 200: AuthzSubject },
      },
    },
    async (request) => subjects.me(request.caller.principal),
  );

  app.get<{ Querystring: { id?: string[] } }>(
    '/api/v2/authorization/subjects/rolecounts',
    {
      schema: {
        querystring: Type.Object({ id: Type.Optional(QueryList) }),
        response: { 200: Type.Record(Type.String(), Type.Integer()) },
      },
      config: { permission: 'authorization:grant:view' },
    },
    async (request) => subjects.roleCounts(request.caller.principal.orgId, splitList(request.query.id)),
  );

  app.get<{ Params: { subjectId: string } }>(
    '/api/v2/authorization/subjects/:subjectId',
    {
      schema: {
        params: SubjectParams,
        querystring: Type.Object({ includeDuplicates: Type.Optional(Type.Boolean()) }),
        response: { 200: AuthzSubject },
      },
      config: { permission: 'authorization:grant:view' },
    },
    async (request) => subjects.get(request.caller.principal, request.params.subjectId),
  );

  const bulk = (
    name: 'bulkadd' | 'bulkremove' | 'bulkreplace',
    permission: string | { type: 'ALL'; list: string[] },
    run: (
      r: { caller: Parameters<typeof subjects.bulkAdd>[0] },
      id: string,
      body: RoleDivisionGrants,
      t?: string,
    ) => Promise<void>,
  ) =>
    app.post<{ Params: { subjectId: string }; Body: RoleDivisionGrants; Querystring: { subjectType?: string } }>(
      `/api/v2/authorization/subjects/:subjectId/${name}`,
      {
        schema: { params: SubjectParams, querystring: SubjectTypeQuery, body: RoleDivisionGrants },
        config: { permission },
      },
      async (request, reply) => {
        await run(request, request.params.subjectId, request.body, request.query.subjectType);
        return reply.code(204).send();
      },
    );
  bulk('bulkadd', 'authorization:grant:add', (r, id, b, t) => subjects.bulkAdd(r.caller, id, b.grants, t));
  bulk('bulkremove', 'authorization:grant:delete', (r, id, b) => subjects.bulkRemove(r.caller, id, b.grants));
  bulk('bulkreplace', { type: 'ALL', list: ['authorization:grant:add', 'authorization:grant:delete'] }, (r, id, b, t) =>
    subjects.bulkReplace(r.caller, id, b.grants, t),
  );

  const OneGrant = Type.Object({
    subjectId: Type.String({ maxLength: 64 }),
    divisionId: Type.String({ maxLength: 64 }),
    roleId: Type.String({ maxLength: 64 }),
  });
  type OneGrantT = { subjectId: string; divisionId: string; roleId: string };
  app.post<{ Params: OneGrantT; Querystring: { subjectType?: string } }>(
    '/api/v2/authorization/subjects/:subjectId/divisions/:divisionId/roles/:roleId',
    {
      schema: { params: OneGrant, querystring: SubjectTypeQuery },
      config: { permission: 'authorization:grant:add' },
    },
    async (request, reply) => {
      const { subjectId, divisionId, roleId } = request.params;
      await subjects.bulkAdd(request.caller, subjectId, [{ roleId, divisionId }], request.query.subjectType);
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: OneGrantT }>(
    '/api/v2/authorization/subjects/:subjectId/divisions/:divisionId/roles/:roleId',
    { schema: { params: OneGrant }, config: { permission: 'authorization:grant:delete' } },
    async (request, reply) => {
      const { subjectId, divisionId, roleId } = request.params;
      await subjects.bulkRemove(request.caller, subjectId, [{ roleId, divisionId }]);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { roleId: string }; Querystring: Paging }>(
    '/api/v2/authorization/roles/:roleId/users',
    {
      schema: { params: RoleParams, querystring: Type.Object(PagingQuery), response: { 200: UserEntityListing } },
      config: { permission: 'authorization:role:view' },
    },
    async (request) =>
      subjects.roleUsers(request.caller.principal, request.params.roleId, parsePage(request.query), request.query),
  );
  app.put<{ Params: { roleId: string }; Body: string[] }>(
    '/api/v2/authorization/roles/:roleId/users/add',
    {
      schema: { params: RoleParams, body: UserIds, response: { 200: UserIds } },
      config: { permission: 'authorization:grant:add' },
    },
    async (request) => subjects.addRoleUsers(request.caller, request.params.roleId, request.body),
  );
  app.put<{ Params: { roleId: string }; Body: string[] }>(
    '/api/v2/authorization/roles/:roleId/users/remove',
    {
      schema: { params: RoleParams, body: UserIds, response: { 200: UserIds } },
      config: { permission: 'authorization:grant:delete' },
    },
    async (request) => subjects.removeRoleUsers(request.caller, request.params.roleId, request.body),
  );
  app.get<{ Params: { roleId: string }; Querystring: Paging }>(
    '/api/v2/authorization/roles/:roleId/subjectgrants',
    {
      schema: {
        params: RoleParams,
        querystring: Type.Object({
          ...PagingQuery,
          sortBy: Type.Optional(Type.String()),
          expand: Type.Optional(QueryList),
        }),
        response: { 200: SubjectDivisionGrantsListing },
      },
      config: { permission: 'authorization:role:view' },
    },
    async (request) =>
      subjects.roleSubjectGrants(
        request.caller.principal,
        request.params.roleId,
        parsePage(request.query),
        request.query,
      ),
  );
}

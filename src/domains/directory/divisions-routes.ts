/** /api/v2/authorization/divisions: the division routes (upstream shapes, permissions as upstream declares). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parsePage, splitList } from '../../platform/paging.ts';
import { IdParam, PagingQuery } from '../../platform/schemas.ts';
import {
  Division,
  DivisionBody,
  DivisionCursorListing,
  DivisionGrantListing,
  DivisionsQuery,
  DivisionWithCounts,
  DivisionWithCountsListing,
  RestoreDivisionBody,
} from './schemas.ts';
import type { DirectoryService } from './service.ts';

type Paging = { pageSize?: number; pageNumber?: number };
type DivisionsQueryT = Paging & { id?: string[]; name?: string; objectCount?: boolean };
const Params = IdParam('divisionId');
type P = { divisionId: string };
const VIEW = 'authorization:division:view';

export function registerDivisionRoutes(app: FastifyInstance, { directory }: { directory: DirectoryService }) {
  const { divisions } = directory;

  app.get<{ Querystring: DivisionsQueryT }>(
    '/api/v2/authorization/divisions',
    {
      schema: { querystring: DivisionsQuery, response: { 200: DivisionWithCountsListing } },
      config: { permission: VIEW },
    },
    async (request) =>
      divisions.list(
        request.caller.principal.orgId,
        parsePage(request.query),
        { ids: splitList(request.query.id), name: request.query.name, objectCount: request.query.objectCount },
        request.query,
      ),
  );

  app.post<{ Body: DivisionBody }>(
    '/api/v2/authorization/divisions',
    {
      schema: { body: DivisionBody, response: { 200: Division } },
      config: { permission: { type: 'ALL', list: ['authorization:division:add', 'authorization:grant:add'] } },
    },
    async (request) => divisions.create(request.caller, request.body),
  );

  app.get(
    '/api/v2/authorization/divisions/home',
    { schema: { response: { 200: Division } }, config: { permission: VIEW } },
    async (request) => divisions.home(request.caller.principal.orgId),
  );

  app.get(
    '/api/v2/authorization/divisions/limit',
    { schema: { response: { 200: Type.Integer() } }, config: { permission: VIEW } },
    async () => divisions.limit(),
  );

  app.get<{ Querystring: { pageSize?: string; after?: string; id?: string[]; name?: string; before?: string } }>(
    '/api/v2/authorization/divisions/query',
    {
      schema: {
        querystring: Type.Object({
          pageSize: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
          after: Type.Optional(Type.String({ maxLength: 2000 })),
          before: Type.Optional(Type.String({ maxLength: 2000 })),
          id: Type.Optional(Type.Array(Type.String())),
          name: Type.Optional(Type.String({ maxLength: 255 })),
        }),
        response: { 200: DivisionCursorListing },
      },
      config: { permission: VIEW },
    },
    async (request) =>
      divisions.query(request.caller.principal.orgId, {
        ids: splitList(request.query.id),
        name: request.query.name,
        after: request.query.after,
        pageSize: Math.min(Math.max(Number(request.query.pageSize ?? 25), 1), 500),
      }),
  );

  app.get<{ Querystring: Paging }>(
    '/api/v2/authorization/divisions/deleted',
    {
      schema: { querystring: Type.Object(PagingQuery), response: { 200: DivisionWithCountsListing } },
      config: { permission: 'authorization:divisionDeleted:view' },
    },
    async (request) =>
      divisions.list(request.caller.principal.orgId, parsePage(request.query), { deleted: true }, request.query),
  );

  app.get<{ Params: P; Querystring: { objectCount?: boolean } }>(
    '/api/v2/authorization/divisions/:divisionId',
    {
      schema: {
        params: Params,
        querystring: Type.Object({ objectCount: Type.Optional(Type.Boolean()) }),
        response: { 200: DivisionWithCounts },
      },
      config: { permission: VIEW },
    },
    async (request) =>
      divisions.get(request.caller.principal.orgId, request.params.divisionId, !!request.query.objectCount),
  );

  app.put<{ Params: P; Body: DivisionBody }>(
    '/api/v2/authorization/divisions/:divisionId',
    {
      schema: { params: Params, body: DivisionBody, response: { 200: Division } },
      config: { permission: 'authorization:division:edit' },
    },
    async (request) => divisions.update(request.caller, request.params.divisionId, request.body),
  );

  app.delete<{ Params: P; Querystring: { force?: boolean } }>(
    '/api/v2/authorization/divisions/:divisionId',
    {
      schema: { params: Params, querystring: Type.Object({ force: Type.Optional(Type.Boolean()) }) },
      config: { permission: 'authorization:division:delete' },
    },
    async (request, reply) => {
      await divisions.remove(request.caller, request.params.divisionId, !!request.query.force);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: P; Body: Partial<DivisionBody> }>(
    '/api/v2/authorization/divisions/:divisionId/restore',
    {
      schema: { params: Params, body: RestoreDivisionBody, response: { 200: Division } },
      config: { permission: 'authorization:division:add' },
    },
    async (request) => divisions.restore(request.caller, request.params.divisionId, request.body ?? {}),
  );

  app.get<{ Params: P; Querystring: Paging }>(
    '/api/v2/authorization/divisions/:divisionId/grants',
    {
      schema: { params: Params, querystring: Type.Object(PagingQuery), response: { 200: DivisionGrantListing } },
      config: { permission: 'authorization:grant:view' },
    },
    async (request) => divisions.grants(request.caller.principal, request.params.divisionId, parsePage(request.query)),
  );

  // Upstream declares no permission: the object type's own (USER: directory:user:edit) is checked in both
  // divisions by the service. The route asks for division view so that it is never open to any token.
  app.post<{ Params: P & { objectType: string }; Body: string[] }>(
    '/api/v2/authorization/divisions/:divisionId/objects/:objectType',
    {
      schema: {
        params: Type.Object({ ...Params.properties, objectType: Type.String({ maxLength: 64 }) }),
        body: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 500 }),
      },
      config: { permission: VIEW },
    },
    async (request, reply) => {
      await divisions.moveObjects(request.caller, request.params.divisionId, request.params.objectType, request.body);
      return reply.code(204).send();
    },
  );
}

import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { divisionReach, reaches } from '../../platform/division-access.ts';
import { notFound } from '../../platform/errors/index.ts';
import { parsePage, splitList } from '../../platform/paging.ts';
import type { Principal } from '../../platform/principal.ts';
import { IdParam } from '../../platform/schemas.ts';
import { serializedOnce } from '../../platform/serialized-once.ts';
import type { DirectoryService } from './service.ts';
import type { UserView } from './views.ts';
import { CreateUser, UpdateUser, User, UserAuthorization, UserEntityListing, UserMe, UsersQuery } from './schemas.ts';
import { anyOf } from '../../platform/permissions.ts';

type UsersQueryT = {
  pageSize?: number;
  pageNumber?: number;
  id?: string[];
  sortOrder?: string;
  expand?: string[];
  state?: string;
};

const EDIT_USER = ['admin', 'directory:user:edit', 'directory:organization:admin'];

export function registerUserRoutes(app: FastifyInstance, { directory }: { directory: DirectoryService }) {
  /** A user outside every division where the caller holds one of `permissions` answers 404, as an unknown one. */
  async function requireUserInReach(principal: Principal, permissions: string[], userId: string) {
    const row = await directory.users.getRow(principal.orgId, userId);
    if (!permissions.some((p) => reaches(principal, p, row.division_id))) throw notFound('user', userId);
    return row;
  }

  app.get<{ Querystring: UsersQueryT }>(
    '/api/v2/users',
    {
      schema: { querystring: UsersQuery, response: { 200: UserEntityListing } },
    },
    async (request) => {
      const q = request.query;
      const descending = /^desc/i.test(q.sortOrder ?? 'ASC');
      return directory.users.list(
        request.caller.principal.orgId,
        q.state ?? 'active',
        splitList(q.id),
        descending,
        parsePage(q),
        q,
        splitList(q.expand),
        divisionReach(request.caller.principal, 'directory:user:view'),
      );
    },
  );

  app.post<{ Body: CreateUser }>(
    '/api/v2/users',
    {
      schema: { body: CreateUser, response: { 200: User } },
      config: { permission: 'directory:user:add' },
    },
    async (request) => {
      // A user is created in a division where the caller holds directory:user:add (the home one by default).
      const { principal } = request.caller;
      const target = request.body.divisionId ?? principal.homeDivisionId ?? null;
      if (!reaches(principal, 'directory:user:add', target)) throw notFound('division', String(target));
      return directory.users.create(principal.orgId, request.caller, request.body);
    },
  );

  const sendMe = serializedOnce();
  app.get<{ Querystring: { expand?: string[] } }>(
    '/api/v2/users/me',
    {
      schema: {
        querystring: Type.Object({ expand: Type.Optional(Type.Array(Type.String())) }),
        response: { 200: UserMe },
      },
    },
    async (request, reply) => {
      const expand = splitList(request.query.expand);
      // The principal carries the user's view, cached with the token's state (docs/decisions/0020):
      // without an expansion it is answered as it is, serialized once per cached principal.
      const cached = request.caller.principal.user as UserView | undefined;
      if (cached && expand.length === 0) return sendMe(reply, cached);
      const me = cached ?? (await directory.users.me(request.caller));
      const orgId = request.caller.principal.orgId;
      return {
        ...me,
        ...(expand.includes('organization') ? { organization: await directory.organizations.me(orgId) } : {}),
        ...(expand.includes('authorization')
          ? { authorization: await directory.roles.authorizationOf(orgId, me.id) }
          : {}),
      };
    },
  );

  app.get<{ Params: { userId: string }; Querystring: { expand?: string[] } }>(
    '/api/v2/users/:userId',
    {
      schema: {
        params: IdParam('userId'),
        querystring: Type.Object({ expand: Type.Optional(Type.Array(Type.String())) }),
        response: { 200: User },
      },
    },
    async (request) => {
      const { principal } = request.caller;
      const orgId = principal.orgId;
      // One read gives the row for the division check and the view shown (with its division's name).
      const { divisionId, view: user } = await directory.users.withView(orgId, request.params.userId);
      if (!reaches(principal, 'directory:user:view', divisionId)) throw notFound('user', request.params.userId);
      const expand = splitList(request.query.expand);
      return expand.includes('authorization')
        ? { ...user, authorization: await directory.roles.authorizationOf(orgId, user.id) }
        : user;
    },
  );

  app.patch<{ Params: { userId: string }; Body: UpdateUser }>(
    '/api/v2/users/:userId',
    {
      schema: { params: IdParam('userId'), body: UpdateUser, response: { 200: User } },
      config: { permission: anyOf(...EDIT_USER) },
    },
    async (request) => {
      await requireUserInReach(request.caller.principal, EDIT_USER, request.params.userId);
      return directory.users.patch(request.caller.principal.orgId, request.caller, request.params.userId, request.body);
    },
  );

  app.get<{ Params: { subjectId: string } }>(
    '/api/v2/users/:subjectId/roles',
    {
      schema: { params: IdParam('subjectId'), response: { 200: UserAuthorization } },
      config: { permission: 'authorization:grant:view' },
    },
    async (request) => {
      const orgId = request.caller.principal.orgId;
      await requireUserInReach(request.caller.principal, ['authorization:grant:view'], request.params.subjectId);
      return directory.roles.authorizationOf(orgId, request.params.subjectId);
    },
  );

  app.put<{ Params: { subjectId: string }; Body: string[] }>(
    '/api/v2/users/:subjectId/roles',
    {
      schema: {
        params: IdParam('subjectId'),
        body: Type.Array(Type.String(), { maxItems: 500 }),
        response: { 200: UserAuthorization },
      },
      config: { permission: 'authorization:grant:add' },
    },
    async (request) => {
      await requireUserInReach(request.caller.principal, ['authorization:grant:add'], request.params.subjectId);
      return directory.replaceUserRoles(request.caller, request.params.subjectId, request.body);
    },
  );
}

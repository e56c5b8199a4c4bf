/** /api/v2/routing/queues: queues (create, list, get, update, delete) and their members. */
import type { FastifyInstance } from 'fastify';
import { parsePage, splitList } from '../../platform/paging.ts';
import {
  MemberListQuery,
  MemberParams,
  MemberPatch,
  MembersBody,
  MembersQuery,
  Queue,
  QueueEntityListing,
  QueueListQuery,
  QueueMemberEntityListing,
  QueueParams,
  QueueRequest,
} from './schemas.ts';
import type { RoutingService } from './service.ts';

const ANY = (...list: string[]) => ({ type: 'ANY' as const, list });
const VIEW = ANY('routing:queue:view');
const EDIT = ANY('routing:queue:edit');

type Params = { Params: { queueId: string } };
type Paging = { pageSize?: number; pageNumber?: number };

export function registerRoutingRoutes(app: FastifyInstance, { routing }: { routing: RoutingService }) {
  app.get<{ Querystring: Paging & { name?: string; id?: string | string[] } }>(
    '/api/v2/routing/queues',
    {
      schema: { querystring: QueueListQuery, response: { 200: QueueEntityListing } },
      config: { permission: VIEW },
    },
    async (request) => {
      const ids = splitList(request.query.id);
      const filter = { name: request.query.name || undefined, ...(ids.length ? { ids } : {}) };
      return routing.list(request.caller, parsePage(request.query), filter, request.query);
    },
  );

  app.post<{ Body: QueueRequest }>(
    '/api/v2/routing/queues',
    {
      schema: { body: QueueRequest, response: { 200: Queue } },
      config: { permission: ANY('routing:queue:add', 'routing:queue:edit') },
    },
    async (request) => routing.create(request.caller, request.caller.principal.orgId, request.body),
  );

  app.get<Params>(
    '/api/v2/routing/queues/:queueId',
    { schema: { params: QueueParams, response: { 200: Queue } }, config: { permission: VIEW } },
    async (request) => routing.get(request.caller, request.params.queueId),
  );

  app.put<Params & { Body: QueueRequest }>(
    '/api/v2/routing/queues/:queueId',
    { schema: { params: QueueParams, body: QueueRequest, response: { 200: Queue } }, config: { permission: EDIT } },
    async (request) => routing.update(request.caller, request.params.queueId, request.body),
  );

  app.delete<Params>(
    '/api/v2/routing/queues/:queueId',
    { schema: { params: QueueParams }, config: { permission: ANY('routing:queue:delete') } },
    async (request, reply) => {
      await routing.remove(request.caller, request.params.queueId);
      return reply.code(200).send();
    },
  );

  app.get<Params & { Querystring: Paging & { joined?: boolean } }>(
    '/api/v2/routing/queues/:queueId/members',
    {
      schema: { params: QueueParams, querystring: MemberListQuery, response: { 200: QueueMemberEntityListing } },
      config: { permission: VIEW },
    },
    async (request) =>
      routing.members(
        request.caller,
        request.params.queueId,
        parsePage(request.query),
        request.query.joined,
        request.query,
      ),
  );

  // Upstream's bulk form: a list of users to add, or with ?delete=true to remove.
  app.post<Params & { Body: { id: string }[]; Querystring: { delete?: boolean } }>(
    '/api/v2/routing/queues/:queueId/members',
    { schema: { params: QueueParams, body: MembersBody, querystring: MembersQuery }, config: { permission: EDIT } },
    async (request, reply) => {
      const ids = request.body.map((m) => m.id);
      await routing.changeMembers(
        request.caller,
        request.caller.principal.orgId,
        request.params.queueId,
        ids,
        request.query.delete === true,
      );
      return reply.code(200).send();
    },
  );

  app.patch<{ Params: { queueId: string; memberId: string }; Body: { joined?: boolean } }>(
    '/api/v2/routing/queues/:queueId/members/:memberId',
    { schema: { params: MemberParams, body: MemberPatch }, config: { permission: EDIT } },
    async (request, reply) => {
      if (request.body.joined !== undefined)
        await routing.setJoined(request.caller, request.params.queueId, request.params.memberId, request.body.joined);
      return reply.code(202).send();
    },
  );
}

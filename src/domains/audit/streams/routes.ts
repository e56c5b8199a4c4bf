import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parsePage } from '../../../platform/paging.ts';
import { IdParam, PagingQuery } from '../../../platform/schemas.ts';
import { AuditStream, AuditStreamListing, AuditStreamRequest } from './schemas.ts';
import type { Streams } from './service.ts';

const Params = IdParam('streamId');

export function registerStreamRoutes(app: FastifyInstance, { streams }: { streams: Streams }) {
  app.get<{ Querystring: { pageSize?: number; pageNumber?: number } }>(
    '/api/v2/audits/streams',
    {
      schema: { querystring: Type.Object(PagingQuery), response: { 200: AuditStreamListing } },
      config: { permission: 'integrations:integration:view' },
    },
    async (request) => streams.list(request.caller.principal.orgId, parsePage(request.query), request.query),
  );

  app.post<{ Body: AuditStreamRequest }>(
    '/api/v2/audits/streams',
    {
      schema: { body: AuditStreamRequest, response: { 200: AuditStream } },
      config: { permission: 'integrations:integration:add' },
    },
    async (request) => streams.create(request.caller, request.body),
  );

  app.get<{ Params: { streamId: string } }>(
    '/api/v2/audits/streams/:streamId',
    {
      schema: { params: Params, response: { 200: AuditStream } },
      config: { permission: 'integrations:integration:view' },
    },
    async (request) => streams.get(request.caller.principal.orgId, request.params.streamId),
  );

  app.patch<{ Params: { streamId: string }; Body: AuditStreamRequest }>(
    '/api/v2/audits/streams/:streamId',
    {
      schema: { params: Params, body: AuditStreamRequest, response: { 200: AuditStream } },
      config: { permission: 'integrations:integration:edit' },
    },
    async (request) => streams.update(request.caller, request.params.streamId, request.body),
  );

  app.post<{ Params: { streamId: string } }>(
    '/api/v2/audits/streams/:streamId/secret',
    {
      schema: { params: Params, response: { 200: AuditStream } },
      config: { permission: 'integrations:integration:edit' },
    },
    async (request) => streams.regenerateSecret(request.caller, request.params.streamId),
  );

  app.delete<{ Params: { streamId: string } }>(
    '/api/v2/audits/streams/:streamId',
    {
      schema: { params: Params },
      config: { permission: 'integrations:integration:delete' },
    },
    async (request, reply) => {
      await streams.remove(request.caller, request.params.streamId);
      return reply.code(204).send();
    },
  );
}

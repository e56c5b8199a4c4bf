import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { splitList } from '../../platform/paging.ts';
import { IdParam, QueryList } from '../../platform/schemas.ts';
import type { AsyncQueryBody } from './async-queries.ts';
import type { AuditService, RealtimeQuery } from './service.ts';
import {
  AsyncQueryBodySchema,
  QueryResults,
  QueryStatus,
  RealtimeQueryBody,
  RealtimeResults,
  RelatedBody,
  RelatedResults,
  ServiceMapping,
} from './schemas.ts';

const permission = 'audits:audit:view';
const ExpandQuery = Type.Object({ expand: Type.Optional(QueryList) });

export function registerAuditRoutes(app: FastifyInstance, { audit }: { audit: AuditService }) {
  for (const url of ['/api/v2/audits/query/servicemapping', '/api/v2/audits/query/realtime/servicemapping']) {
    app.get(url, { schema: { response: { 200: ServiceMapping } }, config: { permission } }, async () =>
      audit.serviceMapping(),
    );
  }

  app.post<{ Body: RealtimeQuery; Querystring: { expand?: string[] } }>(
    '/api/v2/audits/query/realtime',
    {
      schema: { body: RealtimeQueryBody, querystring: ExpandQuery, response: { 200: RealtimeResults } },
      config: { permission },
    },
    async (request) => audit.realtime(request.caller, request.body, splitList(request.query.expand).includes('user')),
  );

  app.post<{ Body: AsyncQueryBody }>(
    '/api/v2/audits/query',
    {
      schema: { body: AsyncQueryBodySchema, response: { 200: QueryStatus } },
      config: { permission },
    },
    async (request) => audit.submit(request.caller, request.body),
  );

  app.get<{ Params: { transactionId: string } }>(
    '/api/v2/audits/query/:transactionId',
    {
      schema: { params: IdParam('transactionId'), response: { 200: QueryStatus } },
      config: { permission },
    },
    async (request) => audit.status(request.caller, request.params.transactionId),
  );

  app.get<{
    Params: { transactionId: string };
    Querystring: { cursor?: string; pageSize?: number; expand?: string[] };
  }>(
    '/api/v2/audits/query/:transactionId/results',
    {
      schema: {
        params: IdParam('transactionId'),
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          expand: Type.Optional(QueryList),
          allowRedirect: Type.Optional(Type.Boolean()),
        }),
        response: { 200: QueryResults },
      },
      config: { permission },
    },
    async (request) =>
      audit.results(
        request.caller,
        request.params.transactionId,
        request.query.cursor,
        request.query.pageSize ?? 25,
        splitList(request.query.expand).includes('user'),
      ),
  );

  app.post<{ Body: { auditId: string; sort?: { name: string; sortOrder: string }[] } }>(
    '/api/v2/audits/query/realtime/related',
    {
      schema: { body: RelatedBody, response: { 200: RelatedResults } },
      config: { permission },
    },
    async (request) =>
      audit.related(request.caller, request.body.auditId, request.body.sort?.[0]?.sortOrder === 'ascending'),
  );
}

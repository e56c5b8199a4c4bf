import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IdParam } from '../../platform/schemas.ts';
import type { UsageQuery } from './reports.ts';
import type { AggregatesRequest } from './aggregates.ts';
import {
  ApiUsageQuery,
  ApiUsageQueryResult,
  ApiUsageSimpleSearch,
  ClientAggregatesRequest,
  ClientAggregatesResults,
  OrganizationAggregatesRequest,
  OrganizationAggregatesResults,
  UsageExecutionResult,
  UsageQueryResponse,
} from './schemas.ts';
import type { UsageService } from './service.ts';
import { anyOf, type PermissionRequirement } from '../../platform/permissions.ts';

const orgView = anyOf('oauth:client:view', 'usage:organization:view');
const clientView = anyOf('oauth:client:view', 'usage:client:view');
const searchView = anyOf('oauth:client:view', 'usage:simpleSearch:view');
const clientAggregates = anyOf('usage:client:view');
const ExecutionParams = IdParam('executionId');
const ClientParams = IdParam('clientId');
const JobParams = IdParam('jobId');
const ClientJobParams = Type.Object({
  clientId: Type.String({ maxLength: 64 }),
  jobId: Type.String({ maxLength: 64 }),
});
const PageQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 20 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
const ClientExecutionParams = Type.Object({
  clientId: Type.String({ maxLength: 64 }),
  executionId: Type.String({ maxLength: 64 }),
});

type SimpleSearchBody = {
  interval: string;
  metrics?: string[];
  oauthClientNames?: string[];
  httpMethods?: string[];
  templateUris?: string[];
};

export function registerUsageRoutes(app: FastifyInstance, { usage }: { usage: UsageService }) {
  const org = (request: { caller: { principal: { orgId: string } } }) => request.caller.principal.orgId;
  /** A client's usage answers only a caller holding the route's permission in the client's division (else 404). */
  const clientInReach = (request: FastifyRequest<{ Params: { clientId: string } }>, required: PermissionRequirement) =>
    usage.assertClientInReach(request.caller.principal, request.params.clientId, required.list);

  app.post<{ Body: UsageQuery }>(
    '/api/v2/usage/query',
    {
      schema: { body: ApiUsageQuery, response: { 200: UsageExecutionResult } },
      config: { permission: orgView },
    },
    async (request) => usage.submitOrganization(org(request), request.body),
  );

  app.get<{ Params: { executionId: string } }>(
    '/api/v2/usage/query/:executionId/results',
    {
      schema: { params: ExecutionParams, response: { 200: ApiUsageQueryResult } },
      config: { permission: orgView },
    },
    async (request) => usage.results(org(request), request.params.executionId),
  );

  // Beyond upstream: the console's "Export API Usage Data", the same rows as CSV.
  app.get<{ Params: { executionId: string } }>(
    '/api/v2/usage/query/:executionId/results/export',
    {
      schema: { params: ExecutionParams },
      config: { permission: orgView },
    },
    async (request, reply) => {
      const csv = await usage.csv(org(request), request.params.executionId);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="api-usage-${request.params.executionId}.csv"`)
        .send(csv);
    },
  );

  app.post<{ Body: SimpleSearchBody }>(
    '/api/v2/usage/simplesearch',
    {
      schema: { body: ApiUsageSimpleSearch, response: { 200: UsageExecutionResult } },
      config: { permission: searchView },
    },
    async (request) => usage.submitSimpleSearch(org(request), request.body),
  );

  app.get<{ Params: { executionId: string }; Querystring: { after?: string; pageSize?: number } }>(
    '/api/v2/usage/simplesearch/:executionId/results',
    {
      schema: {
        params: ExecutionParams,
        querystring: Type.Object({
          after: Type.Optional(Type.String({ maxLength: 20 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: ApiUsageQueryResult },
      },
      config: { permission: searchView },
    },
    async (request) =>
      usage.pagedResults(org(request), request.params.executionId, request.query.after, request.query.pageSize ?? 100),
  );

  app.post<{ Params: { clientId: string }; Body: UsageQuery }>(
    '/api/v2/oauth/clients/:clientId/usage/query',
    {
      schema: { params: ClientParams, body: ApiUsageQuery, response: { 200: UsageExecutionResult } },
      config: { permission: clientView },
    },
    async (request) => {
      await clientInReach(request, clientView);
      return usage.submitClient(org(request), request.params.clientId, request.body);
    },
  );

  app.get<{ Params: { clientId: string; executionId: string } }>(
    '/api/v2/oauth/clients/:clientId/usage/query/results/:executionId',
    {
      schema: { params: ClientExecutionParams, response: { 200: ApiUsageQueryResult } },
      config: { permission: clientView },
    },
    async (request) => {
      await clientInReach(request, clientView);
      return usage.results(org(request), request.params.executionId, request.params.clientId);
    },
  );

  app.get<{ Params: { clientId: string }; Querystring: { days?: string } }>(
    '/api/v2/oauth/clients/:clientId/usage/summary',
    {
      schema: {
        params: ClientParams,
        querystring: Type.Object({ days: Type.Optional(Type.String({ maxLength: 4 })) }),
        response: { 200: UsageExecutionResult },
      },
      config: { permission: clientView },
    },
    async (request) => {
      await clientInReach(request, clientView);
      return usage.summary(
        org(request),
        request.params.clientId,
        request.query.days === undefined ? 7 : Number(request.query.days),
      );
    },
  );

  // The newer aggregate jobs (upstream permissions only: usage:organization:view, usage:client:view).
  app.post<{ Body: AggregatesRequest }>(
    '/api/v2/usage/aggregates/query/jobs',
    {
      schema: { body: OrganizationAggregatesRequest, response: { 200: UsageQueryResponse } },
      config: { permission: anyOf('usage:organization:view') },
    },
    async (request) => usage.submitAggregates(org(request), null, request.body),
  );

  app.get<{ Params: { jobId: string }; Querystring: { after?: string; pageSize?: number } }>(
    '/api/v2/usage/aggregates/query/jobs/:jobId',
    {
      schema: { params: JobParams, querystring: PageQuery, response: { 200: OrganizationAggregatesResults } },
      config: { permission: anyOf('usage:organization:view') },
    },
    async (request) =>
      usage.aggregatesResults(
        org(request),
        null,
        request.params.jobId,
        request.query.after,
        request.query.pageSize ?? 100,
      ),
  );

  app.post<{ Params: { clientId: string }; Body: AggregatesRequest }>(
    '/api/v2/usage/client/:clientId/aggregates/query/jobs',
    {
      schema: { params: ClientParams, body: ClientAggregatesRequest, response: { 200: UsageQueryResponse } },
      config: { permission: clientAggregates },
    },
    async (request) => {
      await clientInReach(request, clientAggregates);
      return usage.submitAggregates(org(request), request.params.clientId, request.body);
    },
  );

  app.get<{ Params: { clientId: string; jobId: string }; Querystring: { after?: string; pageSize?: number } }>(
    '/api/v2/usage/client/:clientId/aggregates/query/jobs/:jobId',
    {
      schema: { params: ClientJobParams, querystring: PageQuery, response: { 200: ClientAggregatesResults } },
      config: { permission: clientAggregates },
    },
    async (request) => {
      await clientInReach(request, clientAggregates);
      return usage.aggregatesResults(
        org(request),
        request.params.clientId,
        request.params.jobId,
        request.query.after,
        request.query.pageSize ?? 100,
      );
    },
  );
}

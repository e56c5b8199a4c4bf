/** /api/v2/analytics: conversation details (query and jobs) and queue observations. */
import type { FastifyInstance } from 'fastify';
import {
  AnalyticsConversationQueryResponse,
  AsyncConversationQuery,
  AsyncQueryResponse,
  AsyncQueryStatus,
  AsyncResults,
  ConversationQuery,
  DataAvailabilityResponse,
  JobParams,
  QueueObservationQuery,
  QueueObservationQueryResponse,
  ResultsQuery,
} from './schemas.ts';
import type { AnalyticsService } from './service.ts';
import { serializedOnce } from '../../platform/serialized-once.ts';

const ANY = (...list: string[]) => ({ type: 'ANY' as const, list });
const DETAILS = ANY('analytics:conversationDetail:view', 'analytics:agentConversationDetail:view');

type JobRequest = { Params: { jobId: string } };

export function registerAnalyticsRoutes(app: FastifyInstance, { analytics }: { analytics: AnalyticsService }) {
  // A one-conversation answer is one shared object per stored version: serialized once.
  const sendDetails = serializedOnce();
  app.post<{ Body: ConversationQuery }>(
    '/api/v2/analytics/conversations/details/query',
    {
      schema: { body: ConversationQuery, response: { 200: AnalyticsConversationQueryResponse } },
      config: { permission: DETAILS },
    },
    async (request, reply) => sendDetails(reply, await analytics.detailsQuery(request.caller, request.body)),
  );

  app.post<{ Body: AsyncConversationQuery }>(
    '/api/v2/analytics/conversations/details/jobs',
    {
      schema: { body: AsyncConversationQuery, response: { 202: AsyncQueryResponse } },
      config: { permission: DETAILS },
    },
    async (request, reply) => reply.code(202).send(await analytics.submitJob(request.caller, request.body)),
  );

  app.get(
    '/api/v2/analytics/conversations/details/jobs/availability',
    {
      schema: { response: { 200: DataAvailabilityResponse } },
      config: { permission: ANY('analytics:conversationDetail:view') },
    },
    async () => analytics.availability(),
  );

  app.get<JobRequest>(
    '/api/v2/analytics/conversations/details/jobs/:jobId',
    { schema: { params: JobParams, response: { 200: AsyncQueryStatus } }, config: { permission: DETAILS } },
    async (request) => analytics.jobStatus(request.caller, request.params.jobId),
  );

  app.delete<JobRequest>(
    '/api/v2/analytics/conversations/details/jobs/:jobId',
    { schema: { params: JobParams }, config: { permission: DETAILS } },
    async (request, reply) => {
      await analytics.deleteJob(request.caller, request.params.jobId);
      return reply.code(200).send();
    },
  );

  app.get<JobRequest & { Querystring: { cursor?: string; pageSize?: number } }>(
    '/api/v2/analytics/conversations/details/jobs/:jobId/results',
    {
      schema: { params: JobParams, querystring: ResultsQuery, response: { 200: AsyncResults } },
      config: { permission: DETAILS },
    },
    async (request) =>
      analytics.jobResults(request.caller, request.params.jobId, request.query.cursor, request.query.pageSize),
  );

  app.post<{ Body: QueueObservationQuery }>(
    '/api/v2/analytics/queues/observations/query',
    {
      schema: { body: QueueObservationQuery, response: { 200: QueueObservationQueryResponse } },
      config: { permission: ANY('analytics:queueObservation:view') },
    },
    async (request) => analytics.observations(request.caller, request.body),
  );
}

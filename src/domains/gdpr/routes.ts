/**
 * /api/v2/gdpr: upstream's subjects search and data-subject requests, plus the finished
 * request's results document (beyond upstream: upstream's resultsUrl points at its own storage).
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../platform/errors/index.ts';
import { parsePage } from '../../platform/paging.ts';
import type { RateLimits } from '../../platform/rate-limit.ts';
import type { SearchType } from '../../platform/personal-data.ts';
import {
  CreateQuery,
  GdprRequest,
  GdprRequestBody,
  type GdprRequestInput,
  GdprRequestListing,
  GdprSubjectListing,
  ListQuery,
  RequestParams,
  SubjectsQuery,
} from './schemas.ts';
import type { GdprService } from './service.ts';
import { anyOf } from '../../platform/permissions.ts';

const VIEW = anyOf('gdpr:request:view');

type Paging = { pageSize?: number; pageNumber?: number };
type Params = { Params: { requestId: string } };

/**
 * The seed: the GDPR API is for individual requests, not bulk deletion. Submissions have their
 * own per-organization budget (`--rate-limit-gdpr`), on top of the ordinary limits.
 */
async function checkGdprBudget(limits: RateLimits | undefined, orgId: string) {
  try {
    await limits?.check([['gdpr', orgId]]);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 429) throw err;
    const limit = limits!.settings.gdpr ?? 0;
    throw new ApiError(
      429,
      'too.many.requests',
      `This organization has submitted its ${limit} GDPR requests for this minute. The GDPR API is for individual data-subject requests, not bulk deletion: try again after Retry-After seconds.`,
      { messageParams: { limit: String(limit) }, headers: err.extra.headers },
    );
  }
}

export function registerGdprRoutes(app: FastifyInstance, { gdpr, limits }: { gdpr: GdprService; limits?: RateLimits }) {
  app.get<{ Querystring: Paging & { searchType: SearchType; searchValue: string } }>(
    '/api/v2/gdpr/subjects',
    {
      schema: { querystring: SubjectsQuery, response: { 200: GdprSubjectListing } },
      config: { permission: anyOf('gdpr:subject:view') },
    },
    async (request) =>
      gdpr.searchSubjects(
        request.caller,
        request.query.searchType,
        request.query.searchValue,
        parsePage(request.query),
        request.query,
      ),
  );

  app.post<{ Body: GdprRequestInput; Querystring: { deleteConfirmed?: boolean } }>(
    '/api/v2/gdpr/requests',
    {
      schema: { body: GdprRequestBody, querystring: CreateQuery, response: { 200: GdprRequest } },
      config: { permission: anyOf('gdpr:request:add') },
    },
    async (request) => {
      await checkGdprBudget(limits, request.caller.principal.orgId);
      return gdpr.submit(request.caller, request.body, request.query.deleteConfirmed === true);
    },
  );

  app.get<{ Querystring: Paging }>(
    '/api/v2/gdpr/requests',
    {
      schema: { querystring: ListQuery, response: { 200: GdprRequestListing } },
      config: { permission: VIEW },
    },
    async (request) => gdpr.list(request.caller, parsePage(request.query), request.query),
  );

  app.get<Params>(
    '/api/v2/gdpr/requests/:requestId',
    {
      schema: { params: RequestParams, response: { 200: GdprRequest } },
      config: { permission: VIEW },
    },
    async (request) => gdpr.get(request.caller, request.params.requestId),
  );

  app.get<Params>(
    '/api/v2/gdpr/requests/:requestId/results',
    {
      schema: { params: RequestParams },
      config: { permission: VIEW },
    },
    async (request, reply) => {
      const doc = await gdpr.results(request.caller, request.params.requestId);
      return reply
        .header(
          'content-disposition',
          `attachment; filename="gdpr-${doc.requestType.slice(5).toLowerCase()}-${doc.requestId}.json"`,
        )
        .send(doc);
    },
  );
}

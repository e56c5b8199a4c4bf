/**
 * Usage queries as upstream runs them: submit → execution id → results. The query runs as a
 * background job; its rows are kept with the execution (for an hour of re-reads and the CSV
 * export). Per-client queries and summaries see one client of the caller's organization only.
 */
import type { Clock } from '../../platform/clock.ts';
import { reachesAny } from '../../platform/division-access.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { DAY_MS } from '../../platform/interval.ts';
import type { JobRunner } from '../../platform/jobs.ts';
import type { Principal } from '../../platform/principal.ts';
import type { Db } from '../../storage/db.ts';
import type { UsageQueryRow } from '../../storage/schema.ts';
import {
  type AggregatesRequest,
  aggregatesQuery,
  type StoredAggregatesQuery,
  sortRows,
  toEntity,
} from './aggregates.ts';
import { createUsageStore } from './store.ts';
import { normalizeQuery, runUsageQuery, startOfUtcDay, type UsageQuery, type UsageRow, usageCsv } from './reports.ts';

const KEEP_MS = 3_600_000;

export interface ClientLookup {
  /**
   * The client's division (null: home), or undefined when the organization has no such client
   * (deleted clients keep their history but not their endpoints).
   */
  divisionOf(orgId: string, clientId: string): Promise<string | null | undefined>;
}

export function createUsageService(deps: { db: Db; clock: Clock; jobs: JobRunner; clients: ClientLookup }) {
  const { db, clock, jobs, clients } = deps;
  const store = createUsageStore(db);

  async function run(id: string) {
    const row = await store.byId(id);
    if (row?.state !== 'Running') return;
    try {
      const q = JSON.parse(row.query) as StoredAggregatesQuery;
      const rows = q.none
        ? []
        : await runUsageQuery(
            db,
            row.org_id,
            row.client_id ? { ...q, clientIds: [row.client_id] } : q,
            new Date(row.created_at),
          );
      await store.complete(id, JSON.stringify(rows));
    } catch (err) {
      const message = err instanceof ApiError ? err.message : 'The query could not be completed.';
      await store.fail(id, message);
      if (!(err instanceof ApiError)) throw err;
    }
  }

  async function submit(orgId: string, clientId: string | null, kind: string, q: UsageQuery) {
    normalizeQuery(q, clock.now());
    if (clientId && (await clients.divisionOf(orgId, clientId)) === undefined) throw notFound('OAuth client', clientId);
    const now = clock.now();
    const id = newId();
    await store.insert(
      {
        id,
        org_id: orgId,
        client_id: clientId,
        kind,
        query: JSON.stringify(q),
        state: 'Running',
        result: null,
        error: null,
        created_at: now.toISOString(),
      },
      new Date(now.getTime() - KEEP_MS),
    );
    jobs.enqueue('usage-query', () => run(id));
    const resultsUri =
      kind === 'aggregates'
        ? ''
        : clientId
          ? `/api/v2/oauth/clients/${clientId}/usage/query/results/${id}`
          : kind === 'simplesearch'
            ? `/api/v2/usage/simplesearch/${id}/results`
            : `/api/v2/usage/query/${id}/results`;
    return { executionId: id, resultsUri };
  }

  async function execution(orgId: string, id: string, clientId: string | null, kind: string): Promise<UsageQueryRow> {
    const row = await store.inOrganization(orgId, id);
    if (!row || row.client_id !== clientId || row.kind !== kind) throw notFound('usage query execution', id);
    return row;
  }

  function resultView(row: UsageQueryRow, rows: UsageRow[]) {
    if (row.state === 'Failed') return { results: [], queryStatus: 'Failed' };
    return { results: rows, queryStatus: row.state };
  }

  return {
    /**
     * 404 unless the client exists and the caller holds one of `permissions` in its division: a
     * client's usage is as invisible as the client itself (platform/division-access.ts).
     */
    async assertClientInReach(principal: Principal, clientId: string, permissions: readonly string[]) {
      const divisionId = await clients.divisionOf(principal.orgId, clientId);
      if (divisionId === undefined || !reachesAny(principal, permissions, divisionId))
        throw notFound('OAuth client', clientId);
    },

    /** POST /api/v2/usage/query */
    submitOrganization: (orgId: string, q: UsageQuery) =>
      submit(orgId, null, 'query', {
        interval: q.interval,
        granularity: q.granularity,
        metrics: q.metrics,
        groupBy: q.groupBy,
      }),

    /** POST /api/v2/oauth/clients/{clientId}/usage/query (no UserId grouping upstream) */
    submitClient(orgId: string, clientId: string, q: UsageQuery) {
      if (q.groupBy?.includes('UserId')) throw invalidValue('groupBy', 'A client query cannot group by UserId.');
      return submit(orgId, clientId, 'query', {
        interval: q.interval,
        granularity: q.granularity,
        metrics: q.metrics,
        groupBy: q.groupBy,
      });
    },

    /** GET /api/v2/oauth/clients/{clientId}/usage/summary?days=N: per-day totals of the last N whole UTC days. */
    summary(orgId: string, clientId: string, days: number) {
      if (!Number.isInteger(days) || days < 1 || days > 366)
        throw invalidValue('days', 'days must be a whole number from 1 to 366.');
      const end = startOfUtcDay(clock.now());
      const start = new Date(end.getTime() - days * DAY_MS);
      return submit(orgId, clientId, 'query', {
        interval: `${start.toISOString()}/${end.toISOString()}`,
        granularity: 'Day',
      });
    },

    /** POST /api/v2/usage/simplesearch: Date × client × method × URL rows, filtered. */
    submitSimpleSearch(
      orgId: string,
      q: {
        interval: string;
        metrics?: string[];
        oauthClientNames?: string[];
        httpMethods?: string[];
        templateUris?: string[];
      },
    ) {
      const counts = (q.metrics ?? []).filter((m) => m.startsWith('Status'));
      return submit(orgId, null, 'simplesearch', {
        interval: q.interval,
        granularity: 'Day',
        groupBy: ['OAuthClientId', 'HttpMethod', 'TemplateUri'],
        metrics: counts.length ? [...counts, 'Requests'] : undefined,
        clientNames: q.oauthClientNames,
        httpMethods: q.httpMethods,
        templateUris: q.templateUris,
      });
    },

    async results(orgId: string, id: string, clientId: string | null = null, kind = 'query') {
      const row = await execution(orgId, id, clientId, kind);
      return resultView(row, row.result ? (JSON.parse(row.result) as UsageRow[]) : []);
    },

    /** Simple search results, paged by an `after` cursor (the row offset). */
    async pagedResults(orgId: string, id: string, after: string | undefined, pageSize: number) {
      const row = await execution(orgId, id, null, 'simplesearch');
      const all = row.result ? (JSON.parse(row.result) as UsageRow[]) : [];
      const from = after === undefined ? 0 : Number.parseInt(after, 10);
      if (!Number.isInteger(from) || from < 0)
        throw invalidValue('after', 'after must be a cursor this server gave out.');
      const page = all.slice(from, from + pageSize);
      const next = from + pageSize < all.length ? String(from + pageSize) : undefined;
      return {
        ...resultView(row, page),
        cursors: {
          ...(from > 0 ? { before: String(Math.max(0, from - pageSize)) } : {}),
          ...(next ? { after: next } : {}),
        },
      };
    },

    /**
     * POST /api/v2/usage/aggregates/query/jobs and /api/v2/usage/client/{clientId}/aggregates/query/jobs:
     * the job runs in the background; its id reads its pages.
     */
    async submitAggregates(orgId: string, clientId: string | null, body: AggregatesRequest) {
      const q = aggregatesQuery(body, clock.now(), orgId, clientId ? 'client' : 'organization');
      const { executionId } = await submit(orgId, clientId, 'aggregates', q);
      const selfUri = clientId
        ? `/api/v2/usage/client/${clientId}/aggregates/query/jobs/${executionId}`
        : `/api/v2/usage/aggregates/query/jobs/${executionId}`;
      return { id: executionId, resultsUri: selfUri, selfUri };
    },

    /** GET …/aggregates/query/jobs/{jobId}?pageSize&after: the job's status and a page of its entities. */
    async aggregatesResults(
      orgId: string,
      clientId: string | null,
      id: string,
      after: string | undefined,
      pageSize: number,
    ) {
      const row = await execution(orgId, id, clientId, 'aggregates');
      const selfUri = clientId
        ? `/api/v2/usage/client/${clientId}/aggregates/query/jobs/${id}`
        : `/api/v2/usage/aggregates/query/jobs/${id}`;
      if (row.state === 'Failed') {
        return {
          queryStatus: 'Failed',
          errorBody: { status: 400, code: 'bad.request', message: row.error ?? 'The query failed.' },
          entities: [],
          selfUri,
        };
      }
      if (row.state !== 'Complete')
        return { queryStatus: row.state === 'Running' ? 'Running' : 'Queued', entities: [], selfUri };
      const from = after === undefined ? 0 : Number(after);
      if (!/^\d{1,9}$/.test(after ?? '0') || !Number.isSafeInteger(from))
        throw invalidValue('after', 'after must be a cursor this server gave out.');
      const q = JSON.parse(row.query) as StoredAggregatesQuery;
      const all = sortRows(JSON.parse(row.result ?? '[]') as UsageRow[], q.sortBy);
      const entities = all.slice(from, from + pageSize).map((r) => toEntity(r, clientId ? 'client' : 'organization'));
      const next =
        from + pageSize < all.length ? `${selfUri}?pageSize=${pageSize}&after=${from + pageSize}` : undefined;
      return { queryStatus: 'Succeeded', entities, ...(next ? { nextUri: next } : {}), selfUri };
    },

    /** The same rows as the results, as CSV. */
    async csv(orgId: string, id: string, clientId: string | null = null) {
      const row = await execution(orgId, id, clientId, 'query').catch(() => execution(orgId, id, null, 'simplesearch'));
      if (row.state !== 'Complete')
        throw new ApiError(409, 'query.not.complete', `The query is ${row.state}; export it once it is Complete.`);
      return usageCsv(JSON.parse(row.result ?? '[]') as UsageRow[]);
    },

    idle: () => jobs.idle(),
  };
}

export type UsageService = ReturnType<typeof createUsageService>;

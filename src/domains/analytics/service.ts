/**
 * Conversation analytics: the synchronous details query, asynchronous details jobs (submit →
 * status → cursor-paged results) and queue observations. The conversations domain owns the
 * interactions and answers the query; this domain checks requests, keeps the jobs and shapes
 * the answers.
 */
import type { Clock } from '../../platform/clock.ts';
import { divisionReach } from '../../platform/division-access.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { DAY_MS } from '../../platform/interval.ts';
import type { JobRunner } from '../../platform/jobs.ts';
import type { Caller } from '../../platform/principal.ts';
import type { Db } from '../../storage/db.ts';
import type { AnalyticsJobRow } from '../../storage/schema.ts';
import type { AnalyticsConversationView, ConversationsService, DetailsQuery } from '../conversations/index.ts';
import type { RoutingService } from '../routing/index.ts';
import { checkMetrics, observe, selectionOf } from './observations.ts';
import { ASYNC_MAX_DAYS, detailsQueryOf, pagingOf, SYNC_MAX_DAYS } from './query.ts';
import type { AsyncConversationQuery, ConversationQuery, QueueObservationQuery } from './schemas.ts';
import { createAnalyticsStore } from './store.ts';

/** How long a finished job's results stay readable. */
export const JOB_TTL_MS = DAY_MS;
const RESULTS_PAGE_DEFAULT = 100;
const RESULTS_PAGE_MAX = 1000;

const encodeCursor = (value: string, id: string) => Buffer.from(JSON.stringify([value, id])).toString('base64url');
function decodeCursor(cursor: string): { value: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')) return { value: v[0], id: v[1] };
  } catch {}
  throw invalidValue('cursor', 'cursor is not one this server gave out.');
}

const DETAIL_PERMISSIONS = ['analytics:conversationDetail:view', 'analytics:agentConversationDetail:view'];

/**
 * Only conversations of the divisions where the caller holds a details permission (others are as
 * invisible as to every other route: platform/division-access.ts).
 */
function inDivisions(caller: Caller, q: DetailsQuery): DetailsQuery {
  const reach = DETAIL_PERMISSIONS.map((p) => divisionReach(caller.principal, p));
  if (reach.some((r) => r.everywhere)) return q;
  const ids = [...new Set(reach.flatMap((r) => r.divisionIds))];
  const predicates = (ids.length ? ids : ['-']).map((value) => ({
    dimension: 'divisionId',
    operator: 'matches' as const,
    value,
  }));
  return { ...q, conversationFilters: [...q.conversationFilters, { type: 'or', predicates, clauses: [] }] };
}

/**
 * A caller holding only analytics:agentConversationDetail:view sees the conversations it took
 * part in (upstream's agent-scoped permission): a userId filter is added.
 */
function scoped(caller: Caller, query: DetailsQuery): DetailsQuery {
  const q = inDivisions(caller, query);
  const p = caller.principal.permissions;
  const full = p.some(
    (x) =>
      x === '*:*:*' ||
      x === 'analytics:*:*' ||
      x === 'analytics:conversationDetail:view' ||
      x === 'analytics:conversationDetail:*',
  );
  if (full) return q;
  const userId = caller.principal.userId ?? '00000000-0000-0000-0000-000000000000';
  return {
    ...q,
    segmentFilters: [
      ...q.segmentFilters,
      { type: 'and', predicates: [{ dimension: 'userId', operator: 'matches', value: userId }], clauses: [] },
    ],
  };
}

export function createAnalyticsService(deps: {
  db: Db;
  clock: Clock;
  jobs: JobRunner;
  conversations: ConversationsService;
  routing: RoutingService;
}) {
  const { db, clock, jobs, conversations, routing } = deps;
  const store = createAnalyticsStore();
  /** The answer of a query whose one hit is this (cached, per stored version) view. */
  const oneHit = new WeakMap<
    AnalyticsConversationView,
    { conversations: AnalyticsConversationView[]; totalHits: number }
  >();

  /** The job's query, its interval ending no later than the submission (a fixed result set). */
  const jobQuery = (row: AnalyticsJobRow): DetailsQuery => {
    const q = JSON.parse(row.query) as DetailsQuery;
    return q.end > row.created_at ? { ...q, end: row.created_at } : q;
  };

  async function run(id: string, orgId: string) {
    const row = await store.find(db, orgId, id);
    if (!row || (row.state !== 'QUEUED' && row.state !== 'PENDING')) return;
    await store.update(db, id, { state: 'PENDING' });
    try {
      const total = await conversations.countDetails(jobQuery(row));
      await store.update(db, id, { state: 'FULFILLED', total, finished_at: clock.now().toISOString() });
    } catch (err) {
      await store.update(db, id, {
        state: 'FAILED',
        error: 'The query could not be completed.',
        finished_at: clock.now().toISOString(),
      });
      throw err;
    }
  }

  async function loadJob(caller: Caller, id: string) {
    const row = isUuid(id) ? await store.find(db, caller.principal.orgId, id) : undefined;
    if (!row) throw notFound('analytics job', id);
    if (row.state === 'FULFILLED' && row.expires_at <= clock.now().toISOString()) return { ...row, state: 'EXPIRED' };
    return row;
  }

  return {
    async detailsQuery(caller: Caller, body: ConversationQuery) {
      const q = scoped(caller, detailsQueryOf(caller.principal.orgId, body, SYNC_MAX_DAYS));
      const { offset, limit } = pagingOf(body.paging);
      const { conversations: page, total } = await conversations.detailsQuery(q, offset, limit);
      // One hit: the same answer object while its view stands (the route serializes it once).
      if (page.length === 1 && total === 1) {
        const view = page[0]!;
        let answer = oneHit.get(view);
        if (!answer) {
          answer = { conversations: page, totalHits: 1 };
          oneHit.set(view, answer);
        }
        return answer;
      }
      // Upstream leaves `conversations` out when nothing matched.
      return { ...(page.length ? { conversations: page } : {}), totalHits: total };
    },

    async submitJob(caller: Caller, body: AsyncConversationQuery) {
      const q = scoped(caller, detailsQueryOf(caller.principal.orgId, body, ASYNC_MAX_DAYS));
      const now = clock.now();
      const row: AnalyticsJobRow = {
        id: newId(),
        org_id: caller.principal.orgId,
        query: JSON.stringify(q),
        state: 'QUEUED',
        total: null,
        error: null,
        created_by: caller.principal.userId,
        created_at: now.toISOString(),
        finished_at: null,
        expires_at: new Date(now.getTime() + JOB_TTL_MS).toISOString(),
      };
      await store.insert(db, row);
      jobs.enqueue('analytics-details-job', () => run(row.id, row.org_id));
      return { jobId: row.id };
    },

    async jobStatus(caller: Caller, id: string) {
      const row = await loadJob(caller, id);
      return {
        state: row.state,
        ...(row.error ? { errorMessage: row.error } : {}),
        submissionDate: row.created_at,
        ...(row.finished_at ? { completionDate: row.finished_at } : {}),
        expirationDate: row.expires_at,
      };
    },

    async jobResults(caller: Caller, id: string, cursor: string | undefined, pageSize: number | undefined) {
      const row = await loadJob(caller, id);
      if (row.state !== 'FULFILLED')
        throw new ApiError(400, 'bad.request', `The job is ${row.state}; results are readable once it is FULFILLED.`);
      const size = pageSize ?? RESULTS_PAGE_DEFAULT;
      if (!Number.isInteger(size) || size < 1 || size > RESULTS_PAGE_MAX)
        throw invalidValue('pageSize', `pageSize must be between 1 and ${RESULTS_PAGE_MAX}.`);
      const q = { ...jobQuery(row), ...(cursor ? { after: decodeCursor(cursor) } : {}) };
      const { conversations: page } = await conversations.detailsQuery(q, 0, size + 1, false);
      const more = page.length > size;
      const shown = page.slice(0, size);
      const lastShown = more ? shown[shown.length - 1] : undefined;
      const sortValue = (c: (typeof shown)[number]) =>
        q.orderBy === 'conversationEnd' ? (c.conversationEnd ?? '') : c.conversationStart;
      return {
        ...(shown.length ? { conversations: shown } : {}),
        ...(lastShown ? { cursor: encodeCursor(sortValue(lastShown), lastShown.conversationId) } : {}),
        dataAvailabilityDate: clock.now().toISOString(),
      };
    },

    async deleteJob(caller: Caller, id: string) {
      await loadJob(caller, id);
      await store.remove(db, caller.principal.orgId, id);
    },

    /** Interaction details are written as they happen: data is available up to now. */
    availability: () => ({ dataAvailabilityDate: clock.now().toISOString() }),

    async observations(caller: Caller, body: QueueObservationQuery) {
      checkMetrics(body);
      const sel = selectionOf(body.filter);
      const queues = await routing.visibleQueues(caller, sel.queueIds ?? undefined);
      if (sel.queueIds) {
        const known = new Set(queues.map((q) => q.id));
        const missing = sel.queueIds.find((id) => !known.has(id));
        if (missing) throw invalidValue('filter', `queue ${missing} is not a queue of this organization.`);
      }
      const orgId = caller.principal.orgId;
      const [active, members] = await Promise.all([
        conversations.active(orgId),
        routing.membershipsOf(
          orgId,
          queues.map((q) => q.id),
        ),
      ]);
      return observe(body, sel, { queues, active: active.map((a) => a.conversation), members, now: clock.now() });
    },

    /** Jobs a stopped process left behind run again. */
    async resume() {
      for (const j of await store.unfinished(db)) jobs.enqueue('analytics-details-job', () => run(j.id, j.org_id));
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

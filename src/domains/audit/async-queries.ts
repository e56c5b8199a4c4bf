/**
 * Asynchronous audit queries for any interval inside retention: submit → transaction id →
 * status → results by cursor. The job counts the matches; results are then read page by page
 * with a keyset cursor over the (immutable) events. The result set is fixed at submit time: the
 * interval's end is capped at the submission instant.
 */
import type { Clock } from '../../platform/clock.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { DAY_MS, parseInterval } from '../../platform/interval.ts';
import type { JobRunner } from '../../platform/jobs.ts';
import type { Caller } from '../../platform/principal.ts';
import type { Db } from '../../storage/db.ts';
import type { AuditQueryRow } from '../../storage/schema.ts';
import { type AuditFilter, createAuditStore } from './store.ts';
import { auditMessage } from './views.ts';

export interface AsyncQueryBody {
  interval: string;
  serviceName?: string;
  filters?: { property: string; value: string }[];
  sort?: { name: string; sortOrder: string }[];
}

export type FilterBuilder = (orgId: string, q: AsyncQueryBody, start: Date, end: Date) => AuditFilter;

const encodeCursor = (ts: string, id: string) => Buffer.from(JSON.stringify([ts, id])).toString('base64url');
function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')) return v as [string, string];
  } catch {}
  throw invalidValue('cursor', 'cursor is not one this server gave out.');
}

export function createAsyncQueries(deps: {
  db: Db;
  clock: Clock;
  jobs: JobRunner;
  retentionDays: number;
  toFilter: FilterBuilder;
}) {
  const { db, clock, jobs, retentionDays, toFilter } = deps;
  const store = createAuditStore();

  /**
   * The query's filter, its interval ending no later than the submission: events recorded after
   * the submit never join the results, so the count and every page read later describe the same
   * set (an interval ending in the future, as the viewer's footer sends, would otherwise keep growing).
   */
  const filterOf = (row: AuditQueryRow) => {
    const { start, end } = parseInterval(row.interval);
    const submitted = new Date(row.created_at);
    return toFilter(
      row.org_id,
      { interval: row.interval, serviceName: row.service_name ?? undefined, filters: JSON.parse(row.filters) },
      start,
      end > submitted ? submitted : end,
    );
  };
  const descending = (row: AuditQueryRow) =>
    (JSON.parse(row.sort) as { sortOrder: string }[])[0]?.sortOrder !== 'ascending';

  async function run(id: string, orgId: string) {
    const row = await store.findQuery(db, orgId, id);
    if (!row || (row.state !== 'Queued' && row.state !== 'Running')) return;
    await store.updateQuery(db, id, { state: 'Running' });
    try {
      const total = await store.count(db, filterOf(row));
      await store.updateQuery(db, id, { state: 'Succeeded', total, finished_at: clock.now().toISOString() });
    } catch (err) {
      await store.updateQuery(db, id, {
        state: 'Failed',
        error: 'The query could not be completed.',
        finished_at: clock.now().toISOString(),
      });
      throw err;
    }
  }

  const statusView = (row: AuditQueryRow) => ({
    id: row.id,
    state: row.state,
    startDate: row.created_at,
    interval: row.interval,
    ...(row.service_name ? { serviceName: row.service_name } : {}),
    filters: JSON.parse(row.filters),
    sort: JSON.parse(row.sort),
  });

  return {
    async submit(caller: Caller, q: AsyncQueryBody) {
      const { start, end } = parseInterval(q.interval);
      const oldest = clock.now().getTime() - retentionDays * DAY_MS;
      if (start.getTime() < oldest) {
        throw invalidValue(
          'interval',
          `Audit events are kept for ${retentionDays} days; the interval must start after ${new Date(oldest).toISOString()}.`,
        );
      }
      toFilter(caller.principal.orgId, q, start, end); // validates service, filters and sort now, not in the job
      const row: AuditQueryRow = {
        id: newId(),
        org_id: caller.principal.orgId,
        state: 'Queued',
        interval: q.interval,
        service_name: q.serviceName ?? null,
        filters: JSON.stringify(q.filters ?? []),
        sort: JSON.stringify(q.sort ?? [{ name: 'Timestamp', sortOrder: 'descending' }]),
        total: null,
        error: null,
        created_by: caller.principal.userId,
        created_at: clock.now().toISOString(),
        finished_at: null,
      };
      await store.insertQuery(db, row);
      jobs.enqueue('audit-query', () => run(row.id, row.org_id));
      return statusView(row);
    },

    async status(caller: Caller, id: string) {
      const row = await store.findQuery(db, caller.principal.orgId, id);
      if (!row) throw notFound('audit query', id);
      return statusView(row);
    },

    async results(caller: Caller, id: string, cursor: string | undefined, pageSize: number, expandUser: boolean) {
      const row = await store.findQuery(db, caller.principal.orgId, id);
      if (!row) throw notFound('audit query', id);
      if (row.state !== 'Succeeded')
        throw new ApiError(
          400,
          'bad.request',
          `The query is ${row.state}; results are available once it has Succeeded.`,
        );
      const rows = await store.page(
        db,
        filterOf(row),
        descending(row),
        cursor ? decodeCursor(cursor) : null,
        pageSize + 1,
      );
      const more = rows.length > pageSize;
      const pageRows = rows.slice(0, pageSize);
      const last = pageRows.at(-1);
      const names = expandUser
        ? await store.userNames(db, row.org_id, [
            ...new Set(pageRows.flatMap((r) => (r.actor_user_id ? [r.actor_user_id] : []))),
          ])
        : new Map<string, string>();
      return {
        id: row.id,
        pageSize,
        ...(more && last ? { cursor: encodeCursor(last.occurred_at, last.id) } : {}),
        entities: pageRows.map((r) => auditMessage(r, r.actor_user_id ? names.get(r.actor_user_id) : undefined)),
      };
    },

    /** Queries a stopped process left unfinished run again. */
    async resume() {
      for (const q of await store.unfinishedQueries(db)) jobs.enqueue('audit-query', () => run(q.id, q.org_id));
    },
  };
}

export type AsyncQueries = ReturnType<typeof createAsyncQueries>;

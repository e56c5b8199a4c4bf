/**
 * The read side of the audit trail: the realtime query (at most 14 days), the service mapping
 * (from the registry the domains fill, so it cannot go stale) and related events.
 */
import { auditServiceMapping } from '../../platform/audit.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { DAY_MS, parseInterval } from '../../platform/interval.ts';
import { parsePage } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { JobRunner } from '../../platform/jobs.ts';
import type { Db, Executor } from '../../storage/db.ts';
import type { AuditEventRow } from '../../storage/schema.ts';
import { createAsyncQueries } from './async-queries.ts';
import { type AuditFilter, createAuditStore } from './store.ts';
import { type AuditMessage, auditMessage } from './views.ts';

export const REALTIME_MAX_DAYS = 14;

const FILTER_COLUMNS = {
  UserId: 'userId',
  ClientId: 'clientId',
  Action: 'action',
  EntityType: 'entityType',
  EntityId: 'entityId',
} as const;

export interface RealtimeQuery {
  interval: string;
  serviceName?: string;
  filters?: { property: string; value: string }[];
  sort?: { name: string; sortOrder: string }[];
  pageNumber?: number;
  pageSize?: number;
}

const tooLong = () =>
  new ApiError(
    400,
    'bad.request',
    `The realtime query covers at most ${REALTIME_MAX_DAYS} days. For a longer interval submit an asynchronous query: POST /api/v2/audits/query.`,
    { details: [{ errorCode: 'invalid.value', fieldName: 'interval' }] },
  );

/** Service, filters and sort of a query, checked and turned into a store filter. */
function toFilter(
  orgId: string,
  q: {
    serviceName?: string;
    filters?: { property: string; value: string }[];
    sort?: { name: string; sortOrder: string }[];
  },
  start: Date,
  end: Date,
): AuditFilter {
  if (q.serviceName && !auditServiceMapping().some((s) => s.name === q.serviceName)) {
    throw invalidValue(
      'serviceName',
      `"${q.serviceName}" is not an audited service. See GET /api/v2/audits/query/servicemapping.`,
    );
  }
  const filter: AuditFilter = { orgId, from: start.toISOString(), to: end.toISOString(), serviceName: q.serviceName };
  for (const f of q.filters ?? []) {
    const key = FILTER_COLUMNS[f.property as keyof typeof FILTER_COLUMNS];
    if (!key)
      throw invalidValue('filters', `filters[].property must be one of ${Object.keys(FILTER_COLUMNS).join(', ')}.`);
    filter[key] = f.value;
  }
  const sort = q.sort?.[0];
  if (sort && (sort.name !== 'Timestamp' || !['ascending', 'descending'].includes(sort.sortOrder))) {
    throw invalidValue('sort', 'sort must be [{"name":"Timestamp","sortOrder":"ascending"|"descending"}].');
  }
  return filter;
}

export function createAuditService({
  db,
  clock,
  jobs,
  retentionDays,
}: {
  db: Db;
  clock: Clock;
  jobs: JobRunner;
  retentionDays: number;
}) {
  const store = createAuditStore();
  const asyncQueries = createAsyncQueries({ db, clock, jobs, retentionDays, toFilter });

  async function messages(orgId: string, rows: AuditEventRow[], expandUser: boolean) {
    const names = expandUser
      ? await store.userNames(db, orgId, [...new Set(rows.flatMap((r) => (r.actor_user_id ? [r.actor_user_id] : [])))])
      : new Map();
    return rows.map((r) => auditMessage(r, r.actor_user_id ? names.get(r.actor_user_id) : undefined));
  }

  return {
    ...asyncQueries,
    serviceMapping: () => ({ services: auditServiceMapping() }),

    /** Deletes what is past retention, and only that. Answers how many events went. */
    purgeExpired: () => store.purgeBefore(db, new Date(clock.now().getTime() - retentionDays * DAY_MS).toISOString()),

    async realtime(caller: Caller, q: RealtimeQuery, expandUser: boolean) {
      const { start, end } = parseInterval(q.interval);
      if (end.getTime() - start.getTime() > REALTIME_MAX_DAYS * DAY_MS) throw tooLong();
      const filter = toFilter(caller.principal.orgId, q, start, end);
      const sort = q.sort?.[0];
      const page = parsePage({ pageNumber: q.pageNumber, pageSize: q.pageSize });
      const [rows, total] = await Promise.all([
        store.query(db, filter, sort?.sortOrder !== 'ascending', page.offset, page.pageSize),
        store.count(db, filter),
      ]);
      return {
        entities: await messages(caller.principal.orgId, rows, expandUser),
        pageSize: page.pageSize,
        pageNumber: page.pageNumber,
        total,
        pageCount: Math.max(1, Math.ceil(total / page.pageSize)),
      };
    },

    /** The event, the chain of events that caused it, and everything caused from the root. */
    async related(caller: Caller, auditId: string, ascending: boolean) {
      const orgId = caller.principal.orgId;
      let root = await store.find(db, orgId, auditId);
      if (!root) throw notFound('audit event', auditId);
      for (let hops = 0; root.cause_event_id && hops < 50; hops++) {
        const parent = await store.find(db, orgId, root.cause_event_id);
        if (!parent) break;
        root = parent;
      }
      const seen = new Map<string, AuditEventRow>([[root.id, root]]);
      let frontier = [root.id];
      while (frontier.length && seen.size < 1000) {
        const next: string[] = [];
        for (const id of frontier) {
          for (const child of await store.causedBy(db, orgId, id)) {
            if (!seen.has(child.id)) {
              seen.set(child.id, child);
              next.push(child.id);
            }
          }
        }
        frontier = next;
      }
      const rows = [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      if (!ascending) rows.reverse();
      return { entities: await messages(orgId, rows, true) };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;

/**
 * The audit events of one entity (newest first, paged), as AuditLogMessage with the acting
 * user's name: the read side of an entity's own audit trail (e.g. an interaction's).
 */
export async function entityAuditTrail(
  db: Executor,
  q: { orgId: string; serviceName: string; entityId: string; offset: number; limit: number },
): Promise<{ entities: AuditMessage[]; total: number }> {
  const store = createAuditStore();
  // Every retained event: the window is the whole of time, the org and entity do the filtering.
  const filter = {
    orgId: q.orgId,
    from: '',
    to: '9999-12-31T23:59:59.999Z',
    serviceName: q.serviceName,
    entityId: q.entityId,
  };
  const [rows, total] = await Promise.all([store.query(db, filter, true, q.offset, q.limit), store.count(db, filter)]);
  const names = await store.userNames(db, q.orgId, [
    ...new Set(rows.flatMap((r) => (r.actor_user_id ? [r.actor_user_id] : []))),
  ]);
  return {
    entities: rows.map((r) => auditMessage(r, r.actor_user_id ? names.get(r.actor_user_id) : undefined)),
    total,
  };
}

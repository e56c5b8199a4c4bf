/**
 * The newer upstream usage API, asynchronous aggregate jobs
 * (`/api/v2/usage/aggregates/query/jobs`, `/api/v2/usage/client/{clientId}/aggregates/query/jobs`):
 * their request translated to the report engine's query, and its rows to the upstream entities
 * (OrganizationPublicApiUsage, ClientPublicApiUsage).
 *
 * Upstream's interval is inclusive at both ends ("Start and end are inclusive"): the job covers
 * the UTC days from the start's day through the end's day, at most 90 days after the start, and
 * never the current UTC day. Gatehouse records no platform: `Platform` grouping and `platforms`
 * are accepted and have no effect.
 */
import { invalidValue } from '../../platform/errors/index.ts';
import { DAY_MS } from '../../platform/interval.ts';
import { startOfUtcDay, type UsageQuery, type UsageRow } from './reports.ts';

export interface SortBy {
  fieldName?: string;
  order?: 'Asc' | 'Desc';
}

export interface AggregatesRequest {
  interval: string;
  granularity?: 'Day' | 'Week' | 'Month';
  sortBy?: SortBy[];
  metrics?: string[];
  templateUris?: string[];
  httpMethods?: string[];
  platforms?: string[];
  groupBy?: string[];
  /** Organization jobs. */
  userIds?: string[];
  oauthClientIds?: string[];
  /** Client jobs. */
  organizationIds?: string[];
}

/** What a job stores: the engine's query plus the sort its pages are read in. */
export interface StoredAggregatesQuery extends UsageQuery {
  sortBy?: SortBy[];
  /** Set when organizationIds excludes the caller's organization: the job has no rows. */
  none?: boolean;
}

const MAX_SPAN_DAYS = 90;

/** Parses one end of an upstream interval; a time without a zone is UTC. */
function instant(text: string | undefined): Date {
  const t = (text ?? '').trim();
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(t) || /^\d{4}-\d{2}-\d{2}$/.test(t) ? t : `${t}Z`;
  const d = new Date(zoned);
  if (!t || Number.isNaN(d.getTime())) {
    throw invalidValue(
      'interval',
      'interval must be an ISO-8601 interval "start/end", for example 2026-11-01T00:00:00/2026-11-07T00:00:00.',
    );
  }
  return d;
}

/** Translates an aggregates request into the report engine's query (days inclusive, UTC). */
export function aggregatesQuery(
  body: AggregatesRequest,
  now: Date,
  orgId: string,
  scope: 'organization' | 'client',
): StoredAggregatesQuery {
  const parts = body.interval.split('/');
  if (parts.length !== 2) instant('');
  const first = startOfUtcDay(instant(parts[0]));
  const lastDay = startOfUtcDay(instant(parts[1]));
  if (lastDay < first) throw invalidValue('interval', 'interval must end on or after its start.');
  if (first.getTime() < startOfUtcDay(now).getTime() - 365 * DAY_MS)
    throw invalidValue('interval', 'Start date cannot be more than a year ago.');
  if (lastDay.getTime() - first.getTime() > MAX_SPAN_DAYS * DAY_MS)
    throw invalidValue('interval', `End date cannot be more than ${MAX_SPAN_DAYS} days after the start.`);
  const end = new Date(lastDay.getTime() + DAY_MS);
  const groupBy = new Set<string>();
  for (const g of body.groupBy ?? []) {
    if (g === 'OauthClientId' || g === 'OauthClientName') groupBy.add('OAuthClientId');
    else if (g === 'UserId' || g === 'HttpMethod' || g === 'TemplateUri') groupBy.add(g);
    else if (g === 'OrganizationId') groupBy.add('OrganizationId');
    // Platform: not recorded here.
  }
  for (const s of body.sortBy ?? []) {
    if (s.order && s.order !== 'Asc' && s.order !== 'Desc')
      throw invalidValue('sortBy', 'sortBy order must be Asc or Desc.');
    if (s.fieldName && !SORT_FIELDS.includes(s.fieldName))
      throw invalidValue('sortBy', `sortBy fieldName must be among ${SORT_FIELDS.join(', ')}.`);
  }
  return {
    interval: `${first.toISOString()}/${end.toISOString()}`,
    granularity: body.granularity ?? 'Day',
    metrics: body.metrics,
    groupBy: [...groupBy],
    templateUris: body.templateUris,
    httpMethods: body.httpMethods,
    ...(scope === 'organization' ? { clientIds: body.oauthClientIds, userIds: body.userIds } : {}),
    ...(scope === 'client' && body.organizationIds?.length && !body.organizationIds.includes(orgId)
      ? { none: true }
      : {}),
    sortBy: body.sortBy,
  };
}

const SORT_FIELDS = [
  'date',
  'requestCount',
  'status200',
  'status300',
  'status400',
  'status429',
  'status500',
  'templateUri',
  'httpMethod',
  'oauthClientName',
  'oauthClientId',
  'userId',
  'organizationId',
];

type Entity = Record<string, unknown>;

/** One engine row as OrganizationPublicApiUsage / ClientPublicApiUsage. */
export function toEntity(r: UsageRow, scope: 'organization' | 'client'): Entity {
  const e: Entity = { date: r.date.slice(0, 10) };
  if (scope === 'organization') {
    if (r.clientId !== undefined)
      e.oauthClient = { id: r.clientId, name: r.clientName ?? '', selfUri: `/api/v2/oauth/clients/${r.clientId}` };
    if (r.userId) e.user = { id: r.userId, selfUri: `/api/v2/users/${r.userId}` };
  } else if (r.organizationId !== undefined) e.organizationId = r.organizationId;
  if (r.httpMethod !== undefined) e.httpMethod = r.httpMethod;
  if (r.templateUri !== undefined) e.templateUri = r.templateUri;
  if (r.requests !== undefined) e.requestCount = r.requests;
  for (const k of ['status200', 'status300', 'status400', 'status429', 'status500'] as const)
    if (r[k] !== undefined) e[k] = r[k];
  return e;
}

function sortValue(r: UsageRow, field: string): string | number {
  switch (field) {
    case 'requestCount':
      return r.requests ?? 0;
    case 'oauthClientName':
      return r.clientName ?? '';
    case 'oauthClientId':
      return r.clientId ?? '';
    default:
      return (r as unknown as Record<string, string | number | undefined>)[field] ?? '';
  }
}

/** The rows in the asked order (then the engine's: date, most requests first). */
export function sortRows(rows: UsageRow[], sortBy: SortBy[] | undefined): UsageRow[] {
  if (!sortBy?.length) return rows;
  return [...rows].sort((a, b) => {
    for (const s of sortBy) {
      if (!s.fieldName) continue;
      const x = sortValue(a, s.fieldName);
      const y = sortValue(b, s.fieldName);
      if (x !== y) return (x < y ? -1 : 1) * (s.order === 'Desc' ? -1 : 1);
    }
    return 0;
  });
}

/**
 * The usage report engine over the daily rollups (whole days: api_usage_daily and its per-client
 * and per-URL sums) and api_usage_hourly (single days, hours, ragged ends): filters, groups and sums, then folds days
 * into weeks (ISO, Monday) or months. Days are UTC days and the current UTC day is never
 * included (the seed: the report lags by one day). `Hour` granularity is beyond upstream: it
 * lets a single-day range draw its graph.
 */
import { sql } from 'kysely';
import { invalidValue } from '../../platform/errors/index.ts';
import { DAY_MS, parseInterval } from '../../platform/interval.ts';
import type { Executor } from '../../storage/db.ts';

export const METRICS = ['Requests', 'Status200', 'Status300', 'Status400', 'Status429', 'Status500'] as const;
export const GROUP_BY = ['OAuthClientId', 'OrganizationId', 'UserId', 'TemplateUri', 'HttpMethod'] as const;
export const GRANULARITIES = ['Hour', 'Day', 'Week', 'Month'] as const;
export const MAX_DAYS = 366;
export const MAX_ROWS = 20_000;

export type Metric = (typeof METRICS)[number];
export type GroupBy = (typeof GROUP_BY)[number];

export interface UsageQuery {
  interval: string;
  granularity?: string;
  metrics?: string[];
  groupBy?: string[];
  /** Filters (simple search and per-client queries). */
  clientIds?: string[];
  clientNames?: string[];
  userIds?: string[];
  httpMethods?: string[];
  templateUris?: string[];
}

export interface UsageRow {
  date: string;
  clientId?: string;
  clientName?: string;
  organizationId?: string;
  userId?: string;
  templateUri?: string;
  httpMethod?: string;
  requests?: number;
  status200?: number;
  status300?: number;
  status400?: number;
  status429?: number;
  status500?: number;
}

const COUNT_KEYS = ['requests', 'status200', 'status300', 'status400', 'status429', 'status500'] as const;
const metricKey = (m: Metric) => m.toLowerCase() as (typeof COUNT_KEYS)[number];

export const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** Checks a query and fixes its interval: whole UTC hours, never past the start of today. */
export function normalizeQuery(q: UsageQuery, now: Date) {
  const { start, end: askedEnd } = parseInterval(q.interval);
  const granularity = q.granularity ?? 'Day';
  if (!GRANULARITIES.includes(granularity as (typeof GRANULARITIES)[number])) {
    throw invalidValue('granularity', `granularity must be one of ${GRANULARITIES.join(', ')}.`);
  }
  for (const m of q.metrics ?? [])
    if (!METRICS.includes(m as Metric))
      throw invalidValue('metrics', `metrics must be among ${METRICS.join(', ')}; "${m}" is not.`);
  for (const g of q.groupBy ?? [])
    if (!GROUP_BY.includes(g as GroupBy))
      throw invalidValue('groupBy', `groupBy must be among ${GROUP_BY.join(', ')}; "${g}" is not.`);
  if (askedEnd.getTime() - start.getTime() > MAX_DAYS * DAY_MS)
    throw invalidValue('interval', `interval covers at most ${MAX_DAYS} days.`);
  const today = startOfUtcDay(now);
  const end = new Date(Math.min(askedEnd.getTime(), today.getTime()));
  return {
    start,
    end,
    granularity: granularity as (typeof GRANULARITIES)[number],
    metrics: (q.metrics?.length ? q.metrics : METRICS) as Metric[],
    groupBy: (q.groupBy ?? []) as GroupBy[],
  };
}

function bucketOf(day: string, granularity: string): string {
  if (granularity === 'Hour') return day;
  if (granularity === 'Month') return `${day.slice(0, 7)}-01T00:00:00.000Z`;
  const d = new Date(`${day.slice(0, 10)}T00:00:00.000Z`);
  if (granularity === 'Week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString();
}

/** groupBy dimension → column (the same in every table that has it). */
const DIMS = {
  OAuthClientId: 'client_id',
  OrganizationId: 'org_id',
  UserId: 'user_id',
  TemplateUri: 'template',
  HttpMethod: 'method',
} as const;

type DailyTable = 'api_usage_daily' | 'api_usage_daily_clients' | 'api_usage_daily_templates';
type Segment = { table: 'api_usage_hourly' | DailyTable; from: string; to: string };

/**
 * The narrowest daily rollup that holds every column the query groups or filters by: per client
 * (by client), per method and URL template (totals, by URL or method), else the full one.
 */
export function dailyTableFor(
  q: Pick<UsageQuery, 'clientIds' | 'clientNames' | 'userIds' | 'httpMethods' | 'templateUris'>,
  groupBy: readonly string[],
): DailyTable {
  const has = (xs?: string[]) => Boolean(xs?.length);
  const byClient = groupBy.includes('OAuthClientId') || has(q.clientIds) || has(q.clientNames);
  const byTemplate =
    groupBy.includes('TemplateUri') || groupBy.includes('HttpMethod') || has(q.httpMethods) || has(q.templateUris);
  if (groupBy.includes('UserId') || has(q.userIds) || (byClient && byTemplate)) return 'api_usage_daily';
  return byClient ? 'api_usage_daily_clients' : 'api_usage_daily_templates';
}

/**
 * Which table answers which part of the interval: whole UTC days from the daily rollup, the
 * ragged ends (an interval that starts or stops inside a day) and single-day or `Hour` queries
 * from the hourly rows.
 */
export function segmentsOf(
  start: Date,
  end: Date,
  granularity: string,
  daily: DailyTable = 'api_usage_daily',
): Segment[] {
  const hourly = (a: Date, b: Date): Segment => ({
    table: 'api_usage_hourly',
    from: a.toISOString(),
    to: b.toISOString(),
  });
  if (granularity === 'Hour' || end.getTime() - start.getTime() <= DAY_MS) return [hourly(start, end)];
  const firstDay =
    startOfUtcDay(start).getTime() === start.getTime() ? start : new Date(startOfUtcDay(start).getTime() + DAY_MS);
  const lastDay = startOfUtcDay(end);
  if (lastDay <= firstDay) return [hourly(start, end)];
  const out: Segment[] = [];
  if (start < firstDay) out.push(hourly(start, firstDay));
  out.push({ table: daily, from: firstDay.toISOString().slice(0, 10), to: lastDay.toISOString().slice(0, 10) });
  if (lastDay < end) out.push(hourly(lastDay, end));
  return out;
}

type NormalizedQuery = ReturnType<typeof normalizeQuery>;
type RawRow = Record<string, string | number | null>;

/** The period each row is summed into: hours, days, or (from the daily rollup) months. */
function periodOf(isDaily: boolean, granularity: string) {
  if (isDaily) return granularity === 'Month' ? sql<string>`substr(day, 1, 7)` : sql<string>`day`;
  return granularity === 'Hour' ? sql<string>`hour` : sql<string>`substr(hour, 1, 10)`;
}

/** One segment's sums, by period and the grouped dimensions, filtered as the query asks. */
async function segmentSums(db: Executor, orgId: string, seg: Segment, n: NormalizedQuery, q: UsageQuery) {
  const time = seg.table !== 'api_usage_hourly' ? 'day' : 'hour';
  const period = periodOf(seg.table !== 'api_usage_hourly', n.granularity);
  let query = db
    .selectFrom(seg.table as 'api_usage_hourly')
    .select(period.as('period'))
    .select((eb) => [
      eb.fn.sum<string | number>('requests').as('requests'),
      eb.fn.sum<string | number>('status200').as('status200'),
      eb.fn.sum<string | number>('status300').as('status300'),
      eb.fn.sum<string | number>('status400').as('status400'),
      eb.fn.sum<string | number>('status429').as('status429'),
      eb.fn.sum<string | number>('status500').as('status500'),
    ])
    .where('org_id', '=', orgId)
    .where(sql.ref(time), '>=', seg.from)
    .where(sql.ref(time), '<', seg.to);
  if (n.groupBy.includes('OAuthClientId')) query = query.select((eb) => eb.fn.max('client_name').as('client_name'));
  // The dimensions before the period: SQLite then reads a (org, client|template, day) index
  // in order and its groups arrive together (the report benchmark).
  for (const g of n.groupBy) query = query.select(DIMS[g]).groupBy(DIMS[g]);
  query = query.groupBy(period);
  if (q.clientIds?.length) query = query.where('client_id', 'in', q.clientIds);
  if (q.clientNames?.length) query = query.where('client_name', 'in', q.clientNames);
  if (q.userIds?.length) query = query.where('user_id', 'in', q.userIds);
  if (q.httpMethods?.length) query = query.where('method', 'in', q.httpMethods);
  if (q.templateUris?.length) query = query.where('template', 'in', q.templateUris);
  return (await query.execute()) as unknown as RawRow[];
}

/** A report row's date and grouped dimensions, its counts at zero. */
function emptyRow(date: string, r: RawRow, groupBy: readonly GroupBy[]): UsageRow & Record<string, unknown> {
  const row: UsageRow & Record<string, unknown> = { date };
  for (const g of groupBy) {
    const v = String(r[DIMS[g]] ?? '');
    if (g === 'OAuthClientId') {
      row.clientId = v;
      row.clientName = String(r.client_name ?? '');
    } else if (g === 'OrganizationId') row.organizationId = v;
    else if (g === 'UserId') {
      if (v) row.userId = v;
    } else if (g === 'TemplateUri') row.templateUri = v;
    else row.httpMethod = v;
  }
  for (const k of COUNT_KEYS) row[k] = 0;
  return row;
}

/** The segments' sums folded into the query's periods (weeks and months from days), by date then most requests. */
function fold(raw: RawRow[], n: NormalizedQuery): (UsageRow & Record<string, unknown>)[] {
  const buckets = new Map<string, UsageRow & Record<string, unknown>>();
  for (const r of raw) {
    const p = String(r.period);
    const date = bucketOf(
      p.length === 7 ? `${p}-01T00:00:00.000Z` : p.length === 10 ? `${p}T00:00:00.000Z` : p,
      n.granularity,
    );
    const key = [date, ...n.groupBy.map((g) => r[DIMS[g]])].join('\u0000');
    let row = buckets.get(key);
    if (!row) {
      row = emptyRow(date, r, n.groupBy);
      buckets.set(key, row);
    }
    for (const k of COUNT_KEYS) row[k] = (row[k] as number) + Number(r[k] ?? 0);
  }
  return [...buckets.values()].sort((a, b) =>
    a.date === b.date ? (b.requests ?? 0) - (a.requests ?? 0) : a.date < b.date ? -1 : 1,
  );
}

/** Runs a usage query for one organization (and, per client, one client). */
export async function runUsageQuery(db: Executor, orgId: string, q: UsageQuery, now: Date): Promise<UsageRow[]> {
  const n = normalizeQuery(q, now);
  if (n.end <= n.start) return [];
  const raw: RawRow[] = [];
  for (const seg of segmentsOf(n.start, n.end, n.granularity, dailyTableFor(q, n.groupBy)))
    raw.push(...(await segmentSums(db, orgId, seg, n, q)));
  const rows = fold(raw, n);
  if (rows.length > MAX_ROWS) {
    throw invalidValue(
      'interval',
      `The query gives more than ${MAX_ROWS} rows; narrow the interval, the filters or the groupBy.`,
    );
  }
  const keep = new Set(n.metrics.map(metricKey));
  for (const row of rows) for (const k of COUNT_KEYS) if (!keep.has(k)) delete row[k];
  return rows;
}

/** The rows as CSV (RFC 4180), the columns the rows carry, in a fixed order. */
export function usageCsv(rows: UsageRow[]): string {
  const columns = [
    'date',
    'clientId',
    'clientName',
    'organizationId',
    'userId',
    'httpMethod',
    'templateUri',
    ...COUNT_KEYS,
  ].filter((c) => rows.some((r) => (r as unknown as Record<string, unknown>)[c] !== undefined));
  const cell = (v: unknown) => {
    const raw = v === undefined || v === null ? '' : String(v);
    // A leading = + - @ would make a spreadsheet run the cell as a formula: quote it as text.
    const s = /^[=+\-@]/.test(raw) ? `'${raw}` : raw;
    return s !== raw || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell((r as unknown as Record<string, unknown>)[c])).join(','))].join('\r\n')}\r\n`;
}

/**
 * The daily usage rollups (0011_usage_daily): multi-day reports read api_usage_daily or its
 * per-client or per-URL sums, single days
 * and ragged interval ends read api_usage_hourly, and both give the figures the requests make
 * (@see issue 6, report benchmark). The migration fills the rollup from existing hourly rows.
 */
import { type Migration, Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createUsageMeter } from '../../src/domains/usage/index.ts';
import { runUsageQuery, type UsageRow } from '../../src/domains/usage/reports.ts';
import { createStorage } from '../../src/storage/db.ts';
import { migrationTableSchema } from '../../src/storage/dialect.ts';
import * as m0001 from '../../src/storage/migrations/0001_directory.ts';
import * as m0002 from '../../src/storage/migrations/0002_oauth.ts';
import * as m0003 from '../../src/storage/migrations/0003_audit.ts';
import * as m0004 from '../../src/storage/migrations/0004_oauth_flows.ts';
import * as m0005 from '../../src/storage/migrations/0005_audit_queries.ts';
import * as m0006 from '../../src/storage/migrations/0006_audit_streams.ts';
import * as m0007 from '../../src/storage/migrations/0007_usage.ts';
import { migrateToLatest } from '../../src/storage/migrations/index.ts';
import { DIALECTS, freshDatabase } from '../helpers/dialects.ts';

const ORG = 'org-1';
const OTHER_ORG = 'org-2';
const NOW = new Date('2026-11-20T08:00:00Z');
const STATUSES = [200, 200, 200, 201, 302, 400, 404, 429, 500, 503];

interface Req {
  orgId: string;
  clientId: string;
  clientName: string;
  userId: string | null;
  method: string;
  urlTemplate: string;
  status: number;
  at: Date;
}

/** 40 days of deterministic traffic: 6 clients, 7 templates, every status bucket, at varied hours. */
function traffic(): Req[] {
  const out: Req[] = [];
  const base = Date.parse('2026-10-10T00:00:00Z');
  for (let day = 0; day < 41; day++) {
    for (let i = 0; i < 60; i++) {
      const c = (i * 7 + day) % 6;
      const hour = (i * 5 + day * 3) % 24;
      out.push({
        orgId: i % 13 === 0 ? OTHER_ORG : ORG,
        clientId: `client-${c}`,
        clientName: `Client ${c}`,
        userId: c % 2 ? `user-${c}` : null,
        method: i % 3 ? 'GET' : 'POST',
        urlTemplate: `/api/v2/things/${(i + day) % 7}/{id}`,
        status: STATUSES[(i + day * 7) % STATUSES.length]!,
        at: new Date(base + day * 86_400_000 + hour * 3_600_000 + ((i * 13) % 60) * 60_000),
      });
    }
  }
  return out;
}

const KEYS = ['requests', 'status200', 'status300', 'status400', 'status429', 'status500'] as const;

/** The start of the report period a request falls in. */
function periodOf(at: string, granularity: string): string {
  if (granularity === 'Hour') return `${at.slice(0, 13)}:00:00.000Z`;
  const d = new Date(`${at.slice(0, 10)}T00:00:00.000Z`);
  if (granularity === 'Week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (granularity === 'Month') d.setUTCDate(1);
  return d.toISOString();
}

/** The report's dimension fields of a request, for these groupings. */
function dimsOf(r: Req, groupBy: string[]): Record<string, string> {
  const dims: Record<string, string> = {};
  for (const g of groupBy) {
    if (g === 'OAuthClientId') Object.assign(dims, { clientId: r.clientId, clientName: r.clientName });
    if (g === 'TemplateUri') dims.templateUri = r.urlTemplate;
    if (g === 'HttpMethod') dims.httpMethod = r.method;
    if (g === 'UserId' && r.userId) dims.userId = r.userId;
  }
  return dims;
}

/** Counts one request into its row's counters by status class (429 is a 400 as well). */
function countInto(c: Record<(typeof KEYS)[number], number>, status: number) {
  c.requests++;
  if (status >= 500) c.status500++;
  else if (status >= 400) {
    c.status400++;
    if (status === 429) c.status429++;
  } else if (status >= 300) c.status300++;
  else c.status200++;
}

/** The report computed straight from the requests: the oracle. */
function expected(
  reqs: Req[],
  from: string,
  to: string,
  granularity: string,
  groupBy: string[],
  clientIds?: string[],
): UsageRow[] {
  const rows = new Map<string, Record<string, unknown>>();
  for (const r of reqs) {
    const at = r.at.toISOString();
    if (r.orgId !== ORG || at < from || at >= to || (clientIds && !clientIds.includes(r.clientId))) continue;
    const date = periodOf(at, granularity);
    const dims = dimsOf(r, groupBy);
    const key = JSON.stringify([date, dims, groupBy.includes('UserId') ? r.userId : 0]);
    let row = rows.get(key);
    if (!row) {
      row = { date, ...dims, requests: 0, status200: 0, status300: 0, status400: 0, status429: 0, status500: 0 };
      rows.set(key, row);
    }
    countInto(row as Record<(typeof KEYS)[number], number>, r.status);
  }
  return sortRows([...rows.values()] as unknown as UsageRow[]);
}

const sortRows = (rows: UsageRow[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

const CASES: [label: string, from: string, to: string, granularity: string, groupBy: string[], clientIds?: string[]][] =
  [
    ['40 days by day', '2026-10-10T00:00:00.000Z', '2026-11-21T00:00:00.000Z', 'Day', []],
    ['by client, weekly', '2026-10-10T00:00:00.000Z', '2026-11-21T00:00:00.000Z', 'Week', ['OAuthClientId']],
    [
      'by URL and method, monthly',
      '2026-10-10T00:00:00.000Z',
      '2026-11-21T00:00:00.000Z',
      'Month',
      ['TemplateUri', 'HttpMethod'],
    ],
    ['by user, monthly', '2026-10-10T00:00:00.000Z', '2026-11-21T00:00:00.000Z', 'Month', ['UserId']],
    [
      'ragged ends (mid-day start and end), by day and client',
      '2026-10-12T13:00:00.000Z',
      '2026-10-30T07:00:00.000Z',
      'Day',
      ['OAuthClientId'],
    ],
    ['ragged ends, monthly', '2026-10-20T05:00:00.000Z', '2026-11-03T19:00:00.000Z', 'Month', ['TemplateUri']],
    [
      'one client, one week, by URL',
      '2026-11-02T00:00:00.000Z',
      '2026-11-09T00:00:00.000Z',
      'Day',
      ['TemplateUri'],
      ['client-3'],
    ],
    [
      'two clients, by day (the per-client rollup)',
      '2026-10-10T00:00:00.000Z',
      '2026-11-21T00:00:00.000Z',
      'Day',
      [],
      ['client-2', 'client-4'],
    ],
    [
      'by method, weekly (the per-URL rollup)',
      '2026-10-15T00:00:00.000Z',
      '2026-11-15T00:00:00.000Z',
      'Week',
      ['HttpMethod'],
    ],
    ['a single day, by hour', '2026-11-05T00:00:00.000Z', '2026-11-06T00:00:00.000Z', 'Hour', ['OAuthClientId']],
  ];

describe.each(DIALECTS)('daily usage rollup on %s', (dialect) => {
  it('gives the same figures as the requests for multi-day, ragged and single-day reports', async () => {
    const fresh = await freshDatabase(dialect);
    const storage = createStorage(fresh.url);
    const meter = createUsageMeter({
      db: storage.db,
      clock: { now: () => NOW },
      flushMs: 3_600_000,
      onError: (e) => {
        throw e;
      },
    });
    try {
      await migrateToLatest(storage);
      const reqs = traffic();
      // Several flushes, so the daily rows are added to as well as inserted.
      for (let i = 0; i < reqs.length; i++) {
        meter.record(reqs[i]!);
        if (i % 500 === 499) await meter.flush();
      }
      await meter.flush();
      const daily = await storage.db
        .selectFrom('api_usage_daily')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('requests').as('sum')])
        .executeTakeFirstOrThrow();
      const hourly = await storage.db
        .selectFrom('api_usage_hourly')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('requests').as('sum')])
        .executeTakeFirstOrThrow();
      expect(Number(daily.sum)).toBe(reqs.length);
      expect(Number(hourly.sum)).toBe(reqs.length);
      expect(Number(daily.n)).toBeLessThan(Number(hourly.n));
      for (const table of ['api_usage_daily_clients', 'api_usage_daily_templates'] as const) {
        const sums = await storage.db
          .selectFrom(table)
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('requests').as('sum')])
          .executeTakeFirstOrThrow();
        expect(Number(sums.sum), table).toBe(reqs.length);
        expect(Number(sums.n), table).toBeLessThan(Number(daily.n));
      }

      for (const [label, from, to, granularity, groupBy, clientIds] of CASES) {
        const got = await runUsageQuery(
          storage.db,
          ORG,
          { interval: `${from}/${to}`, granularity, groupBy, clientIds },
          NOW,
        );
        // Today (2026-11-20) is never included.
        const want = expected(
          reqs,
          from,
          to < NOW.toISOString().slice(0, 10) ? to : '2026-11-20T00:00:00.000Z',
          granularity,
          groupBy,
          clientIds,
        );
        expect(want.length, label).toBeGreaterThan(0);
        expect(sortRows(got), label).toEqual(want);
      }
    } finally {
      await meter.close?.();
      await storage.close();
      await fresh.drop();
    }
  });

  it('fills the rollup from the hourly rows already stored when the migration runs', async () => {
    const fresh = await freshDatabase(dialect);
    const storage = createStorage(fresh.url);
    try {
      // The store as it was before 0011: hourly rows only.
      const before: Record<string, Migration> = {
        '0001_directory': m0001,
        '0002_oauth': m0002,
        '0003_audit': m0003,
        '0004_oauth_flows': m0004,
        '0005_audit_queries': m0005,
        '0006_audit_streams': m0006,
        '0007_usage': m0007,
      };
      const migrator = new Migrator({
        db: storage.db,
        provider: { getMigrations: async () => before },
        migrationTableSchema: await migrationTableSchema(storage.dialect, storage.db),
      });
      const res = await migrator.migrateToLatest();
      expect(res.error).toBeUndefined();
      const row = (hour: string, client: string, requests: number, s400: number) => ({
        org_id: ORG,
        hour,
        client_id: client,
        user_id: '',
        method: 'GET',
        template: '/api/v2/users/{userId}',
        client_name: `Name ${client}`,
        requests,
        status200: requests - s400,
        status300: 0,
        status400: s400,
        status429: 0,
        status500: 0,
      });
      await storage.db
        .insertInto('api_usage_hourly')
        .values([
          row('2026-11-17T01:00:00.000Z', 'a', 5, 1),
          row('2026-11-17T23:00:00.000Z', 'a', 7, 2),
          row('2026-11-18T00:00:00.000Z', 'a', 11, 0),
          row('2026-11-17T12:00:00.000Z', 'b', 3, 3),
        ])
        .execute();

      await migrateToLatest(storage);

      const days = await storage.db
        .selectFrom('api_usage_daily')
        .selectAll()
        .orderBy('day')
        .orderBy('client_id')
        .execute();
      expect(
        days.map((d) => [d.day, d.client_id, Number(d.requests), Number(d.status200), Number(d.status400)]),
      ).toEqual([
        ['2026-11-17', 'a', 12, 9, 3],
        ['2026-11-17', 'b', 3, 0, 3],
        ['2026-11-18', 'a', 11, 11, 0],
      ]);
      const clients = await storage.db
        .selectFrom('api_usage_daily_clients')
        .selectAll()
        .orderBy('day')
        .orderBy('client_id')
        .execute();
      expect(clients.map((d) => [d.day, d.client_id, d.client_name, Number(d.requests)])).toEqual([
        ['2026-11-17', 'a', 'Name a', 12],
        ['2026-11-17', 'b', 'Name b', 3],
        ['2026-11-18', 'a', 'Name a', 11],
      ]);
      const templates = await storage.db.selectFrom('api_usage_daily_templates').selectAll().orderBy('day').execute();
      expect(templates.map((d) => [d.day, d.method, d.template, Number(d.requests), Number(d.status400)])).toEqual([
        ['2026-11-17', 'GET', '/api/v2/users/{userId}', 15, 6],
        ['2026-11-18', 'GET', '/api/v2/users/{userId}', 11, 0],
      ]);
      const report = await runUsageQuery(
        storage.db,
        ORG,
        { interval: '2026-11-01T00:00:00Z/2026-11-20T00:00:00Z', groupBy: ['OAuthClientId'], metrics: ['Requests'] },
        NOW,
      );
      expect(report).toEqual([
        { date: '2026-11-17T00:00:00.000Z', clientId: 'a', clientName: 'Name a', requests: 12 },
        { date: '2026-11-17T00:00:00.000Z', clientId: 'b', clientName: 'Name b', requests: 3 },
        { date: '2026-11-18T00:00:00.000Z', clientId: 'a', clientName: 'Name a', requests: 11 },
      ]);
    } finally {
      await storage.close();
      await fresh.drop();
    }
  });
});

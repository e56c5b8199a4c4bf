/**
 * API usage metering and the usage report: exact counts per client, URL template, method and
 * status bucket, in UTC days that never include today (@see issue 6, seeds/000 "API Usage").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { usageRows } from './helpers.ts';

const DAY1 = new Date('2026-11-18T09:30:00Z');
const DAY2 = new Date('2026-11-19T23:59:00Z');
const QUERY_AT = new Date('2026-11-20T08:00:00Z');
const INTERVAL = '2026-11-01T00:00:00Z/2026-11-21T00:00:00Z';

describe.each(DIALECTS)('API usage on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let a: { id: string; secret: string };
  let b: { id: string; secret: string };
  const clock = manualClock(DAY1);

  beforeAll(async () => {
    t = await startApp(dialect, { clock });
    a = await t.clientWithRole('Reporter A', 'Master Admin');
    b = await t.clientWithRole('Reporter B', 'Employee');
    const ta = await t.token(a.id, a.secret);
    const tb = await t.token(b.id, b.secret);
    // Day 1: A makes 7 × 200, 2 × 404 and 1 × 400; B makes 3 × 200 and 2 × 403.
    for (let i = 0; i < 7; i++) expect((await t.api('/api/v2/oauth/clients', { token: ta })).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await t.api('/api/v2/users/00000000-0000-0000-0000-000000000000', { token: ta })).status).toBe(404);
    expect((await t.api('/api/v2/authorization/roles', { method: 'POST', token: ta, body: { nope: 1 } })).status).toBe(
      400,
    );
    for (let i = 0; i < 3; i++) expect((await t.api('/api/v2/organizations/me', { token: tb })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await t.api('/api/v2/oauth/clients', { token: tb })).status).toBe(403);
    // Not counted: health checks and the console's own client.
    await t.api('/health');
    const login = await t.api('/console/api/session', {
      method: 'POST',
      body: { email: t.demo.adminEmail, password: ADMIN_PASSWORD },
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await t.api('/api/v2/users/me', { headers: { cookie } })).status).toBe(200);
    await t.gh.meter.flush();
    // Day 2, one minute before midnight UTC: A makes 4 more GETs.
    clock.set(DAY2);
    const ta2 = await t.token(a.id, a.secret);
    for (let i = 0; i < 4; i++) expect((await t.api('/api/v2/oauth/clients', { token: ta2 })).status).toBe(200);
    await t.gh.meter.flush();
    clock.set(QUERY_AT);
    // Today (not reported): 5 more.
    for (let i = 0; i < 5; i++) await t.api('/api/v2/oauth/clients', { token: ta2 });
    await t.gh.meter.flush();
    admin = await t.token();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts exactly, per client, URL template, method and status bucket, by UTC day', async () => {
    const { rows, result } = await usageRows(t, admin, {
      interval: INTERVAL,
      groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'],
    });
    validateShape('ApiUsageQueryResult', result);
    const mine = rows.filter((r) => r.clientId === a.id || r.clientId === b.id);
    const find = (date: string, client: string, uri: string) =>
      mine.find((r) => r.date.startsWith(date) && r.clientId === client && r.templateUri === uri);
    expect(find('2026-11-18', a.id, '/api/v2/oauth/clients')).toMatchObject({
      clientName: 'Reporter A',
      httpMethod: 'GET',
      requests: 7,
      status200: 7,
      status400: 0,
    });
    expect(find('2026-11-18', a.id, '/api/v2/users/{userId}')).toMatchObject({
      requests: 2,
      status200: 0,
      status400: 2,
      status429: 0,
    });
    expect(find('2026-11-18', a.id, '/api/v2/authorization/roles')).toMatchObject({
      httpMethod: 'POST',
      requests: 1,
      status400: 1,
    });
    expect(find('2026-11-18', b.id, '/api/v2/organizations/me')).toMatchObject({ requests: 3, status200: 3 });
    expect(find('2026-11-18', b.id, '/api/v2/oauth/clients')).toMatchObject({ requests: 2, status400: 2 });
    expect(find('2026-11-19', a.id, '/api/v2/oauth/clients')).toMatchObject({ requests: 4, status200: 4 });
    // Today is never included; the console's own requests and /health never counted.
    expect(rows.some((r) => r.date.startsWith('2026-11-20'))).toBe(false);
    expect(mine.reduce((n, r) => n + r.requests, 0)).toBe(7 + 2 + 1 + 3 + 2 + 4);
    expect(rows.every((r) => r.clientName !== 'Gatehouse Console')).toBe(true);
    expect(rows.some((r) => r.templateUri === '/health')).toBe(false);
  });

  it('groups by week and month, keeps only the asked metrics, and draws one day by the hour', async () => {
    const month = await usageRows(t, admin, {
      interval: INTERVAL,
      granularity: 'Month',
      groupBy: ['OAuthClientId'],
      metrics: ['Requests', 'Status400'],
    });
    const aMonth = month.rows.find((r) => r.clientId === a.id)!;
    expect(aMonth).toEqual({
      date: '2026-11-01T00:00:00.000Z',
      clientId: a.id,
      clientName: 'Reporter A',
      requests: 14,
      status400: 3,
    });
    const week = await usageRows(t, admin, { interval: INTERVAL, granularity: 'Week', groupBy: ['OAuthClientId'] });
    // 18 and 19 November 2026 are a Wednesday and a Thursday: one ISO week from Monday the 16th.
    expect(week.rows.filter((r) => r.clientId === a.id).map((r) => [r.date, r.requests])).toEqual([
      ['2026-11-16T00:00:00.000Z', 14],
    ]);
    const hours = await usageRows(t, admin, {
      interval: '2026-11-19T00:00:00Z/2026-11-20T00:00:00Z',
      granularity: 'Hour',
      groupBy: ['OAuthClientId'],
    });
    expect(hours.rows.filter((r) => r.clientId === a.id).map((r) => [r.date, r.requests])).toEqual([
      ['2026-11-19T23:00:00.000Z', 4],
    ]);
  });

  it('answers per-client queries and summaries for that client only', async () => {
    const { rows } = await usageRows(
      t,
      admin,
      { interval: INTERVAL, groupBy: ['TemplateUri'] },
      `/api/v2/oauth/clients/${b.id}/usage/query`,
    );
    expect(rows.map((r) => [r.templateUri, r.requests]).sort()).toEqual([
      ['/api/v2/oauth/clients', 2],
      ['/api/v2/organizations/me', 3],
    ]);
    const summary = await t.api(`/api/v2/oauth/clients/${a.id}/usage/summary?days=7`, { token: admin });
    validateShape('UsageExecutionResult', summary.body);
    await t.gh.usage.idle();
    expect(summary.body.resultsUri).toBe(
      `/api/v2/oauth/clients/${a.id}/usage/query/results/${summary.body.executionId}`,
    );
    const got = await t.api(`/api/v2/oauth/clients/${a.id}/usage/query/results/${summary.body.executionId}`, {
      token: admin,
    });
    expect(got.body.results.map((r: { date: string; requests: number }) => [r.date.slice(0, 10), r.requests])).toEqual([
      ['2026-11-18', 10],
      ['2026-11-19', 4],
    ]);
    const byUser = await t.api(`/api/v2/oauth/clients/${a.id}/usage/query`, {
      method: 'POST',
      token: admin,
      body: { interval: INTERVAL, groupBy: ['UserId'] },
    });
    expect(byUser.status).toBe(400);
    expect(byUser.body.details[0].fieldName).toBe('groupBy');
    // Another organization's client is not found; a result id cannot be read through another client.
    const other = await t.gh.directory.organizations.create('Usage Other', `usage-other-${dialect}`);
    const foreign = await t.gh.oauth.clients.create(other.org.id, null, {
      name: 'Foreign',
      grantType: 'CODE',
      redirectUris: ['https://foreign.example/cb'],
      scopes: ['users:readonly'],
    });
    expect((await t.api(`/api/v2/oauth/clients/${foreign.client.id}/usage/summary`, { token: admin })).status).toBe(
      404,
    );
    expect(
      (await t.api(`/api/v2/oauth/clients/${b.id}/usage/query/results/${summary.body.executionId}`, { token: admin }))
        .status,
    ).toBe(404);
  });

  it('exports the same figures as CSV', async () => {
    const { rows, executionId } = await usageRows(t, admin, {
      interval: INTERVAL,
      groupBy: ['OAuthClientId', 'TemplateUri'],
    });
    const json = await t.api(`/api/v2/usage/query/${executionId}/results`, { token: admin });
    expect(json.body.results).toEqual(rows);
    const csv = await t.api(`/api/v2/usage/query/${executionId}/results/export`, { token: admin });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...lines] = csv.text.trim().split('\r\n');
    const cols = header!.split(',');
    expect(lines).toHaveLength(rows.length);
    for (const [i, line] of lines.entries()) {
      const cells = line.split(',');
      expect(Number(cells[cols.indexOf('requests')])).toBe(rows[i]!.requests);
      expect(cells[cols.indexOf('templateUri')]).toBe(rows[i]!.templateUri);
    }
  });

  it('refuses bad queries with a 400 naming the field, and needs the permission', async () => {
    const bad: [object, string][] = [
      [{ interval: 'yesterday' }, 'interval'],
      [{ interval: '2025-01-01T00:00:00Z/2026-11-01T00:00:00Z' }, 'interval'],
      [{ interval: INTERVAL, granularity: 'Year' }, 'granularity'],
      [{ interval: INTERVAL, metrics: ['Status418'] }, 'metrics'],
      [{ interval: INTERVAL, groupBy: ['Planet'] }, 'groupBy'],
    ];
    for (const [body, field] of bad) {
      const r = await t.api('/api/v2/usage/query', { method: 'POST', token: admin, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      validateShape('ErrorBody', r.body);
      expect(r.body.details[0].fieldName).toBe(field);
    }
    const tb = await t.token(b.id, b.secret);
    const denied = await t.api('/api/v2/usage/query', { method: 'POST', token: tb, body: { interval: INTERVAL } });
    expect(denied.status).toBe(403);
  });

  it('finds rows by simple search, paged by cursor', async () => {
    const submitted = await t.api('/api/v2/usage/simplesearch', {
      method: 'POST',
      token: admin,
      body: { interval: INTERVAL, oauthClientNames: ['Reporter A'], httpMethods: ['GET'] },
    });
    expect(submitted.status).toBe(200);
    await t.gh.usage.idle();
    const id = submitted.body.executionId;
    expect(submitted.body.resultsUri).toBe(`/api/v2/usage/simplesearch/${id}/results`);
    const first = await t.api(`/api/v2/usage/simplesearch/${id}/results?pageSize=2`, { token: admin });
    expect(first.body.results).toHaveLength(2);
    const second = await t.api(
      `/api/v2/usage/simplesearch/${id}/results?pageSize=2&after=${first.body.cursors.after}`,
      { token: admin },
    );
    const all = [...first.body.results, ...second.body.results];
    expect(
      all.every(
        (r: { clientName: string; httpMethod: string }) => r.clientName === 'Reporter A' && r.httpMethod === 'GET',
      ),
    ).toBe(true);
    expect(all.reduce((n: number, r: { requests: number }) => n + r.requests, 0)).toBe(7 + 2 + 4);
    expect(second.body.cursors.after).toBeUndefined();
  });
});

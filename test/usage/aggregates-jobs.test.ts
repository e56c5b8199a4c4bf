/**
 * Upstream's asynchronous usage aggregate jobs: organization-wide and per client, in the upstream
 * shapes, run in the background, paged with a cursor, one organization's jobs invisible to
 * another (@see issue 6, "asynchronous execution id then results").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

const DAY1 = new Date('2026-11-17T09:30:00Z');
const DAY2 = new Date('2026-11-18T14:00:00Z');
const QUERY_AT = new Date('2026-11-20T08:00:00Z');
// Upstream intervals are inclusive: these are the UTC days 17 to 19 November.
const INTERVAL = '2026-11-17T00:00:00/2026-11-19T00:00:00';

describe.each(DIALECTS)('usage aggregate jobs on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let a: { id: string; secret: string };
  let b: { id: string; secret: string };
  const clock = manualClock(DAY1);

  /** Submits a job, waits for it, and reads its first page. */
  async function job(path: string, body: object, token = admin) {
    const submitted = await t.api(path, { method: 'POST', token, body });
    expect(submitted.status, submitted.text).toBe(200);
    await t.gh.usage.idle();
    return submitted.body as { id: string; selfUri: string; resultsUri: string };
  }

  beforeAll(async () => {
    t = await startApp(dialect, { clock });
    a = await t.clientWithRole('Jobs A', 'Master Admin');
    b = await t.clientWithRole('Jobs B', 'Employee');
    const ta = await t.token(a.id, a.secret);
    const tb = await t.token(b.id, b.secret);
    // Day 1: A 6 × GET 200 and 2 × GET 404 on users/{userId}; B 3 × GET 200.
    for (let i = 0; i < 6; i++) expect((await t.api('/api/v2/oauth/clients', { token: ta })).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await t.api('/api/v2/users/00000000-0000-0000-0000-000000000000', { token: ta })).status).toBe(404);
    for (let i = 0; i < 3; i++) expect((await t.api('/api/v2/organizations/me', { token: tb })).status).toBe(200);
    await t.gh.meter.flush();
    // Day 2: A 5 × GET 200.
    clock.set(DAY2);
    const ta2 = await t.token(a.id, a.secret);
    for (let i = 0; i < 5; i++) expect((await t.api('/api/v2/oauth/clients', { token: ta2 })).status).toBe(200);
    await t.gh.meter.flush();
    clock.set(QUERY_AT);
    admin = await t.token();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs an organization job in the background and gives its entities in the upstream shape', async () => {
    const submitted = await job('/api/v2/usage/aggregates/query/jobs', {
      interval: INTERVAL,
      granularity: 'Day',
      groupBy: ['OauthClientId', 'TemplateUri', 'HttpMethod'],
    });
    validateShape('OrganizationUsageQueryResponse', submitted);
    expect(submitted.selfUri).toBe(`/api/v2/usage/aggregates/query/jobs/${submitted.id}`);
    const res = await t.api(`/api/v2/usage/aggregates/query/jobs/${submitted.id}`, { token: admin });
    expect(res.status).toBe(200);
    validateShape('OrganizationPublicApiUsageResultsResponse', res.body);
    expect(res.body.queryStatus).toBe('Succeeded');
    const mine = res.body.entities.filter(
      (e: { oauthClient?: { id: string } }) => e.oauthClient?.id === a.id || e.oauthClient?.id === b.id,
    );
    const find = (date: string, client: string, uri: string) =>
      mine.find((e: any) => e.date === date && e.oauthClient.id === client && e.templateUri === uri);
    expect(find('2026-11-17', a.id, '/api/v2/oauth/clients')).toMatchObject({
      oauthClient: { id: a.id, name: 'Jobs A' },
      httpMethod: 'GET',
      requestCount: 6,
      status200: 6,
      status400: 0,
    });
    expect(find('2026-11-17', a.id, '/api/v2/users/{userId}')).toMatchObject({
      requestCount: 2,
      status200: 0,
      status400: 2,
    });
    expect(find('2026-11-17', b.id, '/api/v2/organizations/me')).toMatchObject({ requestCount: 3, status200: 3 });
    expect(find('2026-11-18', a.id, '/api/v2/oauth/clients')).toMatchObject({ requestCount: 5, status200: 5 });
    expect(mine.reduce((n: number, e: { requestCount: number }) => n + e.requestCount, 0)).toBe(6 + 2 + 3 + 5);
  });

  it('filters, keeps only the asked metrics, sorts, and pages with a cursor', async () => {
    const submitted = await job('/api/v2/usage/aggregates/query/jobs', {
      interval: INTERVAL,
      granularity: 'Month',
      groupBy: ['OauthClientName', 'TemplateUri'],
      metrics: ['Requests'],
      oauthClientIds: [a.id, b.id],
      sortBy: [{ fieldName: 'requestCount', order: 'Desc' }],
    });
    const first = await t.api(`/api/v2/usage/aggregates/query/jobs/${submitted.id}?pageSize=2`, { token: admin });
    validateShape('OrganizationPublicApiUsageResultsResponse', first.body);
    expect(first.body.entities).toEqual([
      {
        date: '2026-11-01',
        oauthClient: { id: a.id, name: 'Jobs A', selfUri: `/api/v2/oauth/clients/${a.id}` },
        templateUri: '/api/v2/oauth/clients',
        requestCount: 11,
      },
      {
        date: '2026-11-01',
        oauthClient: { id: b.id, name: 'Jobs B', selfUri: `/api/v2/oauth/clients/${b.id}` },
        templateUri: '/api/v2/organizations/me',
        requestCount: 3,
      },
    ]);
    expect(first.body.nextUri).toBe(`/api/v2/usage/aggregates/query/jobs/${submitted.id}?pageSize=2&after=2`);
    const second = await t.api(first.body.nextUri, { token: admin });
    expect(
      second.body.entities.map((e: { requestCount: number; templateUri: string }) => [e.templateUri, e.requestCount]),
    ).toEqual([['/api/v2/users/{userId}', 2]]);
    expect(second.body.nextUri).toBeUndefined();
    const bad = await t.api(`/api/v2/usage/aggregates/query/jobs/${submitted.id}?after=abc`, { token: admin });
    expect(bad.status).toBe(400);
  });

  it('answers a client job for that client only, and refuses a client of another organization', async () => {
    const submitted = await job(`/api/v2/usage/client/${a.id}/aggregates/query/jobs`, {
      interval: INTERVAL,
      groupBy: ['TemplateUri', 'OrganizationId'],
    });
    validateShape('ClientUsageQueryResponse', submitted);
    const res = await t.api(`/api/v2/usage/client/${a.id}/aggregates/query/jobs/${submitted.id}`, { token: admin });
    expect(res.status).toBe(200);
    validateShape('ClientPublicApiUsageResultsResponse', res.body);
    const orgId = (await t.api('/api/v2/organizations/me', { token: admin })).body.id;
    expect(res.body.entities.map((e: any) => [e.date, e.templateUri, e.organizationId, e.requestCount])).toEqual([
      ['2026-11-17', '/api/v2/oauth/clients', orgId, 6],
      ['2026-11-17', '/api/v2/users/{userId}', orgId, 2],
      ['2026-11-18', '/api/v2/oauth/clients', orgId, 5],
    ]);
    // The job is not readable through another client's path, nor as an organization job.
    expect(
      (await t.api(`/api/v2/usage/client/${b.id}/aggregates/query/jobs/${submitted.id}`, { token: admin })).status,
    ).toBe(404);
    expect((await t.api(`/api/v2/usage/aggregates/query/jobs/${submitted.id}`, { token: admin })).status).toBe(404);

    const other = await t.gh.directory.createOrganization('Jobs Other', `jobs-other-${dialect}.example`);
    const foreign = await t.gh.oauth.clients.create(other.org.id, null, {
      name: 'other admin',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: other.adminRoleId, divisionId: other.homeDivisionId }],
    });
    const otherToken = await t.token(foreign.client.id, foreign.secret);
    // Another organization cannot read this one's jobs or submit for its clients …
    expect(
      (await t.api(`/api/v2/usage/client/${a.id}/aggregates/query/jobs/${submitted.id}`, { token: otherToken })).status,
    ).toBe(404);
    const foreignSubmit = await t.api(`/api/v2/usage/client/${a.id}/aggregates/query/jobs`, {
      method: 'POST',
      token: otherToken,
      body: { interval: INTERVAL },
    });
    expect(foreignSubmit.status).toBe(404);
    validateShape('ErrorBody', foreignSubmit.body);
    // … and this one cannot submit for the other's client; its own organization job sees none of these counts.
    expect(
      (
        await t.api(`/api/v2/usage/client/${foreign.client.id}/aggregates/query/jobs`, {
          method: 'POST',
          token: admin,
          body: { interval: INTERVAL },
        })
      ).status,
    ).toBe(404);
    const theirs = await job('/api/v2/usage/aggregates/query/jobs', { interval: INTERVAL }, otherToken);
    expect((await t.api(`/api/v2/usage/aggregates/query/jobs/${theirs.id}`, { token: admin })).status).toBe(404);
    const theirRows = await t.api(`/api/v2/usage/aggregates/query/jobs/${theirs.id}`, { token: otherToken });
    expect(theirRows.body).toMatchObject({ queryStatus: 'Succeeded', entities: [] });
  });

  it('gives 404 for an unknown job, 400 for a bad interval, and needs the permission', async () => {
    const unknown = await t.api('/api/v2/usage/aggregates/query/jobs/00000000-0000-0000-0000-000000000000', {
      token: admin,
    });
    expect(unknown.status).toBe(404);
    validateShape('ErrorBody', unknown.body);
    expect(
      (
        await t.api(`/api/v2/usage/client/${a.id}/aggregates/query/jobs/00000000-0000-0000-0000-000000000000`, {
          token: admin,
        })
      ).status,
    ).toBe(404);
    const bad: object[] = [
      { interval: 'last week' },
      { interval: '2026-08-01T00:00:00/2026-11-19T00:00:00' }, // more than 90 days
      { interval: '2025-06-01T00:00:00/2025-06-02T00:00:00' }, // more than a year ago
      { interval: INTERVAL, granularity: 'Hour' },
      { interval: INTERVAL, groupBy: ['Planet'] },
    ];
    for (const body of bad) {
      const r = await t.api('/api/v2/usage/aggregates/query/jobs', { method: 'POST', token: admin, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      validateShape('ErrorBody', r.body);
    }
    const tb = await t.token(b.id, b.secret);
    expect(
      (await t.api('/api/v2/usage/aggregates/query/jobs', { method: 'POST', token: tb, body: { interval: INTERVAL } }))
        .status,
    ).toBe(403);
    expect(
      (
        await t.api(`/api/v2/usage/client/${b.id}/aggregates/query/jobs`, {
          method: 'POST',
          token: tb,
          body: { interval: INTERVAL },
        })
      ).status,
    ).toBe(403);
  });
});

/**
 * SCIM clients count against their own limit on the SCIM paths (the server's default, or the
 * one set on the client with the `scimRequestsPerMinute` extension), not the API's per-client
 * 300 a minute, so that an identity provider's push of thousands of users is not throttled into
 * hours. A 429 there is a SCIM error with Retry-After. @see issue #19
 */
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { ERROR } from './helpers.ts';

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

describe.each(DIALECTS)('SCIM rate limit on %s', (dialect) => {
  it('is the server default on SCIM paths, apart from the API limit, and settable per client', async () => {
    const clock = manualClock(new Date('2026-11-10T10:00:15Z'));
    const t = await startApp(dialect, {
      clock,
      env: { GATEHOUSE_RATE_LIMIT_CLIENT: '3', GATEHOUSE_RATE_LIMIT_SCIM: '8', GATEHOUSE_RATE_LIMIT_ORG: '0' },
    });
    apps.push(t);
    const admin = await t.token();
    const c = await t.clientWithRole('Okta provisioning', 'Master Admin');
    const token = await t.token(c.id, c.secret);
    const scim = () => t.api('/api/v2/scim/v2/Users?count=1', { token });
    const api = () => t.api('/api/v2/organizations/me', { token });

    // The SCIM default (8) applies to SCIM paths; the API's 3 to the rest, counted apart.
    const scimStatuses: number[] = [];
    for (let i = 0; i < 9; i++) scimStatuses.push((await scim()).status);
    expect(scimStatuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    const refused = await scim();
    expect(refused.headers.get('content-type')).toContain('application/scim+json');
    expect(refused.body).toMatchObject({ schemas: [ERROR], status: '429' });
    expect(refused.headers.get('retry-after')).toBe('45');
    expect([(await api()).status, (await api()).status, (await api()).status, (await api()).status]).toEqual([
      200, 200, 200, 429,
    ]);

    // The administrator gives the client its own limit (a Gatehouse extension on the OAuth client).
    const current = await t.api(`/api/v2/oauth/clients/${c.id}`, { token: admin });
    expect(current.body.scimRequestsPerMinute).toBeUndefined();
    const { id: _id, selfUri: _self, dateCreated: _c, dateModified: _m, ...body } = current.body;
    const put = await t.api(`/api/v2/oauth/clients/${c.id}`, {
      method: 'PUT',
      token: admin,
      body: { ...body, scimRequestsPerMinute: 12 },
    });
    expect(put.status).toBe(200);
    expect(put.body.scimRequestsPerMinute).toBe(12);
    const { scimRequestsPerMinute: _limit, ...upstream } = put.body;
    validateShape('OAuthClient', upstream);
    expect((await t.api(`/api/v2/oauth/clients/${c.id}`, { token: admin })).body.scimRequestsPerMinute).toBe(12);

    // At once, on the same window: 10 SCIM requests were counted, the new limit lets 2 more through.
    expect([(await scim()).status, (await scim()).status, (await scim()).status]).toEqual([200, 200, 429]);

    // The next minute starts afresh; a limit set back to null is the default again.
    clock.set(new Date('2026-11-10T10:01:01Z'));
    const cleared = await t.api(`/api/v2/oauth/clients/${c.id}`, {
      method: 'PUT',
      token: admin,
      body: { ...body, scimRequestsPerMinute: null },
    });
    expect(cleared.body.scimRequestsPerMinute).toBeUndefined();
    for (let i = 0; i < 8; i++) expect((await scim()).status).toBe(200);
    expect((await scim()).status).toBe(429);

    // Out of range is refused.
    const bad = await t.api(`/api/v2/oauth/clients/${c.id}`, {
      method: 'PUT',
      token: admin,
      body: { ...body, scimRequestsPerMinute: 0 },
    });
    expect(bad.status).toBe(400);
  });

  it('defaults high enough for a push of 10,000 users in minutes', async () => {
    const t = await startApp(dialect);
    apps.push(t);
    // A lookup and a create per user: 20,000 requests in at most a few minutes.
    const perMinute = t.gh.config.rateLimits.scim;
    expect(20_000 / perMinute).toBeLessThanOrEqual(3);
  });
});

/**
 * The tutorial (seeds/001) end to end with the official JavaScript SDK: a service-account
 * client created through the API logs in with client credentials, getUsersMe shows the service
 * account, and postAnalyticsConversationsDetailsQuery for the previous day returns conversations
 * with ids, media, durations and wrap-up codes; the 401, 403 and 429 (+ Retry-After) paths the
 * tutorial handles are exercised too (@see issue 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTraffic } from '../../src/contact-center.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { validateShape } from '../helpers/shape.ts';

const LIMIT = 25;

describe.each(DIALECTS)('the service-account tutorial with the JS SDK on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(dialect, { env: { GATEHOUSE_RATE_LIMIT_CLIENT: String(LIMIT) } });
    await simulateTraffic({ ...t.gh, clock: systemClock }, t.demo.orgId, { days: 2, peakPerHour: 20, seed: 3 });
  });
  afterAll(() => t?.close());

  it('runs steps 1–4 and the error paths', async () => {
    // Step 1, through the API: a role for reading analytics, and the service-account client.
    const admin = freshSdk(t.url);
    await admin.client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const authz = new admin.platformClient.AuthorizationApi();
    const role = await authz.postAuthorizationRoles({
      name: 'Analytics Reader',
      permissionPolicies: [{ domain: 'analytics', entityName: 'conversationDetail', actionSet: ['view'] }],
    });
    const home = (await t.gh.directory.organizations.homeDivision(t.demo.orgId)).id;
    const oauth = new admin.platformClient.OAuthApi();
    const created = await oauth.postOauthClients({
      name: 'Analytics-Integration-Service',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.id, divisionId: home }],
      serviceAccount: true,
    });
    expect(created.secret).toBeTruthy();

    // Steps 2–3: log in as the service account and validate its identity.
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(created.id, created.secret);
    const me = await new platformClient.UsersApi().getUsersMe();
    expect(me.name).toBe('Analytics-Integration-Service');
    expect(me.email.toLowerCase()).toContain('service');

    // Step 4: the previous day's conversations.
    const analytics = new platformClient.AnalyticsApi();
    const now = Date.now();
    const body = {
      interval: `${new Date(now - 86_400_000).toISOString()}/${new Date(now).toISOString()}`,
      paging: { pageSize: 10, pageNumber: 1 },
    };
    const res = await analytics.postAnalyticsConversationsDetailsQuery(body);
    validateShape('AnalyticsConversationQueryResponse', res);
    expect(res.totalHits).toBeGreaterThan(0);
    expect(res.conversations.length).toBeGreaterThan(0);
    for (const c of res.conversations) {
      expect(c.conversationId).toMatch(/^[0-9a-f-]{36}$/);
      const media = c.participants[0].sessions[0].mediaType;
      expect(['voice', 'callback', 'chat', 'email', 'message']).toContain(media);
    }
    const ended = res.conversations.filter((c: any) => c.conversationEnd);
    expect(ended.length).toBeGreaterThan(0);
    const duration = Date.parse(ended[0].conversationEnd) - Date.parse(ended[0].conversationStart);
    expect(duration).toBeGreaterThan(0);
    const codes = res.conversations.flatMap((c: any) =>
      c.participants.flatMap((p: any) => p.sessions.flatMap((s: any) => s.segments.map((g: any) => g.wrapUpCode))),
    );
    expect(codes.filter(Boolean).length).toBeGreaterThan(0);

    // 401: a wrong secret.
    const wrong = freshSdk(t.url);
    const denied = await wrong.client.loginClientCredentialsGrant(created.id, 'not-the-secret').catch((e: any) => e);
    expect(denied.status).toBe(401);

    // 403: a service account without the analytics permission.
    const employeeRole = (await authz.getAuthorizationRoles({ name: 'Employee' })).entities[0];
    const limited = await oauth.postOauthClients({
      name: 'No-Analytics-Service',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: employeeRole.id, divisionId: home }],
      serviceAccount: true,
    });
    const other = freshSdk(t.url);
    await other.client.loginClientCredentialsGrant(limited.id, limited.secret);
    const forbidden = await new other.platformClient.AnalyticsApi()
      .postAnalyticsConversationsDetailsQuery(body)
      .catch((e: any) => e);
    expect(forbidden.status).toBe(403);

    // 429 with Retry-After: the client's per-window limit (extended responses carry the headers).
    client.setReturnExtendedResponses(true);
    let limitedError: any;
    for (let i = 0; i < LIMIT + 5 && !limitedError; i++)
      limitedError = await analytics.postAnalyticsConversationsDetailsQuery(body).then(
        () => undefined,
        (e: any) => (e.status === 429 ? e : Promise.reject(e)),
      );
    expect(limitedError?.status).toBe(429);
    const retryAfter = Number(limitedError.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
  });
});

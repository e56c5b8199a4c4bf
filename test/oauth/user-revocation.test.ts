/**
 * Deactivating or deleting a user (SCIM `active:false` or DELETE, the users API's state) revokes
 * every access and refresh token the user holds, for good: reactivating the user does not bring
 * them back, in this instance or in another one on the same database. Revoking one's own token
 * (DELETE /api/v2/tokens/me) is audited. @see issue 7, docs/decisions/0002-self-verifying-tokens.md
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { oktaUser, PATCH_OP, type ScimApp, startScimApp } from '../scim/helpers.ts';

const REDIRECT = 'https://partner.example/cb';
const PASSWORD = 'a user password long enough';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

interface Issued {
  access: string;
  refresh: string;
}

describe.each(DIALECTS)("revoking a user's tokens on %s", (dialect) => {
  let s: ScimApp;
  let admin: string;
  let clientId: string;
  let clientSecret: string;
  beforeAll(async () => {
    s = await startScimApp(dialect);
    admin = await s.t.token();
    const made = await s.t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Partner',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    clientId = made.body.id;
    clientSecret = made.body.secret;
    // The administrator authorizes the app once for the organization; its users then sign in to it.
    await signIn(s.t.demo.adminEmail, ADMIN_PASSWORD);
  });
  afterAll(() => s?.t.close());

  /** Signs in through the real login page: an authorization code and its PKCE verifier. */
  async function codeFor(email: string, password: string) {
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const flow = await new AuthorizeSession(s.t).authorize(
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { email, password },
    );
    expect(flow.location, flow.html).toMatch(/code=/);
    return { code: new URL(flow.location!).searchParams.get('code')!, verifier };
  }

  const exchange = (c: { code: string; verifier: string }, base = s.t.url) =>
    tokenRequest(
      { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
      base,
    );

  /** The authorization code grant: an access and a refresh token. */
  async function signIn(email: string, password: string, base = s.t.url): Promise<Issued> {
    const res = await exchange(await codeFor(email, password), base);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { access: res.body.access_token, refresh: res.body.refresh_token };
  }

  async function tokenRequest(form: Record<string, string>, base = s.t.url) {
    const res = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  const refresh = (token: string, base = s.t.url) =>
    tokenRequest({ grant_type: 'refresh_token', refresh_token: token }, base);
  const statusOf = async (token: string, base = s.t.url) =>
    (await fetch(`${base}/api/v2/tokens/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  const setActive = (id: string, active: boolean) =>
    s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: active }],
    });

  async function expectRevoked(issued: Issued, base = s.t.url) {
    expect(await statusOf(issued.access, base)).toBe(401);
    const res = await refresh(issued.refresh, base);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  }

  async function scimUser(email: string) {
    const made = await s.scim('POST', '/Users', oktaUser(email, { password: PASSWORD }));
    expect(made.status).toBe(201);
    return made.body.id as string;
  }

  it('SCIM active:false revokes the access and refresh tokens; active:true does not bring them back', async () => {
    const id = await scimUser('leaver.one@example.com');
    const before = await signIn('leaver.one@example.com', PASSWORD);
    expect(await statusOf(before.access)).toBe(200);
    const rotated = await refresh(before.refresh);
    expect(rotated.status).toBe(200);
    const issued = { access: rotated.body.access_token, refresh: rotated.body.refresh_token };

    expect((await setActive(id, false)).status).toBe(200);
    await expectRevoked(issued);
    expect(await statusOf(before.access)).toBe(401);

    expect((await setActive(id, true)).body.active).toBe(true);
    // The old tokens stay revoked; a fresh sign-in works, and so does its refresh token.
    await expectRevoked(issued);
    expect(await statusOf(before.access)).toBe(401);
    const fresh = await signIn('leaver.one@example.com', PASSWORD);
    expect(await statusOf(fresh.access)).toBe(200);
    expect((await refresh(fresh.refresh)).status).toBe(200);
  });

  it('an authorization code issued before the deactivation cannot be exchanged, even after reactivation', async () => {
    const id = await scimUser('leaver.four@example.com');
    const pending = await codeFor('leaver.four@example.com', PASSWORD);
    await setActive(id, false);
    await setActive(id, true);
    const res = await exchange(pending);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    // Signing in again works.
    expect(await statusOf((await signIn('leaver.four@example.com', PASSWORD)).access)).toBe(200);
  });

  it('SCIM DELETE revokes the access and refresh tokens', async () => {
    const id = await scimUser('leaver.two@example.com');
    const issued = await signIn('leaver.two@example.com', PASSWORD);
    expect(await statusOf(issued.access)).toBe(200);
    // (Its success status is SCIM's business: 204 or 200.)
    expect([200, 204]).toContain((await s.scim('DELETE', `/Users/${id}`)).status);
    await expectRevoked(issued);
  });

  it('the users API (state inactive, then deleted) revokes them too, and active again does not bring them back', async () => {
    const made = await s.t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Api Leaver', email: 'api.leaver@example.com', password: PASSWORD },
    });
    expect(made.status).toBe(200);
    const id = made.body.id;
    const patch = async (state: string) => {
      const current = await s.t.api(`/api/v2/users/${id}`, { token: admin });
      const res = await s.t.api(`/api/v2/users/${id}`, {
        method: 'PATCH',
        token: admin,
        body: { version: current.body.version, state },
      });
      expect(res.status, res.text).toBe(200);
    };
    const issued = await signIn('api.leaver@example.com', PASSWORD);
    expect(await statusOf(issued.access)).toBe(200);

    await patch('inactive');
    await expectRevoked(issued);
    await patch('active');
    await expectRevoked(issued);

    const fresh = await signIn('api.leaver@example.com', PASSWORD);
    expect(await statusOf(fresh.access)).toBe(200);
    await patch('deleted');
    await expectRevoked(fresh);
  });

  it('stops them in another instance on the same database too, after reactivation as well', async () => {
    const b: Gatehouse = await createGatehouse(
      loadConfig({ 'database-url': s.t.gh.config.databaseUrl, 'log-level': 'silent' }, {}),
      { logger: false },
    );
    try {
      const bUrl = await listenOnLoopback(b.app);
      const id = await scimUser('leaver.three@example.com');
      const issued = await signIn('leaver.three@example.com', PASSWORD);
      // The other instance has the token cached now.
      expect(await statusOf(issued.access, bUrl)).toBe(200);

      await setActive(id, false);
      const revokedAt = Date.now();
      await setActive(id, true);
      // Once its cache entry has expired (at most 1 s), the other instance refuses the old tokens.
      await new Promise((r) => setTimeout(r, Math.max(0, revokedAt + 1000 - Date.now())));
      await expectRevoked(issued, bUrl);
      const fresh = await signIn('leaver.three@example.com', PASSWORD, bUrl);
      expect(await statusOf(fresh.access, bUrl)).toBe(200);
      expect(await statusOf(fresh.access)).toBe(200);
    } finally {
      await b.close();
    }
  });

  it("DELETE /api/v2/tokens/me revokes the caller's token and records who did it, never the token", async () => {
    const made = await s.t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Signs Out', email: 'signs.out@example.com', password: PASSWORD },
    });
    const issued = await signIn('signs.out@example.com', PASSWORD);
    const from = new Date(Date.now() - 60_000).toISOString();
    const res = await s.t.api('/api/v2/tokens/me', { method: 'DELETE', token: issued.access });
    expect(res.status).toBe(200);
    expect(await statusOf(issued.access)).toBe(401);

    const interval = `${from}/${new Date(Date.now() + 60_000).toISOString()}`;
    const events = await s.t.api('/api/v2/audits/query/realtime?expand=user', {
      method: 'POST',
      token: admin,
      body: {
        interval,
        serviceName: 'OAuth',
        filters: [
          { property: 'EntityType', value: 'Token' },
          { property: 'Action', value: 'Revoke' },
        ],
      },
    });
    expect(events.status, events.text).toBe(200);
    validateShape('AuditRealtimeQueryResultsResponse', events.body);
    expect(events.body.total).toBe(1);
    const [event] = events.body.entities;
    expect(event).toMatchObject({
      serviceName: 'OAuth',
      entityType: 'Token',
      action: 'Revoke',
      level: 'USER',
      client: { id: clientId },
    });
    expect(event.user).toMatchObject({ id: made.body.id, name: 'Signs Out' });
    expect(JSON.stringify(events.body)).not.toContain(issued.access);
    expect(JSON.stringify(events.body)).not.toContain(issued.access.split('.')[3]);
  });
});

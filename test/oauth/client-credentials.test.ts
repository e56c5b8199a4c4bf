/**
 * POST /oauth/token with grant_type=client_credentials, and every bad input the foundation
 * issue lists for it (@see issue 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(DIALECTS)('client credentials on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(dialect);
  });
  afterAll(() => t?.close());

  const tokenRequest = (headers: Record<string, string>, body: string) =>
    t.api('/oauth/token', { method: 'POST', headers: { ...FORM, ...headers }, body });

  it('issues a bearer token with the client lifetime', async () => {
    const res = await tokenRequest(
      { authorization: basic(t.demo.clientId, t.demo.clientSecret) },
      'grant_type=client_credentials',
    );
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('bearer');
    expect(res.body.expires_in).toBe(86400);
    expect(res.body.access_token).toMatch(/^gh1\.\w+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const me = await t.api('/api/v2/tokens/me', { token: res.body.access_token });
    expect(me.status).toBe(200);
  });

  it('accepts the credentials in the form body too', async () => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: t.demo.clientId,
      client_secret: t.demo.clientSecret,
    });
    const res = await tokenRequest({}, body.toString());
    expect(res.status).toBe(200);
  });

  it('refuses a wrong secret with invalid_client 401 and WWW-Authenticate', async () => {
    const res = await tokenRequest({ authorization: basic(t.demo.clientId, 'wrong') }, 'grant_type=client_credentials');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_client' });
    expect(res.body.error_description).toBeTruthy();
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('answers an unknown client exactly as a wrong secret', async () => {
    const wrong = await tokenRequest(
      { authorization: basic(t.demo.clientId, 'wrong') },
      'grant_type=client_credentials',
    );
    const unknown = await tokenRequest(
      { authorization: basic('00000000-0000-4000-8000-000000000000', 'x') },
      'grant_type=client_credentials',
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refuses a disabled client and stops its tokens', async () => {
    const { id, secret } = await t.clientWithRole('to disable');
    const client = { id };
    const token = await t.token(client.id, secret);
    expect((await t.api('/api/v2/tokens/me', { token })).status).toBe(200);
    const admin = await t.token();
    const current = await t.api(`/api/v2/oauth/clients/${client.id}`, { token: admin });
    const { name, authorizedGrantType, roleDivisions, accessTokenValiditySeconds } = current.body;
    const put = await t.api(`/api/v2/oauth/clients/${client.id}`, {
      method: 'PUT',
      token: admin,
      body: { name, authorizedGrantType, roleDivisions, accessTokenValiditySeconds, state: 'disabled' },
    });
    expect(put.status).toBe(200);
    const res = await tokenRequest({ authorization: basic(client.id, secret) }, 'grant_type=client_credentials');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unauthorized_client');
    expect(res.body.error_description).toMatch(/disabled/);
    expect((await t.api('/api/v2/tokens/me', { token })).status).toBe(401);
  });

  // Decision: as upstream, a client-credentials token carries the client's roles; `scope` has no meaning
  // there and is ignored (RFC 6749 §3.3 lets the server fully ignore it), never used to widen or narrow.
  it('ignores a requested scope: the token carries the client roles, and no scope is answered', async () => {
    const res = await tokenRequest(
      { authorization: basic(t.demo.clientId, t.demo.clientSecret) },
      'grant_type=client_credentials&scope=users%3Areadonly',
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBeUndefined();
    const clients = await t.api('/api/v2/oauth/clients', { token: res.body.access_token });
    expect(clients.status).toBe(200);
  });

  it('requires grant_type', async () => {
    const res = await tokenRequest({ authorization: basic(t.demo.clientId, t.demo.clientSecret) }, '');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(res.body.error_description).toMatch(/grant_type/);
  });

  it('names an unsupported grant type', async () => {
    const res = await tokenRequest(
      { authorization: basic(t.demo.clientId, t.demo.clientSecret) },
      'grant_type=password',
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });

  it('refuses a malformed Basic header', async () => {
    for (const header of ['Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Bearer abc']) {
      const res = await tokenRequest({ authorization: header }, 'grant_type=client_credentials');
      expect(res.status, header).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    }
  });

  it('refuses a repeated parameter and a JSON body', async () => {
    const twice = await tokenRequest(
      { authorization: basic(t.demo.clientId, t.demo.clientSecret) },
      'grant_type=client_credentials&grant_type=client_credentials',
    );
    expect(twice.status).toBe(400);
    expect(twice.body.error).toBe('invalid_request');
    const json = await t.api('/oauth/token', { method: 'POST', body: { grant_type: 'client_credentials' } });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
  });

  it('refuses a token after its lifetime', async () => {
    const clock = manualClock();
    const timed = await startApp(dialect, { clock });
    try {
      const { id, secret } = await timed.clientWithRole('short', 'Employee', { tokenTtl: 300 });
      const token = await timed.token(id, secret);
      expect((await timed.api('/api/v2/users', { token })).status).toBe(200);
      clock.advance(299_000);
      timed.gh.oauth.tokens.forgetAll();
      expect((await timed.api('/api/v2/users', { token })).status).toBe(200);
      clock.advance(2_000);
      const res = await timed.api('/api/v2/users', { token });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('authentication.required');
    } finally {
      await timed.close();
    }
  });

  it('refuses a forged or altered token', async () => {
    const token = await t.token();
    const [prefix, kid, claims, mac] = token.split('.');
    const altered = JSON.parse(Buffer.from(claims, 'base64url').toString());
    altered.s = ['all', 'admin'];
    const forged = [prefix, kid, Buffer.from(JSON.stringify(altered)).toString('base64url'), mac].join('.');
    expect((await t.api('/api/v2/users', { token: forged })).status).toBe(401);
    expect((await t.api('/api/v2/users', { token: `${token.slice(0, -2)}AA` })).status).toBe(401);
  });

  it('stores the secret only as a keyed hash, and nothing of an issued token', async () => {
    const db = t.gh.storage.db;
    const clients = await db.selectFrom('oauth_clients').select('secret_hash').execute();
    expect(clients.some((c) => c.secret_hash === t.demo.clientSecret)).toBe(false);
    const count = async () =>
      Promise.all(
        (['token_revocations', 'refresh_tokens', 'audit_events'] as const).map(async (table) =>
          Number(
            (
              await db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          ),
        ),
      );
    const before = await count();
    const token = await t.token();
    expect(await count()).toEqual(before);
    const events = await db.selectFrom('audit_events').select(['changes', 'context']).execute();
    expect(JSON.stringify(events)).not.toContain(t.demo.clientSecret);
    expect(JSON.stringify(events)).not.toContain(token);
  });
});

/**
 * The authorization code grant with PKCE through the real login and consent pages, refresh
 * rotation, authorized applications, and the attacks the OAuth issue names (@see issue 3).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

const REDIRECT = 'https://app.example.com/callback';
const pkce = () => {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(DIALECTS)('authorization code + PKCE on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let clientId: string;
  let clientSecret: string;
  const adminLogin = { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD };

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    const made = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Partner App',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT, 'http://127.0.0.1:9/cb'],
        scope: ['users:readonly', 'oauth:readonly'],
      },
    });
    clientId = made.body.id;
    clientSecret = made.body.secret;
  });
  afterAll(() => t?.close());

  const exchange = (form: Record<string, string>, basic?: [string, string]) =>
    t.api('/oauth/token', {
      method: 'POST',
      headers: {
        ...FORM,
        ...(basic ? { authorization: `Basic ${Buffer.from(basic.join(':')).toString('base64')}` } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });

  async function codeFor(session: AuthorizeSession, challenge: string, extra: Record<string, string> = {}) {
    const res = await session.authorize(
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'xyz',
        ...extra,
      },
      adminLogin,
    );
    expect(res.location, res.html).toBeTruthy();
    const url = new URL(res.location!);
    return { url, code: url.searchParams.get('code')! };
  }

  it('logs in, asks consent once, redirects with code and state, and exchanges it (public client + PKCE)', async () => {
    const session = new AuthorizeSession(t);
    const { verifier, challenge } = pkce();
    const { url, code } = await codeFor(session, challenge);
    expect(url.origin + url.pathname).toBe(REDIRECT);
    expect(url.searchParams.get('state')).toBe('xyz');
    const res = await exchange({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 86400, scope: 'users:readonly oauth:readonly' });
    expect(res.body.refresh_token).toBeTruthy();
    const me = await t.api('/api/v2/users/me', { token: res.body.access_token });
    expect(me.body.email).toBe('admin@demo.gatehouse.local');
    // The token carries the user's permissions narrowed by the scopes: read yes, write no.
    expect((await t.api('/api/v2/users', { token: res.body.access_token })).status).toBe(200);
    const write = await t.api('/api/v2/users', {
      method: 'POST',
      token: res.body.access_token,
      body: { name: 'x', email: 'x@example.com' },
    });
    expect(write.status).toBe(403);
    // Consent was given once: the next authorization goes straight back to the app.
    const again = await session.authorize(
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      adminLogin,
    );
    expect(again.location).toMatch(/^https:\/\/app\.example\.com\/callback\?code=/);
    const listed = await t.api('/api/v2/oauth/authorizations', { token: admin });
    validateShape('OAuthAuthorizationListing', listed.body);
    expect(listed.body.entities).toEqual([
      expect.objectContaining({ state: 'Authorized', pending: false, scope: ['oauth:readonly', 'users:readonly'] }),
    ]);
  });

  it('lets a confidential client exchange with its secret, and rotates refresh tokens', async () => {
    const session = new AuthorizeSession(t);
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(session, challenge);
    const first = await exchange(
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      [clientId, clientSecret],
    );
    expect(first.status).toBe(200);
    const second = await exchange({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, [
      clientId,
      clientSecret,
    ]);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    // Reusing the retired refresh token revokes the whole family.
    const reuse = await exchange({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, [
      clientId,
      clientSecret,
    ]);
    expect(reuse.body.error).toBe('invalid_grant');
    expect((await t.api('/api/v2/tokens/me', { token: second.body.access_token })).status).toBe(401);
    expect(
      (
        await exchange({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token }, [
          clientId,
          clientSecret,
        ])
      ).body.error,
    ).toBe('invalid_grant');
  });

  it("refreshes a confidential client's grant only with its secret, a public one with its id", async () => {
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(new AuthorizeSession(t), challenge);
    const confidential = await exchange(
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      [clientId, clientSecret],
    );
    expect(confidential.status).toBe(200);
    // A leaked refresh token of a grant begun with the secret is useless without the secret.
    const alone = await exchange({
      grant_type: 'refresh_token',
      refresh_token: confidential.body.refresh_token,
      client_id: clientId,
    });
    expect(alone.status).toBe(401);
    expect(alone.body.error).toBe('invalid_client');
    const withSecret = await exchange({ grant_type: 'refresh_token', refresh_token: confidential.body.refresh_token }, [
      clientId,
      clientSecret,
    ]);
    expect(withSecret.status).toBe(200);
    // The rotated token keeps the rule.
    const rotatedAlone = await exchange({
      grant_type: 'refresh_token',
      refresh_token: withSecret.body.refresh_token,
      client_id: clientId,
    });
    expect(rotatedAlone.body.error).toBe('invalid_client');
    // A public client (PKCE, no secret) refreshes with its client id, as it began.
    const pub = pkce();
    const { code: publicCode } = await codeFor(new AuthorizeSession(t), pub.challenge);
    const started = await exchange({
      grant_type: 'authorization_code',
      code: publicCode,
      redirect_uri: REDIRECT,
      code_verifier: pub.verifier,
      client_id: clientId,
    });
    const refreshed = await exchange({
      grant_type: 'refresh_token',
      refresh_token: started.body.refresh_token,
      client_id: clientId,
    });
    expect(refreshed.status, refreshed.text).toBe(200);
  });

  it('refuses a replayed code and revokes the tokens issued from it', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(new AuthorizeSession(t), challenge);
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: clientId,
    };
    const first = await exchange(form);
    expect(first.status).toBe(200);
    const replay = await exchange(form);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await t.api('/api/v2/tokens/me', { token: first.body.access_token })).status).toBe(401);
  });

  it('refuses PKCE downgrade, plain, a wrong or missing verifier', async () => {
    const session = new AuthorizeSession(t);
    const plain = await session.authorize(
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
      },
      adminLogin,
    );
    expect(new URL(plain.location!).searchParams.get('error')).toBe('invalid_request');
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(session, challenge);
    const wrong = await exchange({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: pkce().verifier,
      client_id: clientId,
    });
    expect(wrong.body.error).toBe('invalid_grant');
    // A public client without PKCE at all is refused at the token endpoint.
    const noPkce = await session.authorize(
      { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code' },
      adminLogin,
    );
    const bare = new URL(noPkce.location!).searchParams.get('code')!;
    const downgrade = await exchange({
      grant_type: 'authorization_code',
      code: bare,
      redirect_uri: REDIRECT,
      client_id: clientId,
    });
    expect(downgrade.body.error).toBe('invalid_grant');
    expect(downgrade.body.error_description).toMatch(/PKCE/);
    const { code: code2 } = await codeFor(session, challenge);
    const missing = await exchange({
      grant_type: 'authorization_code',
      code: code2,
      redirect_uri: REDIRECT,
      client_id: clientId,
    });
    expect(missing.body.error).toBe('invalid_request');
    void verifier;
  });

  it('matches redirect URIs exactly and never redirects to an unregistered one', async () => {
    const session = new AuthorizeSession(t);
    for (const evil of [
      `${REDIRECT}/evil`,
      `${REDIRECT}x`,
      'https://app.example.com.evil.net/callback',
      'https://APP.example.com/callback',
      `${REDIRECT}?next=https://evil.net`,
    ]) {
      const res = await session.request(
        `/oauth/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: evil, response_type: 'code' })}`,
      );
      expect(res.status, evil).toBe(400);
      expect(res.headers.get('location'), evil).toBeNull();
      expect(await res.text()).toContain('not registered');
    }
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(session, challenge);
    const other = await exchange({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://127.0.0.1:9/cb',
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(other.body.error).toBe('invalid_grant');
  });

  it('does not open-redirect through state, and reports a denial to the app', async () => {
    const session = new AuthorizeSession(t);
    const res = await session.authorize(
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        state: 'https://evil.net/',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      },
      adminLogin,
    );
    expect(res.location!.startsWith(`${REDIRECT}?`)).toBe(true);
    expect(new URL(res.location!).searchParams.get('state')).toBe('https://evil.net/');
    const unknown = await session.request(
      `/oauth/authorize?${new URLSearchParams({ client_id: '00000000-0000-4000-8000-000000000000', redirect_uri: 'https://evil.net/', response_type: 'code' })}`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('location')).toBeNull();
  });

  it('refuses a code issued to another client', async () => {
    const other = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Other App',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(new AuthorizeSession(t), challenge);
    const stolen = await exchange(
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      [other.body.id, other.body.secret],
    );
    expect(stolen.body.error).toBe('invalid_grant');
  });

  it('revokes an app at once and for good; a new authorization starts Pending', async () => {
    const app = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Revocable',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    const session = new AuthorizeSession(t);
    const { verifier, challenge } = pkce();
    const first = await session.authorize(
      {
        client_id: app.body.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      adminLogin,
    );
    const code = new URL(first.location!).searchParams.get('code')!;
    const tokens = await exchange({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: app.body.id,
    });
    expect((await t.api('/api/v2/users/me', { token: tokens.body.access_token })).status).toBe(200);

    const revoked = await t.api(`/api/v2/oauth/authorizations/${app.body.id}`, { method: 'DELETE', token: admin });
    expect(revoked.body.state).toBe('Revoked');
    expect((await t.api('/api/v2/users/me', { token: tokens.body.access_token })).status).toBe(401);
    expect(
      (
        await exchange({
          grant_type: 'refresh_token',
          refresh_token: tokens.body.refresh_token,
          client_id: app.body.id,
        })
      ).body.error,
    ).toBe('invalid_grant');

    const again = await session.authorize(
      {
        client_id: app.body.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      adminLogin,
    );
    expect(again.location).toBeNull();
    expect(again.html).toContain('Waiting for approval');
    const pending = await t.api('/api/v2/oauth/authorizations?state=Pending', { token: admin });
    expect(pending.body.entities.map((e: { client: { id: string } }) => e.client.id)).toEqual([app.body.id]);
    const approved = await t.api(`/api/v2/oauth/authorizations/${app.body.id}/approve`, {
      method: 'POST',
      token: admin,
    });
    expect(approved.body).toMatchObject({ state: 'Authorized', pending: false });
    const after = await session.authorize(
      {
        client_id: app.body.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      adminLogin,
    );
    expect(after.location).toMatch(/code=/);
    const actions = await t.gh.storage.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_type', '=', 'AuthorizedApplication')
      .where('entity_id', '=', app.body.id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['Create', 'Revoke', 'Create', 'Approve']);
  });

  it('edits the scopes of an authorization (scopes only)', async () => {
    const res = await t.api(`/api/v2/oauth/authorizations/${clientId}`, {
      method: 'PUT',
      token: admin,
      body: { scope: ['users:readonly'] },
    });
    expect(res.status).toBe(200);
    validateShape('OAuthAuthorization', res.body);
    expect(res.body).toMatchObject({ scope: ['users:readonly'], state: 'Authorized' });
    const bad = await t.api(`/api/v2/oauth/authorizations/${clientId}`, {
      method: 'PUT',
      token: admin,
      body: { scope: ['everything'] },
    });
    expect(bad.status).toBe(400);
  });

  it('makes a non-admin user file a Pending request', async () => {
    await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Plain User', email: 'plain@example.com', password: 'plain user password' },
    });
    const app = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Needs Approval',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    const res = await new AuthorizeSession(t).authorize(
      {
        client_id: app.body.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      },
      { email: 'plain@example.com', password: 'plain user password' },
    );
    expect(res.location).toBeNull();
    expect(res.html).toContain('Waiting for approval');
    const got = await t.api(`/api/v2/oauth/authorizations/${app.body.id}`, { token: admin });
    expect(got.body).toMatchObject({ state: 'Requested', pending: true });
  });
});

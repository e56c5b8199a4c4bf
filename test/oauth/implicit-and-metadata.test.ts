/**
 * The implicit grant's two dates (no new clients after the cutoff, no tokens after the sunset),
 * and RFC 8414 metadata used by an independent OAuth client, oauth4webapi (@see issue 3).
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';
const adminLogin = { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD };

describe('implicit grant dates', () => {
  let before: TestApp;
  let after: TestApp;
  beforeAll(async () => {
    // Before the cutoff: implicit clients can still be made. After the sunset: none works.
    before = await startApp('sqlite', {
      env: { GATEHOUSE_IMPLICIT_CUTOFF: '2099-01-01', GATEHOUSE_IMPLICIT_SUNSET: '2099-06-01' },
    });
    after = await startApp('sqlite', {
      env: { GATEHOUSE_IMPLICIT_CUTOFF: '2099-01-01', GATEHOUSE_IMPLICIT_SUNSET: '2020-01-01' },
    });
  });
  afterAll(async () => {
    await before?.close();
    await after?.close();
  });

  const implicitClient = async (t: TestApp) =>
    (
      await t.api('/api/v2/oauth/clients', {
        method: 'POST',
        token: await t.token(),
        body: {
          name: 'Legacy SPA',
          authorizedGrantType: 'TOKEN',
          registeredRedirectUri: [REDIRECT],
          scope: ['users:readonly'],
        },
      })
    ).body;

  it('returns a token in the fragment while the implicit grant lives', async () => {
    const client = await implicitClient(before);
    const res = await new AuthorizeSession(before).authorize(
      { client_id: client.id, redirect_uri: REDIRECT, response_type: 'token', state: 's1' },
      adminLogin,
    );
    const fragment = new URLSearchParams(new URL(res.location!).hash.slice(1));
    expect(fragment.get('state')).toBe('s1');
    expect(fragment.get('token_type')).toBe('bearer');
    expect(new URL(res.location!).search).toBe('');
    const me = await before.api('/api/v2/users/me', { token: fragment.get('access_token')! });
    expect(me.status).toBe(200);
  });

  it('after the sunset, tells the administrator to migrate to PKCE', async () => {
    const client = await implicitClient(after);
    expect(client.id).toBeTruthy();
    const res = await new AuthorizeSession(after).authorize(
      { client_id: client.id, redirect_uri: REDIRECT, response_type: 'token' },
      adminLogin,
    );
    const fragment = new URLSearchParams(new URL(res.location!).hash.slice(1));
    expect(fragment.get('error')).toBe('unauthorized_client');
    expect(fragment.get('error_description')).toMatch(/PKCE/);
  });
});

describe('oauth4webapi configured from /.well-known/oauth-authorization-server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp('sqlite');
  });
  afterAll(() => t?.close());

  const options = { [oauth.allowInsecureRequests]: true };

  async function discover() {
    const issuer = new URL(t.url);
    const res = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...options });
    return oauth.processDiscoveryResponse(issuer, res);
  }

  it('discovers the server', async () => {
    const as = await discover();
    expect(as.token_endpoint).toBe(`${t.url}/oauth/token`);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('gets a client-credentials token', async () => {
    const as = await discover();
    const client: oauth.Client = { client_id: t.demo.clientId };
    const res = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(t.demo.clientSecret),
      new URLSearchParams(),
      options,
    );
    const result = await oauth.processClientCredentialsResponse(as, client, res);
    expect((await t.api('/api/v2/users/me', { token: result.access_token })).status).toBe(200);
  });

  it('runs the code flow with PKCE and refreshes', async () => {
    const as = await discover();
    const made = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: await t.token(),
      body: {
        name: 'oauth4webapi app',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    const client: oauth.Client = { client_id: made.body.id };
    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const state = oauth.generateRandomState();
    const authUrl = new URL(as.authorization_endpoint!);
    authUrl.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'users:readonly',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    }).toString();
    const flow = await new AuthorizeSession(t).authorize(Object.fromEntries(authUrl.searchParams), adminLogin);
    const params = oauth.validateAuthResponse(as, client, new URL(flow.location!), state);
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      REDIRECT,
      verifier,
      options,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, res);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, options),
    );
    expect((await t.api('/api/v2/users/me', { token: refreshed.access_token })).body.email).toBe(
      'admin@demo.gatehouse.local',
    );
  });
});

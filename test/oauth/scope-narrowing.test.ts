/**
 * Narrowing an authorized application's scopes reaches its existing tokens at their next use,
 * and a refresh issues only what is still granted (RFC 6749 §6) (@see issue 15).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const REDIRECT = 'https://app.example.com/callback';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(DIALECTS)('scope narrowing on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let clientId: string;
  let clientSecret: string;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    const made = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Narrowed App',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly', 'oauth:readonly'],
      },
    });
    clientId = made.body.id;
    clientSecret = made.body.secret;
  });
  afterAll(() => t?.close());

  const token = (form: Record<string, string>) =>
    t.api('/oauth/token', {
      method: 'POST',
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams(form).toString(),
    });

  it('drops the removed scope from the existing token and from every refresh', async () => {
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const res = await new AuthorizeSession(t).authorize(
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'users:readonly oauth:readonly',
      },
      { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD },
    );
    const code = new URL(res.location!).searchParams.get('code')!;
    const issued = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(issued.status).toBe(200);
    expect(issued.body.scope).toBe('users:readonly oauth:readonly');
    const access = issued.body.access_token as string;
    expect((await t.api('/api/v2/oauth/clients', { token: access })).status).toBe(200);
    expect((await t.api('/api/v2/users', { token: access })).status).toBe(200);

    const narrowed = await t.api(`/api/v2/oauth/authorizations/${clientId}`, {
      method: 'PUT',
      token: admin,
      body: { scope: ['users:readonly'] },
    });
    expect(narrowed.status).toBe(200);

    // The existing token lost oauth:readonly at its next use; users:readonly still works.
    const clients = await t.api('/api/v2/oauth/clients', { token: access });
    expect(clients.status).toBe(403);
    expect(clients.text).not.toContain(clientId);
    expect((await t.api('/api/v2/users', { token: access })).status).toBe(200);

    // A refresh issues only what is still granted, and so does the next one.
    let refresh = issued.body.refresh_token as string;
    for (let i = 0; i < 2; i++) {
      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: refresh });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.scope).toBe('users:readonly');
      expect((await t.api('/api/v2/oauth/clients', { token: refreshed.body.access_token })).status).toBe(403);
      expect((await t.api('/api/v2/users', { token: refreshed.body.access_token })).status).toBe(200);
      refresh = refreshed.body.refresh_token;
    }

    // Widening again does not bring the scope back to tokens issued while it was narrowed...
    // (their refresh tokens recorded only users:readonly), which is what RFC 6749 §6 asks.
    await t.api(`/api/v2/oauth/authorizations/${clientId}`, {
      method: 'PUT',
      token: admin,
      body: { scope: ['users:readonly', 'oauth:readonly'] },
    });
    const again = await token({ grant_type: 'refresh_token', refresh_token: refresh });
    expect(again.body.scope).toBe('users:readonly');
  });
});

/**
 * Revoking an authorized application stops its tokens in every Gatehouse instance sharing the
 * store within 1 s; in the instance that revoked, at once (@see issue 3, ARCHITECTURE.md tokens).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('revocation across instances on %s', (dialect) => {
  let a: TestApp;
  let b: Gatehouse;
  let bUrl: string;
  beforeAll(async () => {
    a = await startApp(dialect);
    // A second instance on the same database, with its own token cache.
    const url = a.gh.config.databaseUrl;
    b = await createGatehouse(loadConfig({ 'database-url': url, 'log-level': 'silent' }, {}), { logger: false });
    bUrl = await listenOnLoopback(b.app);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('stops the app tokens at once here and within 1 s there', async () => {
    const admin = await a.token();
    const app = await a.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Shared',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: ['https://shared.example/cb'],
        scope: ['users:readonly'],
      },
    });
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const flow = await new AuthorizeSession(a).authorize(
      {
        client_id: app.body.id,
        redirect_uri: 'https://shared.example/cb',
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { email: a.demo.adminEmail, password: ADMIN_PASSWORD },
    );
    const code = new URL(flow.location!).searchParams.get('code')!;
    const tokens = await a.api('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://shared.example/cb',
        code_verifier: verifier,
        client_id: app.body.id,
      }).toString(),
    });
    const bearer = { authorization: `Bearer ${tokens.body.access_token}` };
    // Both instances have the token cached now.
    expect((await fetch(`${bUrl}/api/v2/users/me`, { headers: bearer })).status).toBe(200);
    expect((await a.api('/api/v2/users/me', { token: tokens.body.access_token })).status).toBe(200);

    await a.api(`/api/v2/oauth/authorizations/${app.body.id}`, { method: 'DELETE', token: admin });
    const revokedAt = Date.now();
    expect((await a.api('/api/v2/users/me', { token: tokens.body.access_token })).status).toBe(401);
    // Every request that reaches the other instance 1 s after the revocation is refused. (The
    // moment a request is sent is what counts: on a loaded machine its answer may come later.)
    await new Promise((r) => setTimeout(r, Math.max(0, revokedAt + 1000 - Date.now())));
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${bUrl}/api/v2/users/me`, { headers: bearer })).status).toBe(401);
    }
  });
});

/**
 * An authorized application whose client lives in this organization follows the client's
 * division (@see issue 15, docs/authorization.md): a caller holding oauth:client:authorize in
 * another division only does not see it in the list, and reading, approving, narrowing or
 * revoking it answers 404 and changes nothing; the same permission in the client's division does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const REDIRECT = 'https://app.example.com/callback';

describe.each(DIALECTS)('authorized applications and divisions on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let clientId: string;
  let elsewhere: string;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    const post = (path: string, body: unknown) => t.api(path, { method: 'POST', token: admin, body });
    const made = await post('/api/v2/oauth/clients', {
      name: 'Home Division App',
      authorizedGrantType: 'CODE',
      registeredRedirectUri: [REDIRECT],
      scope: ['users:readonly', 'oauth:readonly'],
    });
    expect(made.status, made.text).toBe(200);
    clientId = made.body.id;
    const verifier = randomBytes(48).toString('base64url');
    const res = await new AuthorizeSession(t).authorize(
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        scope: 'users:readonly oauth:readonly',
      },
      { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD },
    );
    expect(res.location).toContain('code=');
    const other = (await post('/api/v2/authorization/divisions', { name: 'Apps elsewhere' })).body.id;
    const role = await post('/api/v2/authorization/roles', {
      name: 'App authorizer',
      permissions: ['oauth:client:authorize', 'oauth:client:view'],
    });
    const bot = await post('/api/v2/oauth/clients', {
      name: 'Authorizer elsewhere',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.body.id, divisionId: other }],
    });
    expect(bot.status, bot.text).toBe(200);
    elsewhere = await t.token(bot.body.id, bot.body.secret);
  });
  afterAll(() => t?.close());

  it('hides the application from another division and refuses its changes there (404)', async () => {
    const path = `/api/v2/oauth/authorizations/${clientId}`;
    const before = await t.api(path, { token: admin });
    expect(before.status, before.text).toBe(200);
    expect(before.body.scope).toEqual(['oauth:readonly', 'users:readonly']);

    const list = await t.api('/api/v2/oauth/authorizations', { token: elsewhere });
    expect(list.status, list.text).toBe(200);
    expect(list.text).not.toContain(clientId);
    expect((await t.api('/api/v2/oauth/authorizations', { token: admin })).text).toContain(clientId);
    for (const [method, url, body] of [
      ['GET', path],
      ['PUT', path, { scope: ['users:readonly'] }],
      ['POST', `${path}/approve`],
      ['DELETE', path],
    ] as const) {
      const res = await t.api(url, { method, token: elsewhere, body });
      expect(res.status, `${method} ${url} ${res.text.slice(0, 200)}`).toBe(404);
      expect(res.text).not.toContain('Home Division App');
    }
    const after = await t.api(path, { token: admin });
    expect(after.body.scope).toEqual(before.body.scope);
    expect(after.body.state).toBe('Authorized');

    const narrowed = await t.api(path, { method: 'PUT', token: admin, body: { scope: ['users:readonly'] } });
    expect(narrowed.status, narrowed.text).toBe(200);
    expect(narrowed.body.scope).toEqual(['users:readonly']);
  });
});

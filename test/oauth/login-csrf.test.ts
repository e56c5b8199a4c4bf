/**
 * Login CSRF (@see issue 16; RFC 6819 §4.4.1.8): a cross-site form POST to /oauth/authorize/login
 * with the attacker's credentials must not sign the victim's browser in. The POST must come
 * from Gatehouse's own origin and carry the login page's token, bound to its pre-login cookie.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const REDIRECT = 'https://app.example/cb';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(DIALECTS)('login CSRF on %s', (dialect) => {
  let t: TestApp;
  let query: Record<string, string>;
  beforeAll(async () => {
    t = await startApp(dialect);
    const token = await t.token();
    const client = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token,
      body: {
        name: 'CSRF app',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
    query = {
      client_id: client.body.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
  });
  afterAll(() => t?.close());

  const credentials = () => ({ email: t.demo.adminEmail, password: ADMIN_PASSWORD });

  async function loginPage() {
    const res = await fetch(`${t.url}/oauth/authorize?${new URLSearchParams(query)}`, { redirect: 'manual' });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { cookie, fields: AuthorizeSession.fields(await res.text()) };
  }

  const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/oauth/authorize/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...FORM, ...headers },
      body: new URLSearchParams(body).toString(),
    });

  const setsSession = (res: Response) => res.headers.getSetCookie().some((c) => c.startsWith('gatehouse_session='));

  it('refuses a cross-site form post (no cookie, no token) without setting a session', async () => {
    const res = await post({ ...query, ...credentials() }, { origin: 'https://attacker.example' });
    expect(res.status).toBe(403);
    expect(setsSession(res)).toBe(false);
    const noToken = await post({ ...query, ...credentials() });
    expect(noToken.status).toBe(403);
    expect(setsSession(noToken)).toBe(false);
  });

  it('refuses a foreign Origin even with a valid cookie and token', async () => {
    const { cookie, fields } = await loginPage();
    expect(fields.login_csrf).toBeTruthy();
    const res = await post({ ...fields, ...credentials() }, { cookie, origin: 'https://attacker.example' });
    expect(res.status).toBe(403);
    expect(setsSession(res)).toBe(false);
    const referer = await post({ ...fields, ...credentials() }, { cookie, referer: 'https://attacker.example/x' });
    expect(referer.status).toBe(403);
  });

  it("refuses another browser's token", async () => {
    const mine = await loginPage();
    const theirs = await loginPage();
    const res = await post({ ...theirs.fields, ...credentials() }, { cookie: mine.cookie, origin: t.url });
    expect(res.status).toBe(403);
  });

  it('signs in from its own page', async () => {
    const { cookie, fields } = await loginPage();
    const res = await post({ ...fields, ...credentials() }, { cookie, origin: t.url });
    expect(res.status).toBe(303);
    expect(setsSession(res)).toBe(true);
  });
});

/**
 * SSO on the login pages and SSO-only mode over HTTP (@see issue 5, "Single Sign-On"): the public
 * login options, provider buttons on the /oauth/authorize page (6 buttons, the rest folded), and
 * password logins refused in SSO-only mode except for the break-glass administrator, without
 * telling an unknown email from a wrong password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { CERT, ISSUER, SSO_URL } from './providers-fixtures.ts';

const REDIRECT = 'https://app.example.com/callback';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#1f5fbf"/></svg>';
const USER_PASSWORD = 'a long and unguessable passphrase';

describe.each(DIALECTS)('SSO login options and SSO-only mode on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let adminId: string;
  let userEmail: string;
  let clientId: string;

  const provider = (name: string, extra: Record<string, unknown> = {}) =>
    t.api('/api/v2/identityproviders', {
      method: 'POST',
      token: admin,
      body: { name, issuerURI: `${ISSUER}/${name}`, ssoTargetURI: SSO_URL, certificates: [CERT.idp], ...extra },
    });
  const settings = (body: Record<string, unknown>) =>
    t.api('/api/v2/identityproviders/settings', { method: 'PUT', token: admin, body });
  const consoleLogin = (email: string, password: string) =>
    t.api('/console/api/session', { method: 'POST', body: { email, password } });
  const authorizeQuery = () =>
    new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', state: 's1' });
  const authorizeLogin = async (email: string, password: string) => {
    // The login page first: its pre-login cookie and form token (login CSRF, issue 16).
    const page = await fetch(`${t.url}/oauth/authorize?${authorizeQuery()}`, { redirect: 'manual' });
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const fields = AuthorizeSession.fields(await page.text());
    const res = await fetch(`${t.url}/oauth/authorize/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...FORM, cookie },
      body: new URLSearchParams({ ...fields, email, password }).toString(),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  const grantRole = async (userId: string, role: string) => {
    const roles = await t.api(`/api/v2/authorization/roles?${new URLSearchParams({ name: role })}`, { token: admin });
    const res = await t.api(`/api/v2/users/${userId}/roles`, {
      method: 'PUT',
      token: admin,
      body: [roles.body.entities[0].id],
    });
    expect(res.status, res.text).toBe(200);
  };
  const currentSettings = async () => (await t.api('/api/v2/identityproviders/settings', { token: admin })).body;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    adminId = (
      await t.gh.directory.users.create(t.demo.orgId, null, {
        name: 'Second Admin',
        email: 'second.admin@demo.gatehouse.local',
        password: USER_PASSWORD,
      })
    ).id;
    await grantRole(adminId, 'Master Admin');
    userEmail = 'agent@demo.gatehouse.local';
    await t.gh.directory.users.create(t.demo.orgId, null, { name: 'Agent', email: userEmail, password: USER_PASSWORD });
    const made = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Partner App',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    clientId = made.body.id;
  });
  afterAll(() => t?.close());

  it('lists no providers and password login for a fresh organization', async () => {
    const res = await t.api('/saml/providers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      organization: { id: t.demo.orgId, name: expect.any(String) },
      ssoOnly: false,
      providers: [],
    });
    const page = await t.api(`/oauth/authorize?${authorizeQuery()}`);
    expect(page.text).toContain('name="password"');
    expect(page.text).not.toContain('Single sign-on');
  });

  it('lists enabled providers shown on the login page, with logo and login URL, by organization name', async () => {
    const okta = await provider('Okta Workforce', { logoImageData: LOGO });
    expect(okta.status, okta.text).toBe(200);
    await provider('Hidden IdP', { displayOnLogin: false });
    await provider('Disabled IdP', { disabled: true });
    const orgName = (await t.api('/saml/providers')).body.organization.name as string;

    const res = await t.api(`/saml/providers?${new URLSearchParams({ organization: orgName.toUpperCase() })}`);
    expect(res.status).toBe(200);
    expect(res.body.providers).toEqual([
      {
        id: okta.body.id,
        name: 'Okta Workforce',
        providerType: 'generic',
        logo: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
        loginUrl: `/saml/${t.demo.orgId}/login/${okta.body.id}`,
      },
    ]);
    const svg = Buffer.from(res.body.providers[0].logo.split(',')[1], 'base64').toString('utf8');
    expect(svg).toContain('<circle');
  });

  it('answers 404 for an unknown organization, and when several exist and none is named', async () => {
    const unknown = await t.api('/saml/providers?organization=No%20Such%20Org');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'not.found', status: 404 });
    expect(unknown.text).not.toContain(t.demo.orgId);
    await t.gh.directory.createOrganization(`Other Org ${dialect}`, `other-${dialect}.example.com`);
    expect((await t.api('/saml/providers')).status).toBe(404);
    const other = await t.api(`/saml/providers?organization=${encodeURIComponent(`Other Org ${dialect}`)}`);
    expect(other.status).toBe(200);
    expect(other.body.providers).toEqual([]);
    // Names are not unique: a name two organizations share (in any letter case) names neither.
    await t.gh.directory.createOrganization('Twin', `twin-a-${dialect}.example.com`);
    expect((await t.api('/saml/providers?organization=twin')).status).toBe(200);
    await t.gh.directory.createOrganization('twin', `twin-b-${dialect}.example.com`);
    for (const name of ['twin', 'Twin', 'TWIN']) {
      const twin = await t.api(`/saml/providers?organization=${name}`);
      expect(twin.status, name).toBe(404);
      expect(twin.body).toMatchObject({ code: 'not.found' });
    }
  });

  it('shows the client organization providers on /oauth/authorize: 6 buttons, the rest under "More sign-in options"', async () => {
    for (let i = 2; i <= 8; i++) expect((await provider(`IdP ${i}`)).status).toBe(200);
    const page = await t.api(`/oauth/authorize?${authorizeQuery()}`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    const [buttons, more] = page.text.split('More sign-in options');
    expect(more).toBeDefined();
    expect(buttons.match(/class="idp"/g)).toHaveLength(6);
    expect(more.match(/class="idp"/g)).toHaveLength(2);
    expect(page.text).toContain('<img src="data:image/svg+xml;base64,');
    // Each button starts SP-initiated login and comes back to this very authorize request.
    const returnTo = `/oauth/authorize?${authorizeQuery()}`;
    const hrefs = [...page.text.matchAll(/class="idp" href="([^"]+)"/g)].map((m) => m[1].replaceAll('&#38;', '&'));
    const first = new URL(hrefs[0], t.url);
    expect(first.pathname).toMatch(new RegExp(`^/saml/${t.demo.orgId}/login/[0-9a-f-]{36}$`));
    expect(first.searchParams.get('returnTo')).toBe(returnTo);
    // Not SSO-only: the password form is there too.
    expect(page.text).toContain('name="password"');
    expect(page.text).not.toContain('Break-glass');
  });

  it('refuses to turn SSO-only on without a break-glass user', async () => {
    const res = await settings({ ssoOnly: true });
    expect(res.status).toBe(400);
  });

  it('refuses a break-glass user who could not sign in or turn SSO-only off: inactive, deleted, without password, without sso:provider:edit', async () => {
    const dir = t.gh.directory.users;
    const inactive = (
      await dir.create(t.demo.orgId, null, {
        name: 'Inactive Admin',
        email: 'inactive.admin@demo.gatehouse.local',
        password: USER_PASSWORD,
        state: 'inactive',
      })
    ).id;
    const deleted = (
      await dir.create(t.demo.orgId, null, {
        name: 'Deleted Admin',
        email: 'deleted.admin@demo.gatehouse.local',
        password: USER_PASSWORD,
        state: 'deleted',
      })
    ).id;
    const noPassword = (
      await dir.create(t.demo.orgId, null, { name: 'Passwordless Admin', email: 'nopass.admin@demo.gatehouse.local' })
    ).id;
    const noRole = (
      await dir.create(t.demo.orgId, null, {
        name: 'Plain User',
        email: 'plain.user@demo.gatehouse.local',
        password: USER_PASSWORD,
      })
    ).id;
    const employee = (
      await dir.create(t.demo.orgId, null, {
        name: 'Employee User',
        email: 'employee.user@demo.gatehouse.local',
        password: USER_PASSWORD,
      })
    ).id;
    for (const id of [inactive, deleted, noPassword]) await grantRole(id, 'Master Admin');
    await grantRole(employee, 'Employee');

    const cases: [string, RegExp][] = [
      [inactive, /is inactive, not active/],
      [deleted, /is deleted, not active/],
      [noPassword, /has no password/],
      [noRole, /does not hold sso:provider:edit/],
      [employee, /does not hold sso:provider:edit/],
    ];
    for (const [id, why] of cases) {
      const res = await settings({ ssoOnly: true, breakGlassUserId: id });
      expect(res.status, res.text).toBe(400);
      expect(res.body).toMatchObject({
        code: 'invalid.value',
        status: 400,
        details: [{ fieldName: 'breakGlassUserId' }],
      });
      expect(res.body.message).toMatch(why);
    }
    // Nothing was saved; password logins still work.
    expect(await currentSettings()).toMatchObject({ ssoOnly: false, breakGlassUserId: null });
    expect((await consoleLogin(userEmail, USER_PASSWORD)).status).toBe(200);
    // Without SSO-only the break-glass user is only a name on file: no such requirement.
    expect((await settings({ ssoOnly: false, breakGlassUserId: noRole })).status).toBe(200);
    expect((await settings({ breakGlassUserId: null })).status).toBe(200);
  });

  it('in SSO-only mode refuses password logins with a clear error, except for the break-glass admin', async () => {
    expect((await settings({ ssoOnly: true, breakGlassUserId: adminId })).status).toBe(200);
    expect(
      (
        await t.api(
          '/saml/providers?organization=' +
            encodeURIComponent((await t.api(`/api/v2/organizations/me`, { token: admin })).body.name),
        )
      ).body.ssoOnly,
    ).toBe(true);

    // Console login.
    const refused = await consoleLogin(userEmail, USER_PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'sso.required', status: 403 });
    expect(refused.body.message).toContain('This organization signs in with single sign-on');
    expect(refused.headers.get('set-cookie')).toBeNull();
    const demoAdmin = await consoleLogin(t.demo.adminEmail, ADMIN_PASSWORD);
    expect(demoAdmin.status).toBe(403);
    const breakGlass = await consoleLogin('second.admin@demo.gatehouse.local', USER_PASSWORD);
    expect(breakGlass.status, breakGlass.text).toBe(200);
    expect(breakGlass.headers.get('set-cookie')).toMatch(/HttpOnly/i);

    // /oauth/authorize login.
    const page = await authorizeLogin(userEmail, USER_PASSWORD);
    expect(page.status).toBe(403);
    expect(page.text).toContain('This organization signs in with single sign-on');
    expect(page.headers.get('set-cookie')).toBeNull();
    const ok = await authorizeLogin('second.admin@demo.gatehouse.local', USER_PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toMatch(/^\/oauth\/authorize\?/);
  });

  it('adds no user enumeration: an unknown email and a wrong password still get the same answer', async () => {
    const unknown = await consoleLogin('nobody@demo.gatehouse.local', USER_PASSWORD);
    const wrong = await consoleLogin(userEmail, 'not the password');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const { contextId: _a, ...unknownBody } = unknown.body;
    const { contextId: _b, ...wrongBody } = wrong.body;
    expect(unknownBody).toEqual(wrongBody);
    const unknownPage = await authorizeLogin('nobody@demo.gatehouse.local', USER_PASSWORD);
    const wrongPage = await authorizeLogin(userEmail, 'not the password');
    expect(unknownPage.status).toBe(401);
    // Each browser has its own login-form token (login CSRF): compared without it.
    const same = (text: string, email: string) =>
      text.replace(email, 'X').replace(/name="login_csrf" value="[^"]*"/, 'name="login_csrf" value=""');
    expect(same(wrongPage.text, userEmail)).toBe(same(unknownPage.text, 'nobody@demo.gatehouse.local'));
  });

  it('in SSO-only mode the authorize page shows the buttons and folds the password form for the break-glass admin', async () => {
    const page = await t.api(`/oauth/authorize?${authorizeQuery()}`);
    expect(page.text.match(/class="idp"/g)).toHaveLength(8);
    const fold = page.text.indexOf('<details class="break-glass">');
    expect(fold).toBeGreaterThan(0);
    expect(page.text.indexOf('name="password"')).toBeGreaterThan(fold);
    expect(page.text).not.toContain('or sign in with your password');
  });

  it('lets every password login through again when SSO-only is turned off', async () => {
    expect((await settings({ ssoOnly: false })).status).toBe(200);
    expect((await consoleLogin(userEmail, USER_PASSWORD)).status).toBe(200);
    expect(
      (
        await t.api(
          '/saml/providers?organization=' +
            encodeURIComponent((await t.api(`/api/v2/organizations/me`, { token: admin })).body.name),
        )
      ).body.ssoOnly,
    ).toBe(false);
  });

  it('escape hatch (docs/sso.md): when the break-glass user later becomes unusable, an admin OAuth client turns SSO-only off', async () => {
    const opsEmail = 'ops.admin@demo.gatehouse.local';
    const ops = (
      await t.gh.directory.users.create(t.demo.orgId, null, {
        name: 'Ops Admin',
        email: opsEmail,
        password: USER_PASSWORD,
      })
    ).id;
    await grantRole(ops, 'Master Admin');
    expect((await settings({ ssoOnly: true, breakGlassUserId: ops })).status).toBe(200);
    // The break-glass user is deactivated afterwards (nothing in the directory stops that) ...
    const row = await t.api(`/api/v2/users/${ops}`, { token: admin });
    const patched = await t.api(`/api/v2/users/${ops}`, {
      method: 'PATCH',
      token: admin,
      body: { version: row.body.version, state: 'inactive' },
    });
    expect(patched.status, patched.text).toBe(200);
    // ... so no person can sign in with a password any more.
    expect((await consoleLogin(opsEmail, USER_PASSWORD)).status).toBe(401);
    expect((await consoleLogin(t.demo.adminEmail, ADMIN_PASSWORD)).status).toBe(403);
    expect((await consoleLogin(userEmail, USER_PASSWORD)).status).toBe(403);
    // Saving SSO-only again with that user is refused, which shows the problem to the administrator.
    expect((await settings({ ssoOnly: true, breakGlassUserId: ops })).status).toBe(400);

    // A client-credentials client holding the admin role is untouched by SSO-only: it turns SSO-only off.
    const script = await t.clientWithRole('Ops recovery script', 'Master Admin');
    const token = await t.token(script.id, script.secret);
    const off = await t.api('/api/v2/identityproviders/settings', { method: 'PUT', token, body: { ssoOnly: false } });
    expect(off.status, off.text).toBe(200);
    expect(off.body).toMatchObject({ ssoOnly: false });
    const relieved = await consoleLogin(t.demo.adminEmail, ADMIN_PASSWORD);
    expect(relieved.status, relieved.text).toBe(200);
    expect((await consoleLogin(userEmail, USER_PASSWORD)).status).toBe(200);
  });
});

/**
 * The tutorial "SAML SSO while retaining programmatic OAuth access" (seeds/001) end to end with
 * the official SDK: the organization moves people to SSO-only, and the service account's
 * client-credentials client keeps working, while password logins stop, except the break-glass
 * administrator's (@see issue 5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { CERT, ISSUER, SSO_URL } from './providers-fixtures.ts';

describe.each(DIALECTS)('tutorial: SSO for people, client credentials for scripts, on %s', (dialect) => {
  let t: TestApp;
  const agent = { email: 'agent@demo.gatehouse.local', password: 'agent passphrase long enough' };

  beforeAll(async () => {
    t = await startApp(dialect);
    await t.gh.directory.users.create(t.demo.orgId, null, {
      name: 'Agent',
      email: agent.email,
      password: agent.password,
    });
  });
  afterAll(() => t?.close());

  const passwordLogin = (email: string, password: string) =>
    t.api('/console/api/session', { method: 'POST', body: { email, password } });

  it('keeps the service account working through the SDK after SSO-only is turned on', async () => {
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);

    // Step 2 of the tutorial: configure SAML for human users (an Okta provider, through the SDK).
    const okta = await new platformClient.IdentityProviderApi().putIdentityprovidersOkta({
      name: 'Okta',
      issuerURI: ISSUER,
      ssoTargetURI: SSO_URL,
      certificate: CERT.idp,
      disabled: false,
    });
    expect(okta.id).toBeTruthy();
    const users = await new platformClient.UsersApi().getUsers({ pageSize: 25 });
    const adminId = users.entities.find((u: { email: string }) => u.email === t.demo.adminEmail).id;
    // Before: people may still use passwords.
    expect((await passwordLogin(agent.email, agent.password)).status).toBe(200);

    // SSO-only with the demo admin as break-glass (a Gatehouse addition to the upstream API).
    const admin = await t.token();
    const saved = await t.api('/api/v2/identityproviders/settings', {
      method: 'PUT',
      token: admin,
      body: { ssoOnly: true, breakGlassUserId: adminId },
    });
    expect(saved.status, saved.text).toBe(200);

    // The script: a new client-credentials login and API calls still work.
    const fresh = freshSdk(t.url);
    const auth = await fresh.client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    expect(auth.accessToken).toBeTruthy();
    const me = await new fresh.platformClient.UsersApi().getUsersMe();
    expect(me.email).toBe('service-account@demo.gatehouse.local');
    const org = await new fresh.platformClient.OrganizationApi().getOrganizationsMe();
    expect(org.id).toBe(t.demo.orgId);
    const token = await new fresh.platformClient.TokensApi().getTokensMe();
    expect(token.OAuthClient.id).toBe(t.demo.clientId);

    // People: password login is refused with the SSO-only error ...
    const refused = await passwordLogin(agent.email, agent.password);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/This organization signs in with single sign-on/);
    // ... and the login page offers the Okta button only.
    const options = await t.api('/saml/providers');
    expect(options.body).toMatchObject({
      ssoOnly: true,
      providers: [{ id: okta.id, name: 'Okta', providerType: 'okta' }],
    });
    // The break-glass administrator can still use a password.
    const breakGlass = await passwordLogin(t.demo.adminEmail, ADMIN_PASSWORD);
    expect(breakGlass.status, breakGlass.text).toBe(200);
    expect(breakGlass.body.user.email).toBe(t.demo.adminEmail);
  });
});

/**
 * The official JavaScript SDK, unchanged, pointed at Gatehouse through its gateway setting
 * (@see issue 2, "What a user must be able to do" 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('official SDK purecloud-platform-client-v2 on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(dialect);
  });
  afterAll(() => t?.close());

  it('logs in with client credentials and reads users/me and organizations/me', async () => {
    const { platformClient, client } = freshSdk(t.url);
    const auth = await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    expect(auth.accessToken).toBeTruthy();
    const me = await new platformClient.UsersApi().getUsersMe();
    validateShape('UserMe', me);
    expect(me.email).toBe('service-account@demo.gatehouse.local');
    const org = await new platformClient.OrganizationApi().getOrganizationsMe();
    validateShape('Organization', org);
    expect(org.name).toBe('Gatehouse Demo');
  });

  it('lists users, roles and divisions, and reads its token', async () => {
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const users = await new platformClient.UsersApi().getUsers({ pageSize: 1, expand: ['authorization', 'groups'] });
    validateShape('UserEntityListing', users);
    expect(users.total).toBe(2);
    const authz = new platformClient.AuthorizationApi();
    const roles = await authz.getAuthorizationRoles({ pageSize: 10 });
    expect(roles.entities.map((r: { name: string }) => r.name)).toContain('Master Admin');
    const divisions = await authz.getAuthorizationDivisions();
    expect(divisions.entities[0].homeDivision).toBe(true);
    const info = await new platformClient.TokensApi().getTokensMe();
    validateShape('TokenInfo', info);
    expect(info.OAuthClient.id).toBe(t.demo.clientId);
  });

  it('creates a user and sees the upstream error body on conflict', async () => {
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const api = new platformClient.UsersApi();
    const user = await api.postUsers({
      name: 'SDK User',
      email: 'sdk@example.com',
      divisionId: (await new platformClient.AuthorizationApi().getAuthorizationDivisionsHome()).id,
    });
    expect(user.id).toBeTruthy();
    const err = await api.postUsers({ name: 'SDK User', email: 'sdk@example.com' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409, code: 'general.conflict' });
  });

  it('rejects a wrong secret and revokes its own token through DELETE /tokens/me', async () => {
    const { platformClient, client } = freshSdk(t.url);
    await expect(client.loginClientCredentialsGrant(t.demo.clientId, 'wrong')).rejects.toBeTruthy();
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const tokens = new platformClient.TokensApi();
    await tokens.deleteTokensMe();
    const err = await tokens.getTokensMe().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401 });
  });
});

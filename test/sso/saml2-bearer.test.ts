/**
 * The SAML2-bearer grant on /oauth/token (RFC 7522; @see issue 5): assertions signed by an
 * independent implementation (xmlsec1 driven by test/sso/idp/sign_assertion.py), exchanged with
 * the official SDK's loginSaml2BearerGrant and over raw HTTP, and every rule that must refuse one.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { CERT } from './providers-fixtures.ts';

const HERE = import.meta.dirname;
const KEYS = join(HERE, 'keys');
const IDP_ISSUER = 'https://idp.bearer.example/saml';
const GRANT = 'urn:ietf:params:oauth:grant-type:saml2-bearer';
const USER = 'agent@demo.gatehouse.local';

interface Job {
  issuer?: string;
  audience?: string;
  recipient?: string;
  name_id?: string;
  key?: string;
  cert?: string;
  not_on_or_after?: number;
  not_before?: number;
  in_response_to?: string;
  wrap_in_response?: boolean;
  encoding?: 'base64' | 'base64url';
  unsigned?: boolean;
  tamper?: boolean;
  attributes?: Record<string, string[]>;
}

describe.each(DIALECTS)(
  'SAML2-bearer grant on %s',
  (dialect) => {
    let t: TestApp;
    let admin: string;
    let orgName: string;
    let audience: string;
    let recipient: string;
    let bearer: { id: string; secret: string };
    let providerId: string;

    /** A signed assertion from the test IdP (xmlsec1), for the demo org's SP and the token endpoint. */
    const assertion = (job: Job = {}) =>
      execFileSync('/usr/bin/python3', [join(HERE, 'idp', 'sign_assertion.py')], {
        input: JSON.stringify({
          key: join(KEYS, 'idp.key'),
          cert: join(KEYS, 'idp.crt'),
          issuer: IDP_ISSUER,
          audience,
          recipient,
          name_id: USER,
          ...job,
        }),
        encoding: 'utf8',
      });

    const exchange = (form: Record<string, string>, client = bearer) =>
      t.api('/oauth/token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams(form).toString(),
      });
    const grant = (a: string, org = orgName, client = bearer) =>
      exchange({ grant_type: GRANT, assertion: a, orgName: org }, client);
    const refused = async (a: string, error = 'invalid_grant', org = orgName) => {
      const res = await grant(a, org);
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toBe(error);
      expect(res.body.access_token).toBeUndefined();
      return res.body.error_description as string;
    };

    beforeAll(async () => {
      t = await startApp(dialect);
      admin = await t.token();
      orgName = (await t.api('/api/v2/organizations/me', { token: admin })).body.name;
      const base = t.gh.config.publicUrl;
      audience = `${base}/saml/${t.demo.orgId}/metadata`;
      recipient = `${base}/oauth/token`;
      await t.gh.directory.users.create(t.demo.orgId, null, {
        name: 'Agent',
        email: USER,
        password: 'agent passphrase long enough',
      });
      const provider = await t.api('/api/v2/identityproviders', {
        method: 'POST',
        token: admin,
        body: {
          name: 'Bearer IdP',
          issuerURI: IDP_ISSUER,
          ssoTargetURI: 'https://idp.bearer.example/sso',
          certificates: [CERT.idp],
        },
      });
      expect(provider.status, provider.text).toBe(200);
      providerId = provider.body.id;
      const client = await t.api('/api/v2/oauth/clients', {
        method: 'POST',
        token: admin,
        body: { name: 'Bearer App', authorizedGrantType: 'SAML2-BEARER', scope: ['users:readonly'] },
      });
      expect(client.status, client.text).toBe(200);
      bearer = { id: client.body.id, secret: client.body.secret };
    });
    afterAll(() => t?.close());

    it('exchanges a signed assertion for a user token with the official SDK, narrowed to the client scopes', async () => {
      const { platformClient, client } = freshSdk(t.url);
      const auth = await client.loginSaml2BearerGrant(bearer.id, bearer.secret, orgName, assertion());
      expect(auth.accessToken).toBeTruthy();
      const me = await new platformClient.UsersApi().getUsersMe();
      expect(me.email).toBe(USER);
      const token = auth.accessToken as string;
      expect((await t.api('/api/v2/users', { token })).status).toBe(200);
      const write = await t.api('/api/v2/users', {
        method: 'POST',
        token,
        body: { name: 'x', email: 'x@example.com' },
      });
      expect(write.status).toBe(403);
    });

    it('answers RFC 6749 fields over HTTP, accepts plain base64 of a full Response, and refuses a replay', async () => {
      const a = assertion({ wrap_in_response: true, encoding: 'base64' });
      const res = await grant(a);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number), scope: 'users:readonly' });
      expect(res.body.refresh_token).toBeUndefined();
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await refused(a)).toMatch(/already used/);
    });

    it("honours the assertion's AuthorizedClientIDs: a client the IdP does not list is refused invalid_grant", async () => {
      const made = await t.api('/api/v2/oauth/clients', {
        method: 'POST',
        token: admin,
        body: { name: 'Other Bearer App', authorizedGrantType: 'SAML2-BEARER', scope: ['users:readonly'] },
      });
      expect(made.status, made.text).toBe(200);
      const other = { id: made.body.id as string, secret: made.body.secret as string };

      // Names only the other client: this client gets no token ...
      const onlyOther = await grant(assertion({ attributes: { AuthorizedClientIDs: [other.id] } }));
      expect(onlyOther.status, onlyOther.text).toBe(400);
      expect(onlyOther.body).toMatchObject({
        error: 'invalid_grant',
        error_description: expect.stringMatching(/does not authorize this client/),
      });
      expect(onlyOther.body.access_token).toBeUndefined();
      // ... while the client it names does.
      const forOther = await grant(assertion({ attributes: { AuthorizedClientIDs: [other.id] } }), orgName, other);
      expect(forOther.status, forOther.text).toBe(200);
      // Several values, or one comma-separated value, that include this client: a token.
      expect((await grant(assertion({ attributes: { AuthorizedClientIDs: [other.id, bearer.id] } }))).status).toBe(200);
      const commaSeparated = await grant(
        assertion({ attributes: { AuthorizedClientIDs: [`${other.id}, ${bearer.id}`] } }),
      );
      expect(commaSeparated.status, commaSeparated.text).toBe(200);
      expect((await t.api('/api/v2/users/me', { token: commaSeparated.body.access_token })).body.email).toBe(USER);
    });

    it('keeps working in SSO-only mode (it is single sign-on)', async () => {
      const users = (await t.api('/api/v2/users?pageSize=100', { token: admin })).body.entities as {
        id: string;
        email: string;
      }[];
      const adminId = users.find((u) => u.email === t.demo.adminEmail)!.id;
      expect(
        (
          await t.api('/api/v2/identityproviders/settings', {
            method: 'PUT',
            token: admin,
            body: { ssoOnly: true, breakGlassUserId: adminId },
          })
        ).status,
      ).toBe(200);
      expect((await grant(assertion())).status).toBe(200);
      expect(
        (await t.api('/api/v2/identityproviders/settings', { method: 'PUT', token: admin, body: { ssoOnly: false } }))
          .status,
      ).toBe(200);
    });

    it('refuses clients that are not SAML2-BEARER clients, and missing parameters', async () => {
      const cc = { id: t.demo.clientId, secret: t.demo.clientSecret };
      const wrongClient = await grant(assertion(), orgName, cc);
      expect(wrongClient.status).toBe(400);
      expect(wrongClient.body.error).toBe('unauthorized_client');
      expect((await exchange({ grant_type: GRANT, orgName })).body.error).toBe('invalid_request');
      expect((await exchange({ grant_type: GRANT, assertion: assertion() })).body.error).toBe('invalid_request');
      const noSecret = await t.api('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: GRANT,
          assertion: assertion(),
          orgName,
          client_id: bearer.id,
        }).toString(),
      });
      expect(noSecret.status).toBe(401);
      expect(noSecret.body.error).toBe('invalid_client');
    });

    it('refuses unsigned, tampered and foreign-signed assertions', async () => {
      expect(await refused(assertion({ unsigned: true }))).toMatch(/not valid/);
      await refused(assertion({ tamper: true }));
      const foreign = await refused(assertion({ key: join(KEYS, 'attacker.key'), cert: join(KEYS, 'attacker.crt') }));
      expect(foreign).toMatch(/not signed by a certificate of an enabled identity provider/);
      await refused('not base64 at all!');
    });

    it('refuses a wrong Audience, a wrong Recipient, an InResponseTo, and an expired or future assertion', async () => {
      expect(await refused(assertion({ audience: 'https://some-other-sp.example/metadata' }))).toMatch(/some-other-sp/);
      expect(await refused(assertion({ recipient: `${t.gh.config.publicUrl}/saml/${t.demo.orgId}/acs` }))).toMatch(
        /Recipient/,
      );
      await refused(assertion({ in_response_to: '_request123' }));
      await refused(assertion({ not_on_or_after: -30 }));
      await refused(assertion({ not_before: 120 }));
    });

    it('refuses an unknown user, an unknown organization, and a disabled provider', async () => {
      expect(await refused(assertion({ name_id: 'nobody@demo.gatehouse.local' }))).toMatch(/no active user/);
      await refused(assertion(), 'invalid_grant', 'No Such Organization');
      const disabled = await t.api(`/api/v2/identityproviders/${providerId}`, {
        method: 'PUT',
        token: admin,
        body: { disabled: true },
      });
      expect(disabled.status, disabled.text).toBe(200);
      await refused(assertion());
      await t.api(`/api/v2/identityproviders/${providerId}`, {
        method: 'PUT',
        token: admin,
        body: { disabled: false },
      });
      expect((await grant(assertion())).status).toBe(200);
    });

    it('does not let an assertion for one organization sign in to another', async () => {
      const other = await t.gh.directory.createOrganization(
        `Bearer Other ${dialect}`,
        `bearer-other-${dialect}.example.com`,
      );
      await t.gh.directory.users.create(other.org.id, null, {
        name: 'Agent',
        email: USER,
        password: 'agent passphrase long enough',
      });
      // An assertion for the demo org's audience, presented with the other org's name (which has no provider).
      expect(await refused(assertion(), 'invalid_grant', `Bearer Other ${dialect}`)).toMatch(
        /no enabled identity provider/,
      );
    });

    it('refuses a SAML2-BEARER client of another organization that this one has not authorized', async () => {
      const other = await t.gh.directory.createOrganization(
        `Bearer Vendor ${dialect}`,
        `bearer-vendor-${dialect}.example.com`,
      );
      const made = await t.gh.oauth.clients.create(other.org.id, null, {
        name: 'Vendor Bearer App',
        grantType: 'SAML2-BEARER',
        scopes: ['users:readonly'],
      });
      const res = await grant(assertion(), orgName, { id: made.client.id, secret: made.secret });
      expect(res.status, res.text).toBe(400);
      expect(res.body).toMatchObject({
        error: 'invalid_grant',
        error_description: expect.stringMatching(/not authorized in this organization/),
      });
    });
    // Every case spawns pysaml2 (python3 + xmlsec1) one or more times: slow on a loaded 2-CPU machine.
  },
  120_000,
);

/**
 * The SAML attributes Gatehouse acts on (@see issue 5, Flows; docs/sso.md "Login flows"), sent by
 * an independent IdP (pysaml2): OrganizationName picks the organization when one IdP serves
 * several, ServiceName redirects only to allow-listed URLs or keywords (never an open redirect),
 * AuthorizedClientIDs limits the OAuth clients the signed-in user may authorize.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/platform/ids.ts';
import { DIALECTS } from '../../helpers/dialects.ts';
import { type FlowApp, pem, startFlowApp, USER } from './idp.ts';

describe.each(DIALECTS)(
  'SAML attributes on %s',
  (dialect) => {
    let f: FlowApp;
    let providerId: string;

    /** The same IdP (issuer) configured in another organization, trusting `cert`. */
    async function shareProvider(orgName: string, cert: string, domain = orgName.toLowerCase().replace(/\W/g, '-')) {
      const org = (await f.t.gh.directory.organizations.create(orgName, `${domain}-${dialect}`)).org;
      const db = f.t.gh.storage.db;
      const row = await db
        .selectFrom('sso_providers')
        .selectAll()
        .where('id', '=', providerId)
        .executeTakeFirstOrThrow();
      await db
        .insertInto('sso_providers')
        .values({ ...row, id: newId(), org_id: org.id, named_kind: null, certificates: JSON.stringify([cert]) })
        .execute();
      return org;
    }

    beforeAll(async () => {
      f = await startFlowApp(dialect);
      providerId = await f.addProvider();
      await f.addUser(USER, 'Flow User');
    });
    afterAll(async () => {
      await f?.close();
    });

    it('OrganizationName never moves a login to another organization: an assertion signs only into the one it is addressed to', async () => {
      // One IdP configured in A (the demo organization, where USER exists) and in B.
      const b = await shareProvider('Second Org', pem('idp.crt'));
      await f.t.gh.directory.users.create(b.id, null, {
        name: 'Second Only',
        email: 'second.only@example.com',
        password: 'a passphrase long enough',
      });
      const a = (await f.t.api('/api/v2/organizations/me', { token: f.admin })).body.name as string;
      const base = f.t.gh.config.publicUrl;
      const toB = { acs: `${base}/saml/${b.id}/acs`, audience: `${base}/saml/${b.id}/metadata` };

      // Addressed to B (Audience, Destination, Recipient), naming A, posted to B's ACS: not A, and not B either.
      const attack = await f.acs(
        await f.idp({ name_id: USER, ...toB, attributes: { OrganizationName: [a] } }),
        undefined,
        b.id,
      );
      expect(attack.status, attack.text).toBe(403);
      expect(attack.text).toContain('your identity provider names another (OrganizationName)');
      expect(attack.cookie).toBeNull();
      // The same response posted to A's ACS is not addressed to A.
      const elsewhere = await f.acs(await f.idp({ name_id: USER, ...toB, attributes: { OrganizationName: [a] } }));
      expect(elsewhere.status, elsewhere.text).toBe(400);
      expect(elsewhere.cookie).toBeNull();

      // Addressed to A, naming B, posted to A's ACS: refused as well (it used to sign into B).
      const named = await f.acs(
        await f.idp({ name_id: 'second.only@example.com', attributes: { OrganizationName: ['second org'] } }),
      );
      expect(named.status, named.text).toBe(403);
      expect(named.cookie).toBeNull();

      // Addressed to B and naming B (any letter case), at B's ACS: B's user signs into B.
      const own = await f.acs(
        await f.idp({ name_id: 'second.only@example.com', ...toB, attributes: { OrganizationName: ['SECOND ORG'] } }),
        undefined,
        b.id,
      );
      expect(own.status, own.text).toBe(200);
      expect((await f.whoami(own.cookie))?.organization.id).toBe(b.id);
      // And without the attribute too; A's user is not signed into B.
      const plain = await f.acs(await f.idp({ name_id: 'second.only@example.com', ...toB }), undefined, b.id);
      expect((await f.whoami(plain.cookie))?.organization.id).toBe(b.id);
      expect((await f.acs(await f.idp({ name_id: USER, ...toB }), undefined, b.id)).status).toBe(403);
    });

    it('OrganizationName on an SP-initiated login must name the organization it started in', async () => {
      // The IdP serves another organization too, where this very user also exists.
      const fourth = await shareProvider('Fourth Org', pem('idp.crt'));
      await f.t.gh.directory.users.create(fourth.id, null, {
        name: 'Flow User',
        email: USER,
        password: 'a passphrase long enough',
      });
      const mine = (await f.t.api('/api/v2/organizations/me', { token: f.admin })).body.name as string;

      const moved = await f.spLogin(providerId, '/admin', { attributes: { OrganizationName: ['Fourth Org'] } });
      expect(moved.status, moved.text).toBe(403);
      expect(moved.text).toContain('Single sign-on failed');
      expect(moved.text).toContain('your identity provider names another (OrganizationName)');
      expect(moved.cookie).toBeNull();
      // Naming the organization the login started in (any letter case) is fine.
      const same = await f.spLogin(providerId, '/admin', { attributes: { OrganizationName: [mine.toUpperCase()] } });
      expect(same.status, same.text).toBe(200);
      expect((await f.whoami(same.cookie))?.organization.id).toBe(f.orgId);
      // The same attribute on an unsolicited response does not pick the other organization either.
      const idpInitiated = await f.acs(
        await f.idp({ name_id: USER, attributes: { OrganizationName: ['Fourth Org'] } }),
      );
      expect(idpInitiated.status, idpInitiated.text).toBe(403);
      expect(idpInitiated.cookie).toBeNull();
      expect(fourth.id).not.toBe(f.orgId);
    });

    it('OrganizationName cannot reach an organization whose provider does not trust the signing key', async () => {
      const third = await shareProvider('Third Org', pem('attacker.crt'));
      await f.t.gh.directory.users.create(third.id, null, {
        name: 'Third',
        email: 'third@example.com',
        password: 'a passphrase long enough',
      });
      const res = await f.acs(
        await f.idp({ name_id: 'third@example.com', attributes: { OrganizationName: ['Third Org'] } }),
      );
      expect(res.status).toBe(403);
      expect(res.cookie).toBeNull();
      const unknown = await f.acs(await f.idp({ name_id: USER, attributes: { OrganizationName: ['No Such Org'] } }));
      expect(unknown.status).toBe(403);
    });

    it('OrganizationName shared by two organizations (any letter case) is refused as ambiguous, not resolved to one of them', async () => {
      const a = await shareProvider('Twin', pem('idp.crt'));
      const b = await shareProvider('twin', pem('idp.crt'), 'twin-b');
      for (const org of [a, b])
        await f.t.gh.directory.users.create(org.id, null, {
          name: 'Twin User',
          email: 'twin.user@example.com',
          password: 'a passphrase long enough',
        });
      const res = await f.acs(
        await f.idp({ name_id: 'twin.user@example.com', attributes: { OrganizationName: ['twin'] } }),
      );
      expect(res.status, res.text).toBe(403);
      expect(res.text).toContain('several organizations have that name');
      expect(res.cookie).toBeNull();
    });

    it('ServiceName: keywords and allow-listed URLs are followed, anything else is ignored (no open redirect)', async () => {
      const put = await f.t.api('/api/v2/identityproviders/settings', {
        method: 'PUT',
        token: f.admin,
        body: { ssoOnly: false, breakGlassUserId: null, redirectAllowList: ['https://app.example.com/home'] },
      });
      expect(put.status, put.text).toBe(200);
      const target = async (serviceName: string) => {
        const res = await f.acs(await f.idp({ name_id: USER, attributes: { ServiceName: [serviceName] } }));
        expect(res.status, res.text).toBe(200);
        expect(res.location).toBeNull();
        return /content="0;url=([^"]*)"/.exec(res.text)![1];
      };
      expect(await target('directory')).toBe('/admin/people/users');
      expect(await target('directory-admin')).toBe('/admin');
      expect(await target('https://app.example.com/home')).toBe('https://app.example.com/home');
      for (const evil of [
        'https://evil.example/',
        'https://app.example.com/home/../../evil',
        '//evil.example',
        'javascript:alert(1)',
        'https://app.example.com/home?x=1',
      ]) {
        expect(await target(evil), evil).toBe('/admin');
      }
      // SP-initiated: the returnTo the person asked for wins over ServiceName.
      const sp = await f.spLogin(providerId, '/admin/integrations', { attributes: { ServiceName: ['directory'] } });
      expect(sp.text).toContain('content="0;url=/admin/integrations"');
    });

    /** A Code client of the organization, for the AuthorizedClientIDs cases. */
    const client = async (name: string) => {
      const res = await f.t.api('/api/v2/oauth/clients', {
        method: 'POST',
        token: f.admin,
        body: {
          name,
          authorizedGrantType: 'CODE',
          registeredRedirectUri: ['https://app.example.com/cb'],
          scope: ['users:readonly'],
        },
      });
      expect(res.status, res.text).toBe(200);
      return res.body.id as string;
    };

    it('AuthorizedClientIDs: another client sends the person back to the IdP; an IdP that still refuses it ends in an error page', async () => {
      const allowed = await client('Allowed App');
      const other = await client('Other App');
      const authorize = (clientId: string) =>
        `/oauth/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: 'https://app.example.com/cb', state: 's1' })}`;

      const login = await f.acs(await f.idp({ name_id: USER, attributes: { AuthorizedClientIDs: [allowed] } }));
      expect(login.status).toBe(200);
      const get = (path: string) => fetch(f.t.url + path, { redirect: 'manual', headers: { cookie: login.cookie! } });

      const ok = await get(authorize(allowed));
      expect(ok.headers.get('location') ?? '').not.toContain('/saml/');
      const back = await get(authorize(other));
      expect(back.status).toBe(303);
      const location = back.headers.get('location')!;
      expect(location.startsWith(`/saml/${f.orgId}/login/${providerId}?returnTo=`)).toBe(true);
      const returnTo = new URL(location, f.t.url).searchParams.get('returnTo')!;
      expect(new URLSearchParams(returnTo.split('?')[1]).get('client_id')).toBe(other);

      // The IdP still allows only the first client: refused, not a loop.
      const refused = await f.spLogin(providerId, returnTo, { attributes: { AuthorizedClientIDs: [allowed] } });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('does not allow you to sign in to this application');
      // Now it allows both: back to the authorize URL, which no longer bounces.
      const again = await f.spLogin(providerId, returnTo, { attributes: { AuthorizedClientIDs: [allowed, other] } });
      expect(again.status, again.text).toBe(200);
      expect(again.text).toContain(`content="0;url=${returnTo.replace(/&/g, '&amp;')}"`);
      const after = await fetch(f.t.url + returnTo, { redirect: 'manual', headers: { cookie: again.cookie! } });
      expect(after.headers.get('location') ?? '').not.toContain('/saml/');
      // A session without the attribute may authorize any client.
      const free = await f.acs(await f.idp({ name_id: USER }));
      const open = await fetch(f.t.url + authorize(other), { redirect: 'manual', headers: { cookie: free.cookie! } });
      expect(open.headers.get('location') ?? '').not.toContain('/saml/');
    });

    it('AuthorizedClientIDs also holds on a posted consent decision: the CSRF token of an allowed client does not approve another', async () => {
      const allowed = await client('Decision Allowed App');
      const other = await client('Decision Other App');
      // A user who may approve applications for the organization (so an approval would issue a code at once).
      const email = 'decision.user@demo.gatehouse.local';
      const userId = await f.addUser(email, 'Decision User');
      const roles = await f.t.api(`/api/v2/authorization/roles?${new URLSearchParams({ name: 'Master Admin' })}`, {
        token: f.admin,
      });
      const granted = await f.t.api(`/api/v2/users/${userId}/roles`, {
        method: 'PUT',
        token: f.admin,
        body: [roles.body.entities[0].id],
      });
      expect(granted.status, granted.text).toBe(200);

      const login = await f.acs(await f.idp({ name_id: email, attributes: { AuthorizedClientIDs: [allowed] } }));
      expect(login.status, login.text).toBe(200);
      const params = (clientId: string) => ({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: 'https://app.example.com/cb',
        state: 's1',
      });
      const consent = await fetch(`${f.t.url}/oauth/authorize?${new URLSearchParams(params(allowed))}`, {
        redirect: 'manual',
        headers: { cookie: login.cookie! },
      });
      const page = await consent.text();
      expect(consent.status, page).toBe(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
      const decide = (clientId: string) =>
        fetch(`${f.t.url}/oauth/authorize/decision`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: login.cookie!, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...params(clientId), csrf, decision: 'approve' }).toString(),
        });

      const bounced = await decide(other);
      expect(bounced.status).toBe(303);
      const location = bounced.headers.get('location')!;
      expect(location.startsWith(`/saml/${f.orgId}/login/${providerId}?returnTo=`)).toBe(true);
      expect(location).not.toContain('code=');
      // Nothing was consented for the other client either.
      expect((await f.t.api(`/api/v2/oauth/authorizations/${other}`, { token: f.admin })).status).toBe(404);
      // The same form for the allowed client approves it and issues a code.
      const approved = await decide(allowed);
      expect(approved.status).toBe(303);
      expect(approved.headers.get('location')).toMatch(/^https:\/\/app\.example\.com\/cb\?code=[^&]+&state=s1$/);
    });
    // Every case spawns pysaml2 (python3 + xmlsec1) one or more times: slow on a loaded 2-CPU machine.
  },
  120_000,
);

/**
 * Single logout with an independent IdP (pysaml2), HTTP-Redirect binding, signed both ways
 * (@see issue 5, Flows; docs/sso.md "Login flows"): SP-initiated logout ends the local session
 * and sends a LogoutRequest pysaml2 verifies; its LogoutResponse is accepted once; an
 * IdP-initiated LogoutRequest ends that person's sessions and is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/dialects.ts';
import { type FlowApp, SLO_URL, startFlowApp, USER } from './idp.ts';

describe.each(DIALECTS)(
  'SAML single logout on %s',
  (dialect) => {
    let f: FlowApp;
    let providerId: string;
    /** A URL pysaml2 built for our SLO endpoint, fetched on the test app's real origin. */
    const visit = (url: string, cookie?: string) => {
      const u = new URL(url);
      return fetch(`${f.t.url}${u.pathname}${u.search}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    };

    beforeAll(async () => {
      f = await startFlowApp(dialect);
      providerId = await f.addProvider();
      await f.addUser(USER, 'Flow User');
      await f.addUser('bystander@demo.gatehouse.local', 'Bystander');
    });
    afterAll(async () => {
      await f?.close();
    });

    it("SP-initiated: ends the session, sends a signed LogoutRequest, accepts the IdP's LogoutResponse once", async () => {
      const login = await f.spLogin(providerId);
      expect(login.status, login.text).toBe(200);
      const session = await f.t.api('/saml/session', { headers: { cookie: login.cookie! } });
      expect(session.body).toEqual({ ssoLogoutUrl: `/saml/${f.orgId}/logout` });
      expect((await f.t.api('/saml/session')).body).toEqual({ ssoLogoutUrl: null });

      const out = await fetch(`${f.t.url}/saml/${f.orgId}/logout`, {
        redirect: 'manual',
        headers: { cookie: login.cookie! },
      });
      expect(out.status).toBe(302);
      const location = out.headers.get('location')!;
      expect(location.startsWith(`${SLO_URL}?SAMLRequest=`)).toBe(true);
      expect(out.headers.getSetCookie().join()).toMatch(/gatehouse_session=;/);
      expect(await f.whoami(login.cookie)).toBeNull();

      const idp = JSON.parse(
        await f.idp({ mode: 'logout-response', query: location.slice(location.indexOf('?') + 1) }),
      );
      expect(idp.name_id).toBe(USER);
      expect(idp.session_index.length).toBe(1);
      const done = await visit(idp.url);
      expect(done.status).toBe(200);
      expect(await done.text()).toContain('Signed out');
      expect((await visit(idp.url)).status).toBe(400);
    });

    it('a logout GET without a session cookie (a cross-site link: SameSite=Strict sends none) sets no cookie', async () => {
      const out = await fetch(`${f.t.url}/saml/${f.orgId}/logout`, { redirect: 'manual' });
      expect(out.status).toBe(302);
      expect(out.headers.get('location')).toBe('/');
      expect(out.headers.get('set-cookie')).toBeNull();
      // A stale cookie sent same-site is still cleared.
      const stale = await fetch(`${f.t.url}/saml/${f.orgId}/logout`, {
        redirect: 'manual',
        headers: { cookie: 'gatehouse_session=not-a-token' },
      });
      expect(stale.status).toBe(302);
      expect(stale.headers.getSetCookie().join()).toMatch(/gatehouse_session=;/);
    });

    it('refuses a LogoutResponse to a request it never sent, and an unsigned or tampered logout message', async () => {
      const login = await f.spLogin(providerId);
      const out = await fetch(`${f.t.url}/saml/${f.orgId}/logout`, {
        redirect: 'manual',
        headers: { cookie: login.cookie! },
      });
      const query = out.headers.get('location')!.split('?')[1];
      const forged = JSON.parse(await f.idp({ mode: 'logout-response', query, in_response_to: '_never_sent' }));
      expect((await visit(forged.url)).status).toBe(400);
      const real = JSON.parse(await f.idp({ mode: 'logout-response', query }));
      const unsigned = real.url.replace(/&SigAlg=[^&]*/, '').replace(/&Signature=[^&]*/, '');
      const refused = await visit(unsigned);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('Sign-out failed');
      const tampered = real.url.replace(/RelayState=[^&]*/, 'RelayState=forged');
      expect((await visit(tampered)).status).toBe(400);
      const garbled = await fetch(
        `${f.t.url}/saml/${f.orgId}/slo?SAMLResponse=abc&SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}&Signature=%ZZ`,
      );
      expect(garbled.status).toBe(400);
      expect((await visit(real.url)).status).toBe(200);
    });

    it("IdP-initiated: a signed LogoutRequest ends that person's sessions only, and is answered with a signed LogoutResponse", async () => {
      const mine = await f.acs(await f.idp({ name_id: USER }));
      const mine2 = await f.acs(await f.idp({ name_id: USER }));
      const theirs = await f.acs(await f.idp({ name_id: 'bystander@demo.gatehouse.local' }));
      for (const s of [mine, mine2, theirs]) expect(await f.whoami(s.cookie)).not.toBeNull();

      const request = JSON.parse(await f.idp({ mode: 'logout-request', name_id: USER }));
      const answer = await visit(request.url);
      expect(answer.status).toBe(302);
      const location = new URL(answer.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(SLO_URL);
      expect(location.searchParams.get('SAMLResponse')).toBeTruthy();
      expect(location.searchParams.get('Signature')).toBeTruthy();
      expect(location.searchParams.get('RelayState')).toBe('idp-relay');
      const checked = JSON.parse(await f.idp({ mode: 'verify-logout-response', query: location.search.slice(1) }));
      expect(checked).toMatchObject({
        in_response_to: request.id,
        status: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      });
      expect(await f.whoami(mine.cookie)).toBeNull();
      expect(await f.whoami(mine2.cookie)).toBeNull();
      expect((await f.whoami(theirs.cookie))?.user.email).toBe('bystander@demo.gatehouse.local');
    });
    // Every case spawns pysaml2 (python3 + xmlsec1) one or more times: slow on a loaded 2-CPU machine.
  },
  120_000,
);

/**
 * SP-initiated sign-in (GET /saml/{orgId}/login/{providerId}) with an independent IdP (pysaml2):
 * Redirect and POST bindings, signed AuthnRequests verified by pysaml2, InResponseTo enforced and
 * consumed once, returnTo kept same-origin, and clear error pages (@see issue 5, Flows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/dialects.ts';
import { type FlowApp, POST, SSO_URL, startFlowApp, USER } from './idp.ts';

describe.each(DIALECTS)(
  'SP-initiated SAML login on %s',
  (dialect) => {
    let f: FlowApp;
    let plain: string;

    beforeAll(async () => {
      f = await startFlowApp(dialect);
      plain = await f.addProvider();
      await f.addUser(USER, 'Flow User');
    });
    afterAll(async () => {
      await f?.close();
    });

    it('redirects to the IdP with an AuthnRequest and an opaque RelayState, and lands on returnTo after the answer', async () => {
      const started = await f.start(plain, '/admin/people/users?tab=2');
      expect(started.status).toBe(302);
      expect(started.location!.startsWith(`${SSO_URL}?SAMLRequest=`)).toBe(true);
      const relay = started.query!.get('RelayState')!;
      expect(relay).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(started.location).not.toContain('admin');
      expect(started.query!.get('Signature')).toBeNull();
      const request = JSON.parse(await f.idp({ mode: 'verify-request', binding: 'redirect', query: started.rawQuery }));
      expect(request).toMatchObject({
        acs: f.acsUrl,
        signed: false,
        issuer: `${f.t.gh.config.publicUrl}/saml/${f.orgId}/metadata`,
      });

      const response = await f.idp({ name_id: USER, in_response_to: request.id });
      const res = await f.acs(response, relay);
      expect(res.status, res.text).toBe(200);
      expect(res.text).toContain('content="0;url=/admin/people/users?tab=2"');
      expect((await f.whoami(res.cookie))?.user.email).toBe(USER);

      // The request is consumed: a second answer to it (a fresh assertion) is refused.
      const again = await f.acs(await f.idp({ name_id: USER, in_response_to: request.id }), relay);
      expect(again.status).toBe(400);
      expect(again.cookie).toBeNull();
    });

    it('signs the Redirect-binding AuthnRequest when the provider asks, and pysaml2 verifies it (and refuses it tampered)', async () => {
      const signing = await f.addProvider({ issuerURI: 'https://idp.flows.test/signing', signAuthnRequests: true });
      const started = await f.start(signing);
      expect(started.query!.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      const request = JSON.parse(
        await f.idp({
          mode: 'verify-request',
          binding: 'redirect',
          query: started.rawQuery,
          want_signed: true,
          issuer: 'https://idp.flows.test/signing',
        }),
      );
      expect(request.signed).toBe(true);
      const tampered = started.rawQuery.replace(/RelayState=[^&]+/, 'RelayState=forged');
      await expect(
        f.idp({ mode: 'verify-request', binding: 'redirect', query: tampered, want_signed: true }),
      ).rejects.toThrow(/signature does not verify/);
      const res = await f.acs(
        await f.idp({ name_id: USER, in_response_to: request.id, issuer: 'https://idp.flows.test/signing' }),
        started.query!.get('RelayState')!,
      );
      expect(res.status, res.text).toBe(200);
      expect(res.text).toContain('content="0;url=/admin"');
    });

    it('posts a signed AuthnRequest with the HTTP-POST binding; pysaml2 checks the XML signature', async () => {
      const post = await f.addProvider({
        issuerURI: 'https://idp.flows.test/post',
        ssoBinding: POST,
        signAuthnRequests: true,
      });
      const started = await f.start(post, '/admin/integrations');
      expect(started.status).toBe(200);
      expect(started.text).toContain(`action="${SSO_URL}"`);
      const samlRequest = /name="SAMLRequest" value="([^"]+)"/.exec(started.text)![1];
      const relay = /name="RelayState" value="([^"]+)"/.exec(started.text)![1];
      const request = JSON.parse(
        await f.idp({
          mode: 'verify-request',
          binding: 'post',
          saml_request: samlRequest,
          want_signed: true,
          issuer: 'https://idp.flows.test/post',
        }),
      );
      expect(request.signed).toBe(true);
      const res = await f.acs(
        await f.idp({ name_id: USER, in_response_to: request.id, issuer: 'https://idp.flows.test/post' }),
        relay,
      );
      expect(res.status, res.text).toBe(200);
      expect(res.text).toContain('content="0;url=/admin/integrations"');
    });

    it('refuses an answer whose InResponseTo names a request of another provider', async () => {
      const other = await f.addProvider({ issuerURI: 'https://idp.flows.test/other' });
      const started = await f.start(other);
      const request = JSON.parse(
        await f.idp({
          mode: 'verify-request',
          binding: 'redirect',
          query: started.rawQuery,
          issuer: 'https://idp.flows.test/other',
        }),
      );
      const res = await f.acs(
        await f.idp({ name_id: USER, in_response_to: request.id }),
        started.query!.get('RelayState')!,
      );
      expect(res.status).toBe(400);
      expect(res.cookie).toBeNull();
    });

    it('accepts only same-origin relative returnTo paths', async () => {
      for (const bad of [
        '//evil.example/x',
        '/\\evil.example',
        'https://evil.example/',
        '/\t/evil.example',
        'admin',
        'javascript:alert(1)',
      ]) {
        const res = await f.start(plain, bad);
        expect(res.status, bad).toBe(400);
        expect(res.location).toBeNull();
        expect(res.text).toContain('must be a path on this site');
      }
      expect((await f.start(plain)).status).toBe(302);
    });

    it("answers an error page for an unknown, disabled or other organization's provider", async () => {
      const unknown = await f.start('00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.text).toContain('Identity provider not found');
      const off = await f.addProvider({ issuerURI: 'https://idp.flows.test/off', disabled: true });
      expect((await f.start(off)).status).toBe(404);
      const other = (await f.t.gh.directory.organizations.create('Start Other', `start-other-${dialect}`)).org;
      const foreign = await fetch(`${f.t.url}/saml/${other.id}/login/${plain}`, { redirect: 'manual' });
      expect(foreign.status).toBe(404);
      expect(foreign.headers.get('content-type')).toContain('text/html');
    });
    // Every case spawns pysaml2 (python3 + xmlsec1) one or more times: slow on a loaded 2-CPU machine.
  },
  120_000,
);

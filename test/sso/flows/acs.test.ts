/**
 * The ACS with an independent IdP (pysaml2): IdP-initiated logins that work (assertion signed,
 * response signed, assertion encrypted, rotated certificate) and every validation rule refusing the
 * login over HTTP with an error page and no session (@see issue 5, Flows; docs/sso.md "Login flows").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/dialects.ts';
import { expiredCertFor, type FlowApp, ISSUER, pem, startFlowApp, USER } from './idp.ts';

/** The earliest NotBefore and NotOnOrAfter of a (signed, unencrypted) response, in ms. */
function window(b64: string) {
  const xml = Buffer.from(b64, 'base64').toString('utf8');
  const times = (attr: string) => [...xml.matchAll(new RegExp(`${attr}="([^"]+)"`, 'g'))].map((m) => Date.parse(m[1]));
  return { notBefore: Math.max(...times('NotBefore')), notOnOrAfter: Math.min(...times('NotOnOrAfter')) };
}

describe.each(DIALECTS)(
  'SAML ACS on %s',
  (dialect) => {
    let f: FlowApp;
    let providerId: string;

    beforeAll(async () => {
      f = await startFlowApp(dialect);
      providerId = await f.addProvider();
      await f.addUser(USER, 'Flow User');
    });
    afterAll(async () => {
      await f?.close();
    });

    const refused = async (res: Awaited<ReturnType<FlowApp['acs']>>, status = 400, text?: RegExp) => {
      expect(res.status, res.text).toBe(status);
      expect(res.text).toContain('Single sign-on failed');
      if (text) expect(res.text).toMatch(text);
      expect(res.cookie).toBeNull();
      expect(res.location).toBeNull();
    };
    const signedIn = async (res: Awaited<ReturnType<FlowApp['acs']>>) => {
      expect(res.status, res.text).toBe(200);
      expect((await f.whoami(res.cookie))?.user.email).toBe(USER);
    };

    it('signs a known user in from an unsolicited response, matched by email case-insensitively, with a same-site continue page', async () => {
      const res = await f.acs(await f.idp({ name_id: USER.toUpperCase() }));
      expect(res.status, res.text).toBe(200);
      expect(res.location).toBeNull();
      expect(res.text).toContain('http-equiv="refresh" content="0;url=/admin"');
      expect((await f.whoami(res.cookie))?.user).toMatchObject({ name: 'Flow User', email: USER });
    });

    it('accepts a signed Response around an unsigned assertion, and an assertion encrypted to our encryption certificate', async () => {
      await signedIn(await f.acs(await f.idp({ name_id: USER, sign_response: true, sign_assertion: false })));
      const encrypted = await f.idp({ name_id: USER, encrypt: true });
      expect(Buffer.from(encrypted, 'base64').toString()).toContain('EncryptedAssertion');
      await signedIn(await f.acs(encrypted));
      // pysaml2's own default, 3DES-CBC, is not accepted.
      await refused(
        await f.acs(
          await f.idp({ name_id: USER, encrypt: true, encrypt_alg: 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc' }),
        ),
      );
    });

    it('refuses an unsigned response and one signed by a key the provider does not list', async () => {
      await refused(await f.acs(await f.idp({ name_id: USER, sign_assertion: false })));
      await refused(
        await f.acs(
          await f.idp({
            name_id: USER,
            key: `${import.meta.dirname}/../keys/attacker.key`,
            cert: `${import.meta.dirname}/../keys/attacker.crt`,
          }),
        ),
      );
    });

    it('refuses a wrong Destination, a wrong Audience and an unknown InResponseTo', async () => {
      await refused(
        await f.acs(await f.idp({ name_id: USER, acs: 'https://elsewhere.example/saml/acs' })),
        400,
        /meant for a different address/,
      );
      await refused(await f.acs(await f.idp({ name_id: USER, audience: 'https://elsewhere.example/sp' })));
      await refused(await f.acs(await f.idp({ name_id: USER, in_response_to: '_never_sent_by_gatehouse' })));
    });

    it('allows 9 s of clock skew and refuses 11 s, on both ends of the validity window', async () => {
      try {
        let r = await f.idp({ name_id: USER });
        f.clock.offsetMs = window(r).notBefore - 11_000 - Date.now();
        await refused(await f.acs(r));
        r = await f.idp({ name_id: USER });
        f.clock.offsetMs = window(r).notBefore - 9_000 - Date.now();
        await signedIn(await f.acs(r));
        r = await f.idp({ name_id: USER });
        f.clock.offsetMs = window(r).notOnOrAfter + 11_000 - Date.now();
        await refused(await f.acs(r));
        r = await f.idp({ name_id: USER });
        f.clock.offsetMs = window(r).notOnOrAfter + 9_000 - Date.now() - 500;
        await signedIn(await f.acs(r));
      } finally {
        f.clock.offsetMs = 0;
      }
    });

    it('refuses a replayed response, even two at once', async () => {
      const r = await f.idp({ name_id: USER });
      await signedIn(await f.acs(r));
      await refused(await f.acs(r), 400, /already used/);
      const twice = await f.idp({ name_id: USER });
      const both = await Promise.all([f.acs(twice), f.acs(twice)]);
      expect(both.map((b) => b.status).sort()).toEqual([200, 400]);
    });

    it('refuses an unknown user and an inactive one (403) without creating an account', async () => {
      const accounts = (email: string) =>
        f.t.gh.storage.db.selectFrom('users').select('id').where('email_key', '=', email).execute();
      await refused(await f.acs(await f.idp({ name_id: 'stranger@demo.gatehouse.local' })), 403, /no active user/);
      const id = await f.addUser('leaver@demo.gatehouse.local', 'Leaver');
      await f.t.api(`/api/v2/users/${id}`, {
        method: 'PATCH',
        token: f.admin,
        body: { version: 1, state: 'inactive' },
      });
      await refused(await f.acs(await f.idp({ name_id: 'leaver@demo.gatehouse.local' })), 403, /no active user/);
      expect(await accounts('stranger@demo.gatehouse.local')).toHaveLength(0);
    });

    it("refuses a response from a disabled provider, and one posted to another organization's ACS", async () => {
      const other = (await f.t.gh.directory.organizations.create('ACS Other', `acs-other-${dialect}`)).org;
      await refused(
        await f.acs(await f.idp({ name_id: USER }), undefined, other.id),
        400,
        /No enabled identity provider/,
      );
      const off = await f.t.api(`/api/v2/identityproviders/${providerId}`, {
        method: 'PUT',
        token: f.admin,
        body: { disabled: true },
      });
      expect(off.status, off.text).toBe(200);
      try {
        await refused(await f.acs(await f.idp({ name_id: USER })), 400, /No enabled identity provider/);
      } finally {
        await f.t.api(`/api/v2/identityproviders/${providerId}`, {
          method: 'PUT',
          token: f.admin,
          body: { disabled: false },
        });
      }
      await signedIn(await f.acs(await f.idp({ name_id: USER })));
    });

    it('follows a certificate rotation: the rolled-over key verifies, the expired certificate is skipped', async () => {
      const rotated = await f.addProvider({
        issuerURI: `${ISSUER}/rotated`,
        certificates: [expiredCertFor('idp.key'), pem('idp2.crt')],
      });
      const keys = `${import.meta.dirname}/../keys`;
      await signedIn(
        await f.acs(
          await f.idp({
            name_id: USER,
            issuer: `${ISSUER}/rotated`,
            key: `${keys}/idp2.key`,
            cert: `${keys}/idp2.crt`,
          }),
        ),
      );
      // The old key's certificate has expired: its signatures no longer count.
      await refused(await f.acs(await f.idp({ name_id: USER, issuer: `${ISSUER}/rotated` })));
      expect(rotated).toBeTruthy();
    });
    // Every case spawns pysaml2 (python3 + xmlsec1) one or more times: slow on a loaded 2-CPU machine.
  },
  120_000,
);

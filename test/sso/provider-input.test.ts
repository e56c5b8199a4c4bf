/**
 * Identity-provider writes are checked by their request schema (@see issue 16, "No 500, ever"):
 * a wrong JSON type in any field, a non-array `certificates` or a body that is not an object is a
 * 400 ErrorBody naming the field, never a 500 or a 200; an enabled provider needs a certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { CERT, ISSUER, SSO_URL } from './providers-fixtures.ts';

const BASE = '/api/v2/identityproviders';

describe.each(DIALECTS)('identity-provider input on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  let customId: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
    const made = await t.api(BASE, { method: 'POST', token, body: valid() });
    expect(made.status, made.text).toBe(200);
    customId = made.body.id;
  });
  afterAll(() => t?.close());

  const valid = (extra: Record<string, unknown> = {}) => ({
    name: 'Company SSO',
    issuerURI: ISSUER,
    ssoTargetURI: SSO_URL,
    certificates: [CERT.idp],
    ...extra,
  });
  const writes = () =>
    [
      ['POST', BASE],
      ['PUT', `${BASE}/okta`],
      ['PUT', `${BASE}/${customId}`],
    ] as const;
  const expectRefused = async (
    res: { status: number; body: Record<string, unknown>; text: string },
    field?: string,
  ) => {
    expect(res.status, res.text).toBe(400);
    validateShape('ErrorBody', res.body);
    expect(res.body).toMatchObject({ status: 400 });
    if (field) expect((res.body.details as { fieldName: string }[])[0].fieldName, res.text).toBe(field);
  };

  it('refuses numbers, booleans, arrays, objects and null in name, issuerURI and ssoTargetURI with a 400', async () => {
    for (const [method, url] of writes())
      for (const field of ['name', 'issuerURI', 'ssoTargetURI'])
        for (const value of [42, true, ['x'], { a: 1 }, null]) {
          const res = await t.api(url, { method, token, body: valid({ [field]: value }) });
          await expectRefused(res, field);
        }
  });

  it('refuses a certificates value that is not a list of strings', async () => {
    for (const [method, url] of writes())
      for (const value of [CERT.idp, 42, { 0: CERT.idp }, [42], [CERT.idp, null]]) {
        const res = await t.api(url, { method, token, body: valid({ certificates: value }) });
        await expectRefused(res);
        expect((res.body.details as { fieldName: string }[])[0].fieldName).toMatch(/^certificates/);
      }
  });

  it('refuses a body that is not a JSON object ([] used to answer 200 on the named paths)', async () => {
    for (const [method, url] of writes())
      for (const body of [[], [valid()], '"text"', 42, true]) {
        const res = await t.api(url, { method, token, body });
        await expectRefused(res);
      }
    // Nothing was written: the okta path still has no provider, the custom one is unchanged.
    expect((await t.api(`${BASE}/okta`, { token })).status).toBe(404);
    expect((await t.api(`${BASE}/${customId}`, { token })).body).toMatchObject({ name: 'Company SSO', version: 1 });
  });

  it('refuses wrong types in the other fields and the settings', async () => {
    for (const [field, value] of [
      ['disabled', 'no'],
      ['displayOnLogin', 1],
      ['signAuthnRequests', 'true'],
      ['sloURI', 5],
      ['relyingPartyIdentifier', []],
      ['logoImageData', {}],
      ['nameIdentifierFormat', false],
      ['providerType', 'saml-but-unknown'],
    ] as const) {
      await expectRefused(await t.api(BASE, { method: 'POST', token, body: valid({ [field]: value }) }), field);
    }
    for (const body of [[], { ssoOnly: 'yes' }, { redirectAllowList: 'https://x.example.com' }])
      await expectRefused(await t.api(`${BASE}/settings`, { method: 'PUT', token, body }));
    await expectRefused(await t.api(`${BASE}/metadata/parse`, { method: 'POST', token, body: [] }));
    for (const body of [{ metadata: 42 }, {}])
      await expectRefused(await t.api(`${BASE}/metadata/parse`, { method: 'POST', token, body }), 'metadata');
  });

  it('refuses an enabled provider without a certificate; a disabled one may wait for its certificate', async () => {
    for (const [method, url] of writes()) {
      for (const body of [
        valid({ certificates: [] }),
        valid({ certificates: null }),
        { name: 'No cert', issuerURI: ISSUER, ssoTargetURI: SSO_URL },
      ]) {
        const res = await t.api(url, { method, token, body: method === 'PUT' ? { ...body, certificates: [] } : body });
        await expectRefused(res, 'certificates');
        expect(res.body.message).toMatch(/enabled identity provider needs at least one certificate/);
      }
    }
    const draft = await t.api(BASE, {
      method: 'POST',
      token,
      body: valid({ name: 'Draft', certificates: [], disabled: true }),
    });
    expect(draft.status, draft.text).toBe(200);
    // Enabling it without adding a certificate is refused; with one it works.
    await expectRefused(
      await t.api(`${BASE}/${draft.body.id}`, { method: 'PUT', token, body: { disabled: false } }),
      'certificates',
    );
    const enabled = await t.api(`${BASE}/${draft.body.id}`, {
      method: 'PUT',
      token,
      body: { disabled: false, certificates: [CERT.idp] },
    });
    expect(enabled.status, enabled.text).toBe(200);
    expect(enabled.body.disabled).toBe(false);
    // The login page never lists a provider without a certificate.
    const options = await t.api('/saml/providers');
    expect(options.status, options.text).toBe(200);
    expect(options.body.providers.map((p: { name: string }) => p.name).sort()).toEqual(['Company SSO', 'Draft']);
  });
});

/**
 * Several identity providers of one type coexist (@see issue 20; seed: up to 30 per organization,
 * "same or mixed"): POST /api/v2/identityproviders with `providerType` creates a new one every
 * time, each read, replaced and deleted by id; the upstream per-type paths (PUT
 * /api/v2/identityproviders/okta …) keep addressing their one provider, also through the SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { CERT, ISSUER, SSO_URL } from './providers-fixtures.ts';

const BASE = '/api/v2/identityproviders';

describe.each(DIALECTS)('several providers of one type on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  const okta = (name: string, extra: Record<string, unknown> = {}) => ({
    providerType: 'okta',
    name,
    issuerURI: `${ISSUER}/${encodeURIComponent(name)}`,
    ssoTargetURI: SSO_URL,
    certificates: [CERT.idp],
    ...extra,
  });
  const list = async () =>
    (await t.api(`${BASE}?pageSize=100`, { token })).body.entities as {
      id: string;
      name: string;
      providerType: string;
      selfUri: string;
    }[];

  it('creates a second Okta provider instead of overwriting the first', async () => {
    const first = await t.api(BASE, { method: 'POST', token, body: okta('Company SSO') });
    const second = await t.api(BASE, { method: 'POST', token, body: okta('Partner SSO', { issuerURI: ISSUER }) });
    expect(first.status, first.text).toBe(200);
    expect(second.status, second.text).toBe(200);
    expect(second.body.id).not.toBe(first.body.id);
    for (const [res, name] of [
      [first, 'Company SSO'],
      [second, 'Partner SSO'],
    ] as const) {
      expect(res.body).toMatchObject({ name, providerType: 'okta', selfUri: `${BASE}/${res.body.id}` });
    }
    // The first is untouched: its name, issuer and certificate are what was saved.
    const got = await t.api(`${BASE}/${first.body.id}`, { token });
    expect(got.body).toMatchObject({
      name: 'Company SSO',
      issuerURI: `${ISSUER}/Company%20SSO`,
      certificates: [CERT.idp],
    });
    // A POST without a name takes the type's display name.
    const unnamed = await t.api(BASE, { method: 'POST', token, body: okta('', { name: undefined }) });
    expect(unnamed.body).toMatchObject({ name: 'Okta', providerType: 'okta' });
    expect((await list()).filter((p) => p.providerType === 'okta')).toHaveLength(3);
  });

  it('reads, replaces and deletes each by id, audited, without touching the others', async () => {
    const a = (await t.api(BASE, { method: 'POST', token, body: okta('Alpha') })).body;
    const b = (await t.api(BASE, { method: 'POST', token, body: okta('Beta') })).body;
    const put = await t.api(`${BASE}/${a.id}`, {
      method: 'PUT',
      token,
      body: { ...a, name: 'Alpha renamed', certificates: [CERT.idp2] },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ name: 'Alpha renamed', providerType: 'okta', certificates: [CERT.idp2] });
    expect((await t.api(`${BASE}/${b.id}`, { token })).body).toMatchObject({ name: 'Beta', certificates: [CERT.idp] });
    // The type of a provider created by POST may change; the named paths keep theirs.
    const retyped = await t.api(`${BASE}/${b.id}`, { method: 'PUT', token, body: { providerType: 'ping' } });
    expect(retyped.body.providerType).toBe('ping');
    expect((await t.api(`${BASE}/${a.id}`, { method: 'DELETE', token })).status).toBe(200);
    expect((await t.api(`${BASE}/${a.id}`, { token })).status).toBe(404);
    expect((await t.api(`${BASE}/${b.id}`, { token })).status).toBe(200);
    const actions = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['action'])
      .where('entity_id', '=', a.id)
      .orderBy('id')
      .execute();
    expect(actions.map((e) => e.action)).toEqual(['Create', 'Update', 'Delete']);
  });

  it('keeps the upstream per-type path working beside them (also through the SDK)', async () => {
    const before = (await list()).length;
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const api = new platformClient.IdentityProviderApi();
    const named = await api.putIdentityprovidersOkta({
      name: 'Okta (named)',
      issuerURI: `${ISSUER}/named`,
      ssoTargetURI: SSO_URL,
      certificates: [CERT.idp],
    });
    expect(named).toMatchObject({ name: 'Okta (named)', selfUri: `${BASE}/okta` });
    // PUT again replaces that one provider, not the ones created by POST.
    const again = await api.putIdentityprovidersOkta({ name: 'Okta (renamed)', issuerURI: `${ISSUER}/named` });
    expect(again.id).toBe(named.id);
    expect((await api.getIdentityprovidersOkta()).name).toBe('Okta (renamed)');
    const created = await api.postIdentityproviders({ ...okta('Through the SDK') });
    expect(created.id).not.toBe(named.id);
    expect((await api.getIdentityprovider(created.id)).name).toBe('Through the SDK');
    expect((await list()).length).toBe(before + 2);
    const renamedOnes = (await list()).filter((p) => p.name === 'Okta (renamed)');
    expect(renamedOnes).toHaveLength(1);
    const putOnNamed = await t.api(`${BASE}/okta`, { method: 'PUT', token, body: { providerType: 'ping' } });
    expect(putOnNamed.status).toBe(400);
    expect(putOnNamed.body.details[0].fieldName).toBe('providerType');
  });

  it('allows up to 30 providers of the same or mixed types, and refuses the 31st', { timeout: 60_000 }, async () => {
    const types = ['okta', 'okta', 'adfs', 'gsuite', 'okta', 'ping'];
    let i = 0;
    while ((await list()).length < 30) {
      const res = await t.api(BASE, {
        method: 'POST',
        token,
        body: okta(`Filler ${i}`, { providerType: types[i % types.length] }),
      });
      expect(res.status, res.text).toBe(200);
      i++;
    }
    const refused = await t.api(BASE, { method: 'POST', token, body: okta('One too many') });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/at most 30 identity providers/);
  });
});
